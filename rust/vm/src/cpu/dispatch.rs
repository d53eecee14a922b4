//! The interpreter loop: runs decoded blocks until a trap or the instruction budget ends, and
//! hands blocks that have been compiled to their native code.

use super::code::Code;
use super::{i, Cpu, Insn, Trap};
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
        if !charge_block(cpu, block_start, insn, budget_end) {
            // Also where nothing is left (a block has at least one instruction).
            return run_partial_block(cpu, mem, code, first, budget_end.saturating_sub(cpu.instructions));
        }
        if let Err(trap) = (insn.run)(cpu, mem, at) {
            return Exit::Trap(trap);
        }
    }
}

/// Runs the block at `cpu.pc` if it is short (at most [`SHORT_BLOCK_MAX`] instructions) and
/// ends as `ends` allows: in a `jalr` ([`SHORT_RETURN`]) or an `ecall` ([`SHORT_SYSTEM_CALL`]).
/// Returns how its threaded form ended, or `None`, with nothing run, for any other block or one
/// that does not fit in the budget.
///
/// For the start of a call from the host, where short blocks are common: all of a small leaf
/// function is one, and so are a function's block that makes a host call and the block after
/// it that returns the answer. There a short block runs without [`run`]'s loop and JIT check,
/// neither of which pays for it. A fault puts `pc` and the instruction count back to the
/// faulting instruction (see [`super::threaded`]), for [`run`] to run again and report.
///
/// [`SHORT_BLOCK_MAX`]: super::insn_flags::SHORT_BLOCK_MAX
/// [`SHORT_RETURN`]: super::insn_flags::SHORT_RETURN
/// [`SHORT_SYSTEM_CALL`]: super::insn_flags::SHORT_SYSTEM_CALL
#[inline(always)]
pub(crate) fn run_short_block(
    cpu: &mut Cpu,
    mem: &mut Memory,
    code: &Code,
    budget_end: u64,
    ends: u8,
) -> Option<Result<(), Trap>> {
    let block_start = cpu.pc;
    let (_, at) = code.fetch(block_start)?;
    let insn = at.insn();
    if insn.flags & ends == 0 || !charge_block(cpu, block_start, insn, budget_end) {
        return None;
    }
    Some((insn.run)(cpu, mem, at))
}

