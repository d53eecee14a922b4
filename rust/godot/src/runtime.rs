//! Running the guest: building a machine for a program (and running its `main`), calling guest
//! functions with Godot arguments, and re-entering a machine that is suspended in a host call.
//!
//! # Call frames
//! The argument Variants of a call live in a small reserved area at the very bottom of the
//! guest's stack reservation, one frame per call level, so they never collide with the stack
//! frames of the (possibly suspended) guest code above them. A guest would have to overflow
//! its whole stack to reach them, and then it only corrupts its own call.
//!
//! # Re-entrancy
//! While a host call runs Godot code that may call back into the same Sandbox (a GDScript
//! method, a property setter, a signal), or the game's output callback runs
//! ([`deliver_output`]), the machine is published with [`with_reentry`]. A
//! `vmcall` arriving meanwhile finds it with [`with_active`] and runs as a nested call
//! (the core turns it into `preempt`, which restores the interrupted guest's registers).

use std::cell::RefCell;
use std::ptr::NonNull;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use godot::prelude::*;
use rvsandbox_vm::{reg, Error as VmError, HostError, Machine, Options, Program, RunOutcome, PAGE_SIZE};
use thiserror::Error;

use crate::abi::args::{self, frame_size, CallFrame, MAX_ARGUMENTS};
use crate::abi::raw::{self, Scalar};
use crate::abi::refs::MAX_CALL_LEVELS;
use crate::abi::{AbiError, Convention, GuestVariant};
use crate::host::{print_ready, Host, OutputBuffer};
use crate::host_calls;

/// A machine with this crate's host data.
pub type Vm = Machine<Host>;

/// Stack reserved for the guest (godot-sandbox's `GUEST_STACK_SIZE`).
const STACK_SIZE: u64 = 2 << 20;
/// Bytes per call frame (16 arguments and the return Variant fit).
const FRAME_STRIDE: u64 = 512;
/// The frame area: one frame per call level.
const FRAME_AREA: u64 = FRAME_STRIDE * MAX_CALL_LEVELS as u64;

/// What a new machine is built with.
pub struct Settings {
    pub memory_max_mib: u64,
    /// Instructions per call (and for `main`); 0 = practically unlimited.
    pub budget: u64,
    pub references_max: usize,
    /// What host calls may build for the guest in one call, in bytes.
    pub host_memory_max: u64,
    /// Native heap chunks the guest may hold at once.
    pub heap_allocations_max: usize,
    pub node: InstanceId,
    /// The node's output, shared by every program it loads.
    pub output: Rc<RefCell<OutputBuffer>>,
}

/// How a guest run failed.
#[derive(Debug, Clone, Error)]
pub enum RunError {
    /// The instruction budget ran out.
    #[error("execution timeout: the budget of {budget} instructions ran out at {location}")]
    Timeout { budget: u64, location: String },
    /// The guest faulted, or a host call refused it.
    #[error("{reason} at {location}")]
    Exception { reason: String, location: String },
    /// The call could not be set up.
    #[error("{0}")]
    Setup(String),
    /// Too many guest executions are suspended on this thread (see `check_nesting`).
    #[error("too many guest calls in progress on this thread ({0} suspended in calls out to Godot, across Sandboxes)")]
    TooManySuspended(usize),
}

impl RunError {
    pub fn is_timeout(&self) -> bool {
        matches!(self, RunError::Timeout { .. })
    }
}

/// Why a program could not be loaded.
#[derive(Debug, Clone, Error)]
pub enum LoadFailure {
    #[error("invalid program: {0}")]
    Invalid(String),
    #[error("main() failed: {0}")]
    Startup(RunError),
}

/// Whether machines made from now on compile hot code to native code
/// (`Sandbox.set_jit_enabled`).
static NATIVE_CODE: AtomicBool = AtomicBool::new(true);

/// Turns native code on or off for the machines made from now on (on by default).
pub fn set_native_code(enabled: bool) {
    NATIVE_CODE.store(enabled, Ordering::Relaxed);
}

/// Whether machines made from now on compile hot code to native code (where the host can run
/// it: see [`rvsandbox_vm::native_code_supported`]).
pub fn native_code() -> bool {
    NATIVE_CODE.load(Ordering::Relaxed) && rvsandbox_vm::native_code_supported()
}

