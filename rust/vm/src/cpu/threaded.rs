//! Threaded code: every straight-line instruction of a block runs the next one itself.
//!
//! Each decoded instruction carries a [`Run`] function chosen for its operation, its length and
//! whether it is the last of its block. A straight-line instruction's form executes it and then
//! calls the form of the instruction after it, as the last thing it does: in an optimised build
//! that call compiles to a jump, so a block runs as a chain of jumps from handler to handler, with
//! no return to the dispatch loop in between and no length or slot to carry through memory (the
//! length is part of the form). The last instruction of a block returns to the dispatch loop.
//!
//! Blocks are at most [`MAX_BLOCK_LEN`] instructions long (see [`super::code`]), which bounds
//! the depth of the chain where the call is not turned into a jump (unoptimised builds).

use super::{Cpu, Insn, Trap};
use crate::memory::Memory;

/// The most instructions in one block. Longer straight runs are cut into blocks of this length.
pub(crate) const MAX_BLOCK_LEN: u8 = 64;

/// The threaded form of one instruction: runs it, and (unless it is the last of its block) the
/// rest of its block. `rest` is the decoded code after `insn`.
///
/// While a block runs, `cpu.pc` holds the address of its last instruction and
/// `cpu.instructions` counts the whole block. An instruction that faults puts both right for
/// itself (its own address, and none of the block from it on retired) before it returns the
/// trap, so the dispatch loop has nothing to find out about where a block stopped.
pub(crate) type Run = fn(cpu: &mut Cpu, mem: &mut Memory, insn: &Insn, rest: &[Insn]) -> Result<(), Trap>;

/// The form an instruction has until `code` places it in its block: it runs the instruction
/// through its handler, nothing more.
pub(crate) const UNPLACED: Run = transfer::<ByHandler>;

/// One operation, for the generic forms below.
pub(crate) trait Operation {
    fn execute(cpu: &mut Cpu, mem: &mut Memory, insn: &Insn) -> Result<(), Trap>;
}

/// Any instruction, run through its handler (operations without an inline fast path).
pub(crate) struct ByHandler;

impl Operation for ByHandler {
    #[inline(always)]
    fn execute(cpu: &mut Cpu, mem: &mut Memory, insn: &Insn) -> Result<(), Trap> {
        (insn.handler)(cpu, mem, insn)
    }
}

/// The forms of one operation: for a 2-byte and a 4-byte instruction that is not the last of
/// its block, for the last instruction of a block that may change control flow, and for a
/// 2-byte and a 4-byte instruction where a block was cut.
pub(crate) type Forms = [Run; 5];

/// The forms of operation `O`.
pub(crate) const fn forms<O: Operation>() -> Forms {
    [chain::<O, 1>, chain::<O, 2>, transfer::<O>, cut::<O, 1>, cut::<O, 2>]
}

/// The form among `forms` for `insn`, given whether it is the `last` of its block.
pub(crate) fn pick(forms: &Forms, insn: &Insn, last: bool) -> Run {
    let four_bytes = insn.len() == 4;
    match (last, insn.ends_block) {
        (false, _) => forms[four_bytes as usize],
        (true, true) => forms[2],
        (true, false) => forms[3 + four_bytes as usize],
    }
}

/// Runs `insn` (`SLOTS` 2-byte slots long), then the instruction after it.
///
/// Every way out is a call in tail position, which lets the compiler turn the call of the next
/// instruction's form into a jump (a trap's result merged with the next form's kept it a real
/// call, for operations run through their handler).
fn chain<O: Operation, const SLOTS: usize>(
    cpu: &mut Cpu,
    mem: &mut Memory,
    insn: &Insn,
    rest: &[Insn],
) -> Result<(), Trap> {
    match O::execute(cpu, mem, insn) {
        Ok(()) => match rest.get(SLOTS - 1..) {
            Some([next, after @ ..]) => (next.run)(cpu, mem, next, after),
            _ => ran_out_of_code(cpu, insn, SLOTS),
        },
        Err(trap) => trapped(cpu, insn, trap),
    }
}

/// Runs `insn`, the last instruction of its block and one that may change control flow: it
/// leaves the next address in `cpu.pc` itself.
fn transfer<O: Operation>(cpu: &mut Cpu, mem: &mut Memory, insn: &Insn, _: &[Insn]) -> Result<(), Trap> {
    O::execute(cpu, mem, insn).inspect_err(|&trap| stopped(cpu, insn, trap))
}

/// Runs `insn` (`SLOTS` 2-byte slots long), a straight-line instruction where its block was cut
/// (at the block length limit or the end of the code), and moves `cpu.pc` past it.
fn cut<O: Operation, const SLOTS: usize>(cpu: &mut Cpu, mem: &mut Memory, insn: &Insn, _: &[Insn]) -> Result<(), Trap> {
    O::execute(cpu, mem, insn).inspect_err(|&trap| stopped(cpu, insn, trap))?;
    cpu.pc = cpu.pc.wrapping_add(2 * SLOTS as u64);
    Ok(())
}

/// Puts `pc` and the instruction count right after `insn` raised `trap`: an instruction that
/// completed with a trap (a system call, which ends its block) has set `pc` past itself; one that
/// faulted leaves its own address there, retired neither itself nor the rest of its block.
#[inline(always)]
fn stopped(cpu: &mut Cpu, insn: &Insn, trap: Trap) {
    if !trap.completed() {
        faulted(cpu, insn);
    }
}

/// See [`stopped`]. Out of line: faults are rare, and system calls are not.
#[cold]
#[inline(never)]
fn faulted(cpu: &mut Cpu, insn: &Insn) {
    cpu.pc = cpu.pc.wrapping_sub(2 * insn.to_block_end as u64);
    cpu.instructions -= insn.block_len as u64;
}

/// [`stopped`], returning the trap: for [`chain`], whose instructions do not complete with traps.
#[cold]
#[inline(never)]
fn trapped(cpu: &mut Cpu, insn: &Insn, trap: Trap) -> Result<(), Trap> {
    stopped(cpu, insn, trap);
    Err(trap)
}

/// Where [`chain`] finds no instruction after `insn` (`slots` long). Blocks end at the last
/// instruction of the code, so this does not happen; if it did, execution would continue after
/// `insn`, outside the code.
#[cold]
#[inline(never)]
fn ran_out_of_code(cpu: &mut Cpu, insn: &Insn, slots: usize) -> Result<(), Trap> {
    cpu.pc = cpu.pc.wrapping_sub(2 * insn.to_block_end as u64).wrapping_add(2 * slots as u64);
    cpu.instructions -= insn.block_len as u64 - 1;
    Ok(())
}
