//! The interpreter loop: runs decoded blocks until a trap or the instruction budget ends.

use super::code::Code;
use super::{Cpu, Trap};
use crate::memory::Memory;

/// Why [`run`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// An instruction trapped. If it [completed](Trap::completed), `pc` points past it;
    /// otherwise `pc` is the trapping instruction.
    Trap(Trap),
    /// `pc` is outside the decoded code (possibly the host's return address).
    OutsideCode,
    /// `cpu.instructions` reached the budget.
    BudgetSpent,
}

/// Runs from `cpu.pc` until something stops it or `cpu.instructions` reaches `budget_end`.
pub(crate) fn run(cpu: &mut Cpu, mem: &mut Memory, code: &Code, budget_end: u64) -> Exit {
    loop {
        let Some(mut slot) = code.slot(cpu.pc) else {
            return Exit::OutsideCode;
        };
        let left = budget_end.saturating_sub(cpu.instructions);
        if left == 0 {
            return Exit::BudgetSpent;
        }
        let count = (code.at(slot).block_len as u64).min(left);
        for done in 0..count {
            let insn = code.at(slot);
            cpu.pc = cpu.pc.wrapping_add(insn.len as u64);
            if let Err(trap) = (insn.handler)(cpu, mem, insn) {
                // The trapping instruction counts as executed only when it completed (an ecall).
                if trap.completed() {
                    cpu.instructions += done + 1;
                } else {
                    cpu.instructions += done;
                    cpu.pc = insn.pc(cpu);
                }
                return Exit::Trap(trap);
            }
            slot += insn.len as usize / 2;
        }
        cpu.instructions += count;
    }
}