/// Builds a machine for `program` and runs `main()` until it stops or exits.
pub fn instantiate(program: Arc<Program>, settings: &Settings) -> Result<Box<Vm>, LoadFailure> {
    check_nesting().map_err(LoadFailure::Startup)?;
    let memory_max = settings.memory_max_mib.clamp(1, 1 << 16) << 20;
    let options = Options {
        memory_max,
        stack_size: STACK_SIZE,
        argv: vec!["program".into()],
        env: ["LC_CTYPE=C", "LC_ALL=C", "TZ=UTC", "LD_LIBRARY_PATH="].map(String::from).to_vec(),
        call_instruction_limit: settings.budget,
        compile_after: native_code().then_some(rvsandbox_vm::DEFAULT_COMPILE_AFTER),
        heap_allocations_max: settings.heap_allocations_max,
    };
    // Saturating: a memory too small for the stack is refused by `Machine::from_program`.
    let stack_bottom = memory_max.saturating_sub(STACK_SIZE.div_ceil(PAGE_SIZE) * PAGE_SIZE);
    let host = Host::new(
        settings.node,
        settings.references_max,
        settings.host_memory_max,
        stack_bottom,
        settings.output.clone(),
    );
    let mut m = Machine::from_program(program, options, host).map_err(|e| LoadFailure::Invalid(e.to_string()))?;
    let output = m.data.output.clone();
    m.set_output(move |fd, bytes| {
        let cost = output.borrow_mut().write(fd, bytes);
        print_ready(&output);
        cost
    });
    host_calls::install(&mut m);
    m.data.malloc = m.address_of("malloc");
    m.data.free = m.address_of("free");

    m.data.initializing = true;
    m.data.depth += 1;
    let result = m.run(settings.budget);
    m.data.depth -= 1;
    m.data.initializing = false;
    deliver_output(&mut m);
    match result {
        Ok(RunOutcome::Exited(_)) | Ok(RunOutcome::Stopped) => Ok(Box::new(m)),
        Err(e) => Err(LoadFailure::Startup(run_error(&m, &e))),
    }
}

/// Calls the guest function at `addr` with Godot arguments and returns its Variant result.
/// Works both from the outside (a top-level call with its own budget) and from inside a host
/// call (a nested call within what is left of the current budget).
pub fn call(
    m: &mut Vm,
    addr: u64,
    args: &[&Variant],
    convention: Convention,
    budget: u64,
) -> Result<Variant, RunError> {
    if args.len() > MAX_ARGUMENTS {
        return Err(RunError::Setup(AbiError::TooManyArguments { max: MAX_ARGUMENTS, got: args.len() }.to_string()));
    }
    check_nesting()?;
    m.data.refs.enter().map_err(|e| RunError::Setup(e.to_string()))?;
    // Undone on every exit, unwinding included: a panic caught further up (a nested vmcall's
    // trampoline returns to the GDScript that made it, which returns to the suspended host
    // call) must not leave this machine a level up, or a later top-level call looking nested.
    struct Level<'a> {
        m: &'a mut Vm,
        convention: Convention,
        depth: u32,
    }
    impl Drop for Level<'_> {
        fn drop(&mut self) {
            self.m.data.convention = self.convention;
            self.m.data.depth = self.depth;
            self.m.data.refs.leave();
        }
    }
    let saved_convention = std::mem::replace(&mut m.data.convention, convention);
    let level = Level { convention: saved_convention, depth: m.data.depth, m };
    let result = call_at_level(level.m, addr, args, convention, budget);
    drop(level);
    if m.data.depth == 0 {
        deliver_output(m);
    }
    result
}

