//! Native code for hot guest code, compiled with Cranelift.
//!
//! The dispatch loop counts how often each block start runs (the short blocks a call from the
//! host starts with run outside it, uncounted: native code is never entered for them anyway,
//! see `region::MIN_STRAIGHT_LINE`). When one reaches the machine's
//! [`compile_after`](crate::Options::compile_after) threshold, the JIT compiles a *region* that
//! starts there (see [`region`]) into one native function, shared by every machine of the
//! program. From then on the dispatch loop calls that function instead of interpreting.
//!
//! Native code keeps exactly the interpreter's semantics:
//! - Guest registers live in Cranelift variables inside a region and are written back to the
//!   [`Cpu`] at every exit; instructions the JIT does not translate (floating point, atomics, the
//!   bit-manipulation extensions) call their interpreter handler in place.
//! - Every load and store is bounds-checked against the same limits as [`Memory`]. An access
//!   outside them leaves native code at that instruction, and the interpreter runs it again to
//!   report the fault with its precise address.
//! - Each segment charges its instructions against the budget before it runs; a segment that
//!   does not fit leaves to the interpreter, which runs exactly as many instructions as remain
//!   (none when a system call's charge has already taken the count past the budget's end).
//! - System calls, `ebreak` and block-ending CSR reads leave to the interpreter too.
//!
//! Regions end in jumps to other addresses; those go through the program's table of compiled
//! entry points as tail calls, so hot code moves from region to region without returning here.

mod executable;
mod float;
mod region;
mod translate;

use std::any::Any;
use std::mem::offset_of;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::cpu::code::Code;
use crate::cpu::{Cpu, Insn, Trap};
use crate::memory::Memory;

use executable::ExecutableMemory;
use translate::Compiler;

/// Whether this host can run native code: the JIT generates x86-64 code only. Elsewhere every
/// machine interprets, whatever its [`compile_after`](crate::Options::compile_after).
pub fn native_code_supported() -> bool {
    cfg!(target_arch = "x86_64")
}

/// What native code returns when it leaves.
mod exit_code {
    /// `cpu.pc` holds the next address to run; nothing went wrong.
    pub const JUMP: u32 = 0;
    /// The interpreter must run the block at `cpu.pc` (the budget does not cover the next
    /// segment, an access faulted, or the instruction is one the JIT leaves to it).
    pub const INTERPRET: u32 = 1;
    /// An instruction's handler trapped; the trap is in the context.
    pub const TRAP: u32 = 2;
    /// An instruction's handler panicked; the payload is in the context.
    pub const PANIC: u32 = 3;
}

/// Why native code returned to the dispatch loop.
pub(crate) enum JitExit {
    /// Continue at `cpu.pc`.
    Jump,
    /// Interpret the block at `cpu.pc` before entering native code again.
    Interpret,
    /// The instruction at `cpu.pc` trapped.
    Trap(Trap),
}

/// What generated code reads while it runs: one per entry from the dispatch loop. Generated code
/// reaches the fields by their `offset_of!` offsets.
#[repr(C)]
pub(crate) struct Context {
    cpu: *mut Cpu,
    memory: *mut Memory,
    /// Host address of guest address 0.
    host_base: *mut u8,
    read_start: u64,
    read_span: u64,
    write_start: u64,
    write_span: u64,
    budget_end: u64,
    /// Whether the host's floating-point state is set up for native double arithmetic (a bool):
    /// the first region that needs it sets it up through [`prepare_floats`].
    floats: u8,
    /// The host's floating-point state to restore on leaving, once `floats` is set.
    host_float_state: u32,
    trap: Option<Trap>,
    panic: Option<Box<dyn Any + Send>>,
}

/// Byte offsets of the context fields generated code reads.
pub(crate) mod context {
    use super::{offset_of, Context};
    pub const CPU: i32 = offset_of!(Context, cpu) as i32;
    pub const HOST_BASE: i32 = offset_of!(Context, host_base) as i32;
    pub const READ_START: i32 = offset_of!(Context, read_start) as i32;
    pub const READ_SPAN: i32 = offset_of!(Context, read_span) as i32;
    pub const WRITE_START: i32 = offset_of!(Context, write_start) as i32;
    pub const WRITE_SPAN: i32 = offset_of!(Context, write_span) as i32;
    pub const BUDGET_END: i32 = offset_of!(Context, budget_end) as i32;
    pub const FLOATS: i32 = offset_of!(Context, floats) as i32;