/// Charges the block that `insn` (at `block_start`) begins against the instruction budget and
/// points `cpu.pc` at its last instruction, ready for its threaded form. Returns false, changing
/// nothing, if the block does not fit in what is left of the budget.
#[inline(always)]
fn charge_block(cpu: &mut Cpu, block_start: u64, insn: &Insn, budget_end: u64) -> bool {
    let Some(after_block) = cpu.instructions.checked_add(insn.block_len as u64).filter(|&n| n <= budget_end) else {
        return false;
    };
    cpu.pc = block_start.wrapping_add(2 * insn.to_block_end as u64);
    cpu.instructions = after_block;
    true
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
    use crate::cpu::insn_flags;

    const ADDI_A0_1: u32 = 0x0015_0513;
    const RET: u32 = 0x0000_8067;
    const ECALL: u32 = 0x0000_0073;
    /// `ld a0, -8(x0)`: a load from the top of the address space, outside any memory.
    const LD_OUTSIDE: u32 = 0xff80_3503;
    const BEQ_X0_X0_0: u32 = 0x0000_0063;
    const BOTH: u8 = insn_flags::SHORT_RETURN | insn_flags::SHORT_SYSTEM_CALL;

    /// `insns` decoded at 0x1000, and a CPU about to run them as a call that returns to 0x2000.
    fn call_of(insns: &[u32]) -> (Code, Cpu) {
        let bytes: Vec<u8> = insns.iter().flat_map(|insn| insn.to_le_bytes()).collect();
        let mut cpu = Cpu { pc: 0x1000, ..Cpu::default() };
        cpu.set_reg(1, 0x2000);
        (Code::decode(0x1000, &bytes), cpu)
    }

    /// `adds` times `addi a0, a0, 1`, then `last`.
    fn adds_then(adds: usize, last: u32) -> Vec<u32> {
        let mut insns = vec![ADDI_A0_1; adds];
        insns.push(last);
        insns
    }

    #[test]
    fn short_blocks_that_return_or_make_a_system_call_run_on_their_own() {
        // The longest short block has eight instructions.
        for adds in [2, 7] {
            let (code, mut cpu) = call_of(&adds_then(adds, RET));
            assert_eq!(run_short_block(&mut cpu, &mut Memory::new(4096), &code, 100, BOTH), Some(Ok(())));
            assert_eq!((cpu.pc, cpu.instructions, cpu.reg(10)), (0x2000, adds as u64 + 1, adds as u64));

            let (code, mut cpu) = call_of(&adds_then(adds, ECALL));
            let ended = run_short_block(&mut cpu, &mut Memory::new(4096), &code, 100, BOTH);
            assert_eq!(ended, Some(Err(Trap::Ecall)));
            assert_eq!((cpu.pc, cpu.instructions), (0x1000 + 4 * (adds as u64 + 1), adds as u64 + 1), "past the ecall");
        }
    }

    #[test]
    fn only_the_kinds_of_short_block_asked_for_run() {
        for (last, other_kind) in [(RET, insn_flags::SHORT_SYSTEM_CALL), (ECALL, insn_flags::SHORT_RETURN)] {
            let (code, mut cpu) = call_of(&adds_then(1, last));
            assert_eq!(run_short_block(&mut cpu, &mut Memory::new(4096), &code, 100, other_kind), None);
            assert_eq!((cpu.pc, cpu.instructions, cpu.reg(10)), (0x1000, 0, 0), "nothing ran");
        }
    }

    #[test]
    fn long_blocks_and_blocks_ending_otherwise_are_left_to_the_loop() {
        for insns in [adds_then(8, RET), adds_then(8, ECALL), adds_then(1, BEQ_X0_X0_0)] {
            let (code, mut cpu) = call_of(&insns);
            assert_eq!(run_short_block(&mut cpu, &mut Memory::new(4096), &code, 100, BOTH), None);
            assert_eq!((cpu.pc, cpu.instructions, cpu.reg(10)), (0x1000, 0, 0), "nothing ran");
        }
    }

    #[test]
    fn a_short_block_that_does_not_fit_the_budget_is_left_to_the_loop() {
        let (code, mut cpu) = call_of(&adds_then(2, RET));
        assert_eq!(run_short_block(&mut cpu, &mut Memory::new(4096), &code, 2, BOTH), None);
        assert_eq!((cpu.pc, cpu.instructions, cpu.reg(10)), (0x1000, 0, 0), "nothing ran");
        // The loop runs what the budget allows.
        assert_eq!(run(&mut cpu, &mut Memory::new(4096), &code, None, 2), Exit::BudgetSpent);
        assert_eq!((cpu.pc, cpu.instructions, cpu.reg(10)), (0x1008, 2, 2));
    }

    #[test]
    fn a_fault_in_a_short_block_leaves_the_faulting_instruction_to_the_loop() {
        let (code, mut cpu) = call_of(&[ADDI_A0_1, LD_OUTSIDE, RET]);
        let mut memory = Memory::new(4096);
        assert_eq!(run_short_block(&mut cpu, &mut memory, &code, 100, BOTH), Some(Err(Trap::Memory)));
        assert_eq!((cpu.pc, cpu.instructions, cpu.reg(10)), (0x1004, 1, 1), "stopped at the load");
        assert_eq!(run(&mut cpu, &mut memory, &code, None, 100), Exit::Trap(Trap::Memory));
        assert_eq!((cpu.pc, cpu.instructions), (0x1004, 1), "the loop reports the same load");
    }

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
