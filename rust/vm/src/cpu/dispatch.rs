//! The interpreter loop: runs decoded blocks until a trap or the instruction budget ends, and
//! hands blocks that have been compiled to their native code.

use super::code::Code;
use super::{i, Cpu, Trap};
use crate::jit::{Jit, JitExit, Visit};
use crate::memory::Memory;

/// Why [`run`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
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
/// With `jit` (the program's compiled code, and the machine's compile threshold), blocks that
/// have native code run there, and blocks that become hot are compiled.
///
/// A block is charged against the budget and `cpu.pc` set to the address of its last
/// instruction before it starts; then its threaded form runs it to the end (see
/// [`super::threaded`]). Straight-line handlers do not read `pc`; the last instruction finds its
/// own address there and leaves the next one.
///
/// Always inlined into the machine's execution loop, which handles the system calls and returns
/// to the host that stop it: a host call then costs no function entry and exit. The exits that
/// end an execution with an error are built out of line (`Machine::fault`), so the loop carries
/// no error values.
#[inline(always)]
pub(crate) fn run(cpu: &mut Cpu, mem: &mut Memory, code: &Code, jit: Option<(&Jit, u32)>, budget_end: u64) -> Exit {
    loop {
        let mut block_start = cpu.pc;
        let Some((mut first, mut at)) = code.fetch(block_start) else {
            return Exit::OutsideCode;
        };
        if let Some((jit, threshold)) = jit {
            match jit.visit(first, threshold) {
                Visit::Interpret => {}
                Visit::Compile => {
                    jit.compile(code, first, threshold == 0);
                    continue;
                }
                Visit::Enter(entry) => match jit.enter(entry, cpu, mem, budget_end) {
                    Some(JitExit::Jump) => continue,
                    Some(JitExit::Trap(trap)) => return Exit::Trap(trap),
                    // Native code handed the block at `pc` to the interpreter, or could not run:
                    // that block is interpreted, without entering native code again first.
                    Some(JitExit::Interpret) | None => {
                        block_start = cpu.pc;
                        let Some(fetched) = code.fetch(block_start) else {
                            return Exit::OutsideCode;
                        };
                        (first, at) = fetched;
                    }
                },
            }
        }
        let insn = at.insn();
        let Some(after_block) = cpu.instructions.checked_add(insn.block_len as u64).filter(|&n| n <= budget_end) else {
            // Also where nothing is left (a block has at least one instruction).
            return run_partial_block(cpu, mem, code, first, budget_end.saturating_sub(cpu.instructions));
        };
        cpu.pc = block_start.wrapping_add(2 * insn.to_block_end as u64);
        cpu.instructions = after_block;
        if let Err(trap) = (insn.run)(cpu, mem, at) {
            return Exit::Trap(trap);
        }
    }
}

/// Runs the first `count` instructions of the block at `first`, fewer than its length (possibly
/// none): what is left of the instruction budget. One at a time, each returning here.
#[cold]
#[inline(never)]
fn run_partial_block(cpu: &mut Cpu, mem: &mut Memory, code: &Code, first: usize, count: u64) -> Exit {
    let mut slot = first;
    for done in 0..count {
        let insn = code.at(slot);
        // Handlers of straight-line instructions do not read `pc`; only the last one may.
        cpu.pc = code.pc_of(slot);
        match i::execute(cpu, mem, insn) {
            Ok(slots) => slot += slots,
            Err(trap) => {
                // Only instructions that end blocks complete with a trap, and none runs here.
                cpu.instructions += done;
                return Exit::Trap(trap);
            }
        }
    }
    cpu.instructions += count;
    cpu.pc = code.pc_of(slot);
    Exit::BudgetSpent
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auipc_of_x0_whose_result_does_not_fit_32_bits_moves_on() {
        // `auipc x0, 0x7ffff` at 0x1000 (its result, 0x8000_0000, does not fit a LUI), `ebreak`.
        let mut bytes = 0x7ffff017u32.to_le_bytes().to_vec();
        bytes.extend(0x00100073u32.to_le_bytes());
        let code = Code::decode(0x1000, &bytes);
        let mut cpu = Cpu { pc: 0x1000, ..Cpu::default() };
        let exit = run(&mut cpu, &mut Memory::new(4096), &code, None, 100);
        assert_eq!((exit, cpu.pc, cpu.instructions), (Exit::Trap(Trap::Breakpoint), 0x1004, 1));
    }

    #[test]
    fn a_four_byte_encoding_cut_off_by_the_end_of_the_code_is_illegal() {
        // `c.nop`, then the first half of `addi a0, x0, 0` (0x00000513) as the code's last bytes:
        // its missing half must not be read as zeros.
        let code = Code::decode(0x1000, &[0x01, 0x00, 0x13, 0x05]);
        let mut cpu = Cpu { pc: 0x1000, ..Cpu::default() };
        let exit = run(&mut cpu, &mut Memory::new(4096), &code, None, 100);
        assert_eq!((exit, cpu.pc, cpu.instructions), (Exit::Trap(Trap::IllegalInstruction(0x0513)), 0x1002, 1));
    }
}