    /// The address of `extern "C" fn(*mut Context) -> u32` that sets up native floating point.
    pub fn prepare_floats() -> u64 {
        super::prepare_floats as *const () as u64
    }
}

/// Sets up the host's floating-point state for native double arithmetic, for a region that
/// needs it; returns 0 (and changes nothing) if the guest's rounding mode is not
/// round-to-nearest-even, which native code assumes.
extern "C" fn prepare_floats(context: *mut Context) -> u32 {
    // SAFETY: as in `run_handler`: generated code passes the live context it was entered with,
    // and `cpu` is only read here, while no other reference to it is in use.
    let context = unsafe { &mut *context };
    if (unsafe { (*context.cpu).fcsr } >> 5) & 7 != 0 {
        return 0;
    }
    context.host_float_state = float::enter();
    context.floats = 1;
    1
}

/// Runs the interpreter handler of `insn` for generated code; returns an [`exit_code`].
extern "C" fn run_handler(context: *mut Context, insn: *const Insn) -> u32 {
    // SAFETY: generated code passes the context it was entered with (a live `&mut Context` in
    // `Jit::enter`, not otherwise used while native code runs) and a pointer into the program's
    // decoded code, which outlives its generated code.
    let (context, insn) = unsafe { (&mut *context, &*insn) };
    // SAFETY: `cpu` and `memory` come from the `&mut Cpu` and `&mut Memory` that `Jit::enter`
    // holds for the duration of the native call and does not use meanwhile; generated code does
    // not touch them while a handler runs.
    let (cpu, memory) = unsafe { (&mut *context.cpu, &mut *context.memory) };
    let mut run = move || std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (insn.handler)(cpu, memory, insn)));
    // Host flags raised by a handler's own arithmetic must not reach the guest's `fflags`.
    let result = if context.floats != 0 { float::isolated(run) } else { run() };
    match result {
        Ok(Ok(())) => exit_code::JUMP,
        Ok(Err(trap)) => {
            context.trap = Some(trap);
            exit_code::TRAP
        }
        Err(payload) => {
            context.panic = Some(payload);
            exit_code::PANIC
        }
    }
}

/// What the JIT has done for one program so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CompileStats {
    /// Regions compiled to native code.
    pub regions: u64,
    /// Time spent compiling them.
    pub time: std::time::Duration,
}

/// Set in an entry-table word (functions start on page boundaries, so the bit is free) when the
/// interpreter should not enter the function itself: it is only a target for native jumps.
pub(crate) const NOT_FROM_INTERPRETER: usize = 1;

/// What [`Jit::heat`] holds for a slot once it is decided: below these, a count.
mod slot_state {
    /// The interpreter enters the native function in the entry table.
    pub const ENTER: u32 = u32::MAX - 1;
    /// The interpreter runs the block itself from now on: it was compiled into a region too
    /// short to enter, or compiling it was tried and failed.
    pub const INTERPRET: u32 = u32::MAX;
}

/// What the dispatch loop does with a block it is about to run (see [`Jit::visit`]).
pub(crate) enum Visit {
    /// Interpret it.
    Interpret,
    /// Enter this native function with [`Jit::enter`].
    Enter(usize),
    /// It is hot: compile it with [`Jit::compile`], then look again.
    Compile,
}

/// The compiled code of one program and the counters that decide what to compile.
pub(crate) struct Jit {
    /// Per 2-byte slot of the decoded code: the address of the native function that starts
    /// there (possibly tagged with [`NOT_FROM_INTERPRETER`]), or 0. Generated code reads it to
    /// chain regions.
    entries: Box<[AtomicUsize]>,
    /// Per slot: how many times the interpreter started a block there, or, once that is decided,
    /// whether it enters native code there (a [`slot_state`]). One load tells the dispatch loop
    /// what to do.
    heat: Box<[AtomicU32]>,
    /// The function that enters generated code from Rust, once the compiler exists.
    trampoline: AtomicUsize,
    state: Mutex<JitState>,
}

/// What compiling needs, behind one lock: compiling happens on one thread at a time.
struct JitState {
    compiler: CompilerState,
    /// The generated code. Never freed before the program: entry-table words, and code running
    /// on other threads, may point into it.
    memory: ExecutableMemory,
    stats: CompileStats,
}

