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

use std::marker::PhantomData;
use std::ptr::NonNull;

use super::{Cpu, Insn, Trap};
use crate::memory::Memory;

/// The most instructions in one block. Longer straight runs are cut into blocks of this length.
pub(crate) const MAX_BLOCK_LEN: u8 = 64;

/// The threaded form of one instruction: runs it, and (unless it is the last of its block) the
/// rest of its block. `at` points at the instruction, inside its decoded code.
///
/// While a block runs, `cpu.pc` holds the address of its last instruction and
/// `cpu.instructions` counts the whole block. An instruction that faults puts both right for
/// itself (its own address, and none of the block from it on retired) before it returns the
/// trap, so the dispatch loop has nothing to find out about where a block stopped.
pub(crate) type Run = for<'a> fn(cpu: &mut Cpu, mem: &mut Memory, at: Cursor<'a>) -> Result<(), Trap>;

/// Where a block runs: an instruction of decoded code, and (for the forms of instructions that are
/// not the last of their block) the instructions after it. One pointer rather than the
/// instruction and a slice of what follows it: a chain step is then a load and a jump, with no
/// bounds check and two registers fewer to pass on (five host instructions fewer per interpreted
/// instruction).
#[derive(Clone, Copy)]
pub(crate) struct Cursor<'a> {
    /// Points into the slice `Cursor::new` was given, which lives for `'a`.
    insn: NonNull<Insn>,
    code: PhantomData<&'a [Insn]>,
}

impl<'a> Cursor<'a> {
    /// The instruction at `insns[0]`, with the rest of `insns` after it.
    ///
    /// # Safety
    /// `insns` must be decoded code from some slot to its end, with the forms `code` placed in
    /// it: then every chain form in it is followed, inside `insns`, by the next instruction of
    /// its block, which is what [`Cursor::next`] and the forms that call it rely on.
    #[inline(always)]
    pub unsafe fn new(insns: &'a [Insn]) -> Option<Cursor<'a>> {
        if insns.is_empty() {
            return None;
        }
        Some(Cursor { insn: NonNull::from(insns).cast(), code: PhantomData })
    }

    /// The instruction here.
    #[inline(always)]
    pub fn insn(self) -> &'a Insn {
        // SAFETY: `insn` points at an element of the slice given to `new` (advanced only within
        // it, see `next`), which is borrowed for `'a` and so neither moves nor changes.
        unsafe { self.insn.as_ref() }
    }

    /// The instruction `slots` 2-byte slots on, which must be the next one of the same block.
    ///
    /// # Safety
    /// The instruction here must not be the last of its block, and `slots` its length in slots.
    /// A block's instructions lie in one decoded code (`code` ends blocks at its last slot), so
    /// the next one is then in the slice given to `new`.
    #[inline(always)]
    unsafe fn next(self, slots: usize) -> Cursor<'a> {
        // SAFETY: the caller promises that the result stays inside the slice (see above).
        Cursor { insn: unsafe { self.insn.add(slots) }, code: PhantomData }
    }
}

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
    match (last, insn.ends_block()) {
        (false, _) => forms[four_bytes as usize],
        (true, true) => forms[2],
        (true, false) => forms[3 + four_bytes as usize],
    }
}

/// Runs the instruction at `at` (`SLOTS` 2-byte slots long), then the instruction after it.
///
/// Every way out is a call in tail position, which lets the compiler turn the call of the next
/// instruction's form into a jump (a trap's result merged with the next form's kept it a real
/// call, for operations run through their handler).
fn chain<O: Operation, const SLOTS: usize>(cpu: &mut Cpu, mem: &mut Memory, at: Cursor) -> Result<(), Trap> {
    let insn = at.insn();
    match O::execute(cpu, mem, insn) {
        Ok(()) => {
            // SAFETY: `at` comes from `Cursor::new` on decoded code as `code` placed it (its
            // contract), and `code` gives this form only to instructions that are not the last
            // of their block (`pick` with `last` false), and of length `SLOTS` (`pick` chooses
            // by length).
            let next = unsafe { at.next(SLOTS) };
            (next.insn().run)(cpu, mem, next)
        }
        Err(trap) => trapped(cpu, insn, trap),
    }
}

/// Runs the instruction at `at`, the last of its block and one that may change control flow:
/// it leaves the next address in `cpu.pc` itself.
fn transfer<O: Operation>(cpu: &mut Cpu, mem: &mut Memory, at: Cursor) -> Result<(), Trap> {
    let insn = at.insn();
    O::execute(cpu, mem, insn).inspect_err(|&trap| stopped(cpu, insn, trap))
}

/// Runs the instruction at `at` (`SLOTS` 2-byte slots long), a straight-line instruction where
/// its block was cut (at the block length limit or the end of the code), and moves `cpu.pc` past
/// it.
fn cut<O: Operation, const SLOTS: usize>(cpu: &mut Cpu, mem: &mut Memory, at: Cursor) -> Result<(), Trap> {
    let insn = at.insn();
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