fn call_at_level(
    m: &mut Vm,
    addr: u64,
    args: &[&Variant],
    convention: Convention,
    budget: u64,
) -> Result<Variant, RunError> {
    let level = m.data.refs.level() as u64;
    let frame = m.data.frame_base + (level - 1) * FRAME_STRIDE;
    debug_assert!(frame_size(MAX_ARGUMENTS) <= FRAME_STRIDE && level * FRAME_STRIDE <= FRAME_AREA);
    let mut laid_out = CallFrame::default();
    args::lay_out(&mut m.memory, &mut m.data.refs, frame, args, convention, &mut laid_out)
        .map_err(|e| RunError::Setup(format!("cannot pass the arguments: {e}")))?;

    let nested = m.data.depth > 0;
    m.data.depth += 1;
    let run = if nested {
        if laid_out.stack_slots().is_empty() {
            m.preempt(addr, laid_out.registers()).map(|_| false)
        } else {
            // Boxed arguments past a7: the core puts integer words beyond a0-a7 on the stack,
            // at the callee's sp, as the RISC-V calling convention does.
            let slots = laid_out.stack_slots().iter().map(|&slot| rvsandbox_vm::Arg::Int(slot as i64));
            let all: Vec<rvsandbox_vm::Arg> = laid_out.registers().iter().copied().chain(slots).collect();
            m.preempt(addr, &all).map(|_| false)
        }
    } else {
        m.data.host_memory.start_call();
        let run = run_top_level(m, addr, laid_out.registers(), laid_out.stack_slots(), budget);
        m.data.refs.measure_made_in_call();
        run
    };
    m.data.depth -= 1;
    match run {
        Ok(false) => {}
        Ok(true) => return Err(RunError::Timeout { budget, location: m.location(m.cpu.pc).to_string() }),
        Err(e) => return Err(run_error(m, &e)),
    }
    GuestVariant::read(&m.memory, laid_out.ret).and_then(|v| result_variant(&v, &m.data.refs)).map_err(|e| {
        RunError::Exception { reason: format!("invalid return value: {e}"), location: format!("{addr:#x}") }
    })
}

/// The Godot Variant for a guest's return value; bools, ints and floats are built directly
/// (see `abi/raw.rs`).
fn result_variant(v: &GuestVariant, refs: &crate::abi::Refs) -> Result<Variant, AbiError> {
    let word = || u64::from_le_bytes(v.payload[..8].try_into().expect("8 bytes"));
    let scalar = match v.ty {
        t if t == VariantType::BOOL.ord() as u32 => Some(Scalar::Bool(v.payload[0] != 0)),
        t if t == VariantType::INT.ord() as u32 => Some(Scalar::Int(word() as i64)),
        t if t == VariantType::FLOAT.ord() as u32 => Some(Scalar::Float(f64::from_bits(word()))),
        _ => None,
    };
    match scalar.and_then(raw::make) {
        Some(value) => Ok(value),
        None => v.to_variant(refs),
    }
}

/// Runs a call from the outside; `Ok(true)` if the budget ran out.
fn run_top_level(
    m: &mut Vm,
    addr: u64,
    registers: &[rvsandbox_vm::Arg],
    stack_slots: &[u64],
    budget: u64,
) -> Result<bool, VmError> {
    m.setup_call(addr, registers)?;
    if !stack_slots.is_empty() {
        let sp = (m.cpu.reg(reg::SP) - 8 * stack_slots.len() as u64) & !15;
        for (i, slot) in stack_slots.iter().enumerate() {
            m.memory.write_u64(sp + 8 * i as u64, *slot).map_err(|fault| VmError::Memory { fault, pc: addr })?;
        }
        m.cpu.set_reg(reg::SP, sp);
    }
    m.simulate(budget)?;
    Ok(m.instruction_limit_reached())
}

/// Describes a core error with the guest location it happened at.
pub fn run_error(m: &Vm, e: &VmError) -> RunError {
    let location = |pc: u64| m.location(pc).to_string();
    match e {
        VmError::InstructionLimit { limit, pc } => RunError::Timeout { budget: *limit, location: location(*pc) },
        VmError::HostCall { error: HostError::Nested(inner), .. }
            if matches!(**inner, VmError::InstructionLimit { .. }) =>
        {
            run_error(m, inner)
        }
        VmError::Memory { fault, pc } => RunError::Exception { reason: fault.to_string(), location: location(*pc) },
        VmError::IllegalInstruction { raw, pc } => {
            RunError::Exception { reason: format!("illegal instruction {raw:#010x}"), location: location(*pc) }
        }
        VmError::Breakpoint { pc } => {
            RunError::Exception { reason: "breakpoint (ebreak)".into(), location: location(*pc) }
        }
        VmError::HostCall { number, pc, error } => RunError::Exception {
            reason: format!("host call {} ({}) failed: {error}", number, host_calls::name(*number)),
            location: location(*pc),
        },
        other => RunError::Exception { reason: other.to_string(), location: location(m.cpu.pc) },
    }
}

/// The address of a callable guest function: a registered public function first, then any
/// ELF symbol.
pub fn resolve(m: &Vm, name: &str) -> Option<u64> {
    m.data.function(name).map(|f| f.address).or_else(|| m.address_of(name))
}

// ---------------------------------------------------------------------------------------------
// Re-entry.

/// A machine suspended in a host call, published for nested calls. `None` while a nested call
/// is using it.
type Published = (InstanceId, Option<NonNull<Vm>>);