enum CompilerState {
    NotStarted,
    Ready(Box<Compiler>),
    /// This host has no Cranelift back end (or it failed to start): interpret everything.
    Unavailable,
}

/// A boxed slice of `len` zeroed atomics, allocated zeroed so that untouched pages cost nothing.
fn zeroed_atomics<T>(len: usize) -> Box<[T]>
where
    T: ZeroedAtomic,
{
    let zeros: Box<[T::Plain]> = vec![T::Plain::default(); len].into_boxed_slice();
    // SAFETY: `T` has the size, alignment and bit validity of `T::Plain` (the contract of the
    // unsafe trait `ZeroedAtomic`), so the allocation holds `len` valid `T`s with the layout
    // `Box<[T]>` frees.
    unsafe { Box::from_raw(Box::into_raw(zeros) as *mut [T]) }
}

/// Atomics that are plain integers in memory.
///
/// # Safety
/// `Self` must have the size, alignment and bit validity of `Self::Plain`.
unsafe trait ZeroedAtomic {
    type Plain: Default + Clone;
}
// SAFETY: the standard library documents AtomicUsize as having the layout of usize.
unsafe impl ZeroedAtomic for AtomicUsize {
    type Plain = usize;
}
// SAFETY: the standard library documents AtomicU32 as having the layout of u32.
unsafe impl ZeroedAtomic for AtomicU32 {
    type Plain = u32;
}

impl Jit {
    /// Counters and an empty entry table for `code`.
    pub fn new(code: &Code) -> Jit {
        Jit {
            entries: zeroed_atomics(code.slots()),
            heat: zeroed_atomics(code.slots()),
            trampoline: AtomicUsize::new(0),
            state: Mutex::new(JitState {
                compiler: CompilerState::NotStarted,
                memory: ExecutableMemory::new(executable::CODE_LIMIT),
                stats: CompileStats::default(),
            }),
        }
    }

    /// What the entry table holds for `slot`: 0 if nothing was compiled there, or a function,
    /// possibly tagged [`NOT_FROM_INTERPRETER`].
    fn entry(&self, slot: usize) -> usize {
        self.entries[slot].load(Ordering::Acquire)
    }

    /// Decides what to do with the block at `slot`, counting one interpreted start of it if it
    /// is not decided yet: it becomes hot once it has been started `threshold` times (see
    /// [`Jit::threshold`]).
    #[inline(always)]
    pub fn visit(&self, slot: usize, threshold: u32) -> Visit {
        let heat = &self.heat[slot];
        // Acquire: `compile` stores the entry before it publishes `ENTER`.
        match heat.load(Ordering::Acquire) {
            slot_state::INTERPRET => Visit::Interpret,
            slot_state::ENTER => Visit::Enter(self.entries[slot].load(Ordering::Relaxed)),
            count if count + 1 >= threshold => Visit::Compile,
            count => {
                // Not a read-modify-write: a count lost to a race between threads only delays
                // compiling (and a decision overwritten by a stale count is made again).
                heat.store(count + 1, Ordering::Relaxed);
                Visit::Interpret
            }
        }
    }

    /// The threshold [`Jit::visit`] takes for a machine's
    /// [`compile_after`](crate::Options::compile_after): the same, except that counts stop
    /// short of the [`slot_state`] values. Computed once per machine, not on every call.
    pub fn threshold(compile_after: Option<u32>) -> Option<u32> {
        compile_after.map(|threshold| threshold.min(slot_state::ENTER))
    }