thread_local! {
    static ACTIVE: RefCell<Vec<Published>> = const { RefCell::new(Vec::new()) };
}

/// The most guest executions that may be suspended in calls out to Godot on one thread at
/// once, across every Sandbox. Each holds a chain of native frames (tens of KiB in a debug
/// build): Sandboxes calling one another through GDScript, each within its own limit of nested
/// calls, would otherwise overflow the thread's stack.
const MAX_SUSPENDED_EXECUTIONS: usize = 64;

/// Guest executions suspended in calls out to Godot ([`with_reentry`]). Process-wide, not per
/// thread, so that the call path reads it without a thread-local access; Sandboxes run on the
/// main thread only, so it counts that thread's.
static SUSPENDED: AtomicUsize = AtomicUsize::new(0);

/// Refuses to start another guest execution when [`MAX_SUSPENDED_EXECUTIONS`] are suspended.
fn check_nesting() -> Result<(), RunError> {
    let suspended = SUSPENDED.load(Ordering::Relaxed);
    if suspended >= MAX_SUSPENDED_EXECUTIONS {
        return Err(RunError::TooManySuspended(suspended));
    }
    Ok(())
}

/// Hands the guest's waiting output over: printed, or passed to the game's callback
/// (`Sandbox.set_redirect_stdout`), a pending partial line included. The callback runs GDScript,
/// so the machine is published for re-entry, and the output is not borrowed meanwhile (the
/// callback may call the guest, which may print again). While the node is bound (loading, a
/// property accessor) the callback gets its lines deferred, once the binding method returned.
pub fn deliver_output(m: &mut Vm) {
    if m.data.output.borrow().is_empty() {
        return;
    }
    m.data.output.borrow_mut().flush();
    print_ready(&m.data.output);
    let ready = m.data.output.borrow_mut().take();
    let Some(callback) = ready.redirect else { return };
    if ready.node_bound {
        for (_, line) in ready.lines {
            callback.call_deferred(&[line.to_variant()]);
        }
        return;
    }
    with_reentry(m, || {
        for (_, line) in ready.lines {
            callback.call(&[line.to_variant()]);
        }
    });
}

/// Runs `f` (a call out to Godot) with `m` published for nested vmcalls on the same node.
/// `m` stays exclusively borrowed by this function for the duration, so the caller cannot use
/// it meanwhile; only a nested call, through [`with_active`], can.
pub fn with_reentry<R>(m: &mut Vm, f: impl FnOnce() -> R) -> R {
    struct Unpublish;
    impl Drop for Unpublish {
        fn drop(&mut self) {
            ACTIVE.with(|a| a.borrow_mut().pop());
            SUSPENDED.fetch_sub(1, Ordering::Relaxed);
        }
    }
    let entry = (m.data.node, Some(NonNull::from(m)));
    ACTIVE.with(|a| a.borrow_mut().push(entry));
    SUSPENDED.fetch_add(1, Ordering::Relaxed);
    let _unpublish = Unpublish;
    f()
}

/// Runs `f` on the machine of `node` if it is suspended in a host call on this thread (see
/// [`with_reentry`]). `None` if there is none, or if it is already in use by a nested call.
pub fn with_active<R>(node: InstanceId, f: impl FnOnce(&mut Vm) -> R) -> Option<R> {
    let (index, ptr) = ACTIVE.with(|a| {
        let mut a = a.borrow_mut();
        let (index, entry) = a.iter_mut().enumerate().rev().find(|(_, e)| e.0 == node)?;
        entry.1.take().map(|p| (index, p))
    })?;
    struct Restore(usize, NonNull<Vm>);
    impl Drop for Restore {
        fn drop(&mut self) {
            ACTIVE.with(|a| {
                if let Some(entry) = a.borrow_mut().get_mut(self.0) {
                    entry.1 = Some(self.1);
                }
            });
        }
    }
    let _restore = Restore(index, ptr);
    let mut ptr = ptr;
    // SAFETY: `ptr` was made by `with_reentry` from the `&mut Vm` its caller passed, which
    // `with_reentry` keeps exclusively borrowed (unused) until `f` there returns, and which
    // removes the entry before returning; so the machine is alive and nobody else uses it
    // while this reference exists. The entry is marked taken (`None`) while we hold the
    // reference, so no second `&mut` can be made from it; entries live in a thread-local, so
    // only this thread (Godot's, which runs the handler) can reach them. The reference does
    // not outlive this call.
    let m = unsafe { ptr.as_mut() };
    Some(f(m))
}