    /// Compiles the region starting at `slot` (once; later calls do nothing). With `enter_always`,
    /// the interpreter enters the region even if it is too short to pay (see
    /// [`region::Region::worth_entering`]): a machine that compiles everything before it runs
    /// (`compile_after: Some(0)`, for tests) then runs everything natively.
    #[cold]
    pub fn compile(&self, code: &Code, slot: usize, enter_always: bool) {
        let mut guard = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let state = &mut *guard;
        // Publishes what the interpreter does at this slot from now on: enter the function in
        // the entry table if there is one it may enter, otherwise interpret the block.
        let decide = |entry: usize| {
            let enter = entry != 0 && entry & NOT_FROM_INTERPRETER == 0;
            let decision = if enter { slot_state::ENTER } else { slot_state::INTERPRET };
            self.heat[slot].store(decision, Ordering::Release);
        };
        let compiled = self.entry(slot);
        if compiled != 0 {
            // Compiled before (the decision was lost to a stale count from another thread).
            return decide(compiled);
        }
        // A compiler bug must not take the host down: compiling stops, and everything not yet
        // compiled stays interpreted. (Code already installed stays mapped: `memory` lives as
        // long as the program.)
        let memory = &mut state.memory;
        if matches!(state.compiler, CompilerState::NotStarted) {
            state.compiler = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| Compiler::new(memory))) {
                Ok(Some(compiler)) => {
                    self.trampoline.store(compiler.trampoline(), Ordering::Release);
                    CompilerState::Ready(Box::new(compiler))
                }
                Ok(None) | Err(_) => CompilerState::Unavailable,
            };
        }
        if memory.is_full() {
            // Everything not compiled yet stays interpreted.
            state.compiler = CompilerState::Unavailable;
        }
        if let CompilerState::Ready(compiler) = &mut state.compiler {
            let started = std::time::Instant::now();
            let compiled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let has_run = |slot: usize| self.heat[slot].load(Ordering::Relaxed) > 0;
                compiler.compile(code, &self.entries, slot, has_run, memory)
            }));
            match compiled {
                Ok(Some((function, worth_entering))) => {
                    let tag = if worth_entering || enter_always { 0 } else { NOT_FROM_INTERPRETER };
                    self.entries[slot].store(function | tag, Ordering::Release);
                    state.stats.regions += 1;
                    state.stats.time += started.elapsed();
                }
                Ok(None) => {}
                Err(_) => state.compiler = CompilerState::Unavailable,
            }
        }
        decide(self.entry(slot));
    }

    /// What has been compiled so far.
    pub fn stats(&self) -> CompileStats {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).stats
    }

    /// Runs the native function `entry` (from [`Visit::Enter`]) on this machine's state until it
    /// leaves native code. `None` if native code cannot run on this memory or past this budget
    /// (see below).
    #[inline(never)]
    pub fn enter(&self, entry: usize, cpu: &mut Cpu, memory: &mut Memory, budget_end: u64) -> Option<JitExit> {
        debug_assert_eq!(entry & NOT_FROM_INTERPRETER, 0, "the interpreter enters only untagged functions");
        let raw = memory.raw_parts();
        // Generated code checks `address - start <= span - len` for accesses of up to 8 bytes,
        // which needs every span to hold 8 bytes (a real machine's memory is whole pages).
        if raw.read.span < 8 || raw.write.span < 8 {
            return None;
        }
        // A system call charges the host's work after the fact, which can take the count past
        // the budget's end; native code's budget checks assume it is not (the interpreter then
        // stops at once). Checked here, once per entry, rather than in every segment, where it
        // cost hot loops up to 25%.
        if cpu.instructions > budget_end {
            return None;
        }
        let mut context = Context {
            cpu,
            memory,
            host_base: raw.host_base,
            read_start: raw.read.start,
            read_span: raw.read.span,
            write_start: raw.write.start,
            write_span: raw.write.span,
            budget_end,
            floats: 0,
            host_float_state: 0,
            trap: None,
            panic: None,
        };
        let trampoline = self.trampoline.load(Ordering::Acquire);
        debug_assert_ne!(trampoline, 0, "an entry exists only once the compiler does");
        // SAFETY: `trampoline` is the address of the entry trampoline the compiler generated for
        // this host's C calling convention with exactly this signature, and it lives as long as
        // `self`. `entry` is a region function from the same compiler. Generated code only touches
        // guest memory inside the arena (every access is checked against the limits above, which
        // describe `memory`'s own arena), the registers, `pc` and instruction count of `cpu`, and
        // the context; handlers it calls get `cpu` and `memory` through `run_handler`.
        let code = unsafe {
            let enter: extern "C" fn(usize, *mut Context) -> u32 = std::mem::transmute(trampoline);
            enter(entry, &mut context)
        };
        if context.floats != 0 {
            let raised = float::leave(context.host_float_state);
            // SAFETY: native code has returned; `context.cpu` is the `&mut Cpu` passed in, which
            // nothing else uses until this function returns.
            unsafe { (*context.cpu).fcsr |= raised };
        }
        Some(match code {
            exit_code::JUMP => JitExit::Jump,
            exit_code::INTERPRET => JitExit::Interpret,
            exit_code::TRAP => JitExit::Trap(context.trap.expect("a trap exit stores its trap")),
            _ => std::panic::resume_unwind(context.panic.expect("a panic exit stores its payload")),
        })
    }
}
