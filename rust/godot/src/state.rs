//! `SandboxState`: a Sandbox node's machine and monitors, shared (`Rc`) so a call can run
//! without any `bind()` of the node held — GDScript called by the guest may freely use the
//! same node again (nested vmcalls, monitors, properties).
//!
//! # The call path
//! `vmcall` is the hot path (a GDScript-to-guest call should cost about what a GDScript call
//! costs), so it touches neither gdext's instance binding nor the heap when it succeeds:
//! - the node's state is found by instance id in a per-thread registry ([`state_of`]), not with
//!   `bind()` (which, with `experimental-threads`, takes gdext's locks and a type check);
//! - the budget and the argument convention live here, copied from the node's properties by
//!   their setters;
//! - function names resolve by identity for the last few names called (the String's buffer
//!   or StringName's data pointer, read directly, see `abi/raw.rs`), else through a cache keyed
//!   by the name's characters;
//! - integer, float and bool arguments are read straight from the Variants (`abi/args.rs`),
//!   and such results built directly (`runtime.rs`);
//! - strings are only built for error messages.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::{Rc, Weak};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use godot::prelude::*;
use rvsandbox_vm::Program;
use thiserror::Error;

use crate::abi::{raw, Convention};
use crate::host::{GuestProperty, OutputBuffer, PublicFunction};
use crate::runtime::{self, LoadFailure, RunError, Settings, Vm};

/// How a guest function is named by the caller.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    Name(&'a str),
    /// An address, with a name for messages.
    Address(u64, &'a str),
}

/// Why a Sandbox operation failed; each becomes one engine error (and a `null` result).
#[derive(Debug, Clone, Error)]
pub enum SandboxError {
    #[error("the function must be given by name (String or StringName), got {got:?}")]
    FunctionNotAName { got: VariantType },
    #[error("no program is loaded")]
    NoProgram,
    #[error("the Sandbox is busy: its program is running and cannot be entered from here")]
    Busy,
    #[error("function '{0}' not found (not a symbol or public function of the program)")]
    UnknownFunction(String),
    #[error("'{function}' failed: {error}")]
    Call { function: String, error: RunError },
    #[error("cannot load the program: {0}")]
    Load(LoadFailure),
    #[error("{0}")]
    BadArgument(&'static str),
    #[error("cannot {0} while the program is running")]
    Running(&'static str),
    #[error("a Sandbox can only be used from the main thread")]
    NotMainThread,
}

/// Counters shown as the `monitor_*` properties.
#[derive(Debug, Clone, Copy, Default)]
pub struct Monitors {
    pub calls_made: u64,
    pub exceptions: u64,
    pub timeouts: u64,
    pub instructions: u64,
    pub scoped_references: u64,
    pub permanent_references: u64,
}

/// Counters over every Sandbox of the process (godot-sandbox's `get_global_*` statistics).
#[derive(Debug, Clone, Copy, Default)]
pub struct GlobalMonitors {
    /// Calls made, as `Monitors::calls_made` counts them.
    pub calls_made: u64,
    /// Calls that failed with an exception.
    pub exceptions: u64,
    /// Calls that ran out of instructions.
    pub timeouts: u64,
    /// Sandbox nodes alive.
    pub instances: u64,
    /// Time spent loading programs (running their `main()`), in seconds.
    pub startup_seconds: f64,
}

/// Process-wide counters (atomics: a Sandbox may be made or freed on any thread, though it
/// runs only on the main one): what the Sandboxes that are gone counted, the ones alive, and
/// all load times. The live ones' counts are summed when asked (see [`global_monitors`]), so
/// that the call path touches nothing global.
mod global {
    use std::sync::atomic::AtomicU64;

    pub static CALLS_MADE: AtomicU64 = AtomicU64::new(0);
    pub static EXCEPTIONS: AtomicU64 = AtomicU64::new(0);
    pub static TIMEOUTS: AtomicU64 = AtomicU64::new(0);
    pub static INSTANCES: AtomicU64 = AtomicU64::new(0);
    pub static STARTUP_NANOS: AtomicU64 = AtomicU64::new(0);
}

/// The counters of every Sandbox (those alive are the main thread's, where Sandboxes run).
pub fn global_monitors() -> GlobalMonitors {
    let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
    let mut total = GlobalMonitors {
        calls_made: load(&global::CALLS_MADE),
        exceptions: load(&global::EXCEPTIONS),
        timeouts: load(&global::TIMEOUTS),
        instances: load(&global::INSTANCES),
        startup_seconds: load(&global::STARTUP_NANOS) as f64 / 1e9,
    };
    STATES.with(|r| {
        for state in r.borrow().states.values().filter_map(Weak::upgrade) {
            let m = state.monitors.get();
            total.calls_made += m.calls_made;
            total.exceptions += m.exceptions;
            total.timeouts += m.timeouts;
        }
    });
    total
}

/// Everything about a node's program that changes while it runs.
pub struct SandboxState {
    /// The machine, when no call is running (a top-level call takes it out).
    machine: RefCell<Option<Box<Vm>>>,
    /// True while a top-level call (or `main`) runs.
    running: Cell<bool>,
    monitors: Cell<Monitors>,
    /// The loaded program (kept for `reset` and symbol lookups).
    program: RefCell<Option<Arc<Program>>>,
    /// Snapshot of what `main()` registered.
    functions: RefCell<Vec<PublicFunction>>,
    properties: RefCell<Vec<GuestProperty>>,
    /// Instructions per call (the node's `execution_timeout`, in instructions).
    budget: Cell<u64>,
    /// The node's `unboxed_arguments`, as a convention.
    convention: Cell<Convention>,
    /// Function name (its characters) → address, for calls by name; emptied when the program
    /// changes.
    addresses: RefCell<HashMap<Box<[char]>, u64, FxBuild>>,
    /// The names called most recently, by identity (see `raw::text_identity`): found without
    /// reading the text. Each holds its name Variant, which keeps the identity unique.
    recent: RefCell<[Option<RecentName>; RECENT_NAMES]>,
    /// The `recent` slot to replace next.
    recent_next: Cell<usize>,
    /// The guest's output on its way out (shared by every program the node loads, so that the
    /// game's output callback outlives them).
    output: Rc<RefCell<OutputBuffer>>,
}

/// A function name called recently, and its address.
struct RecentName {
    identity: (u32, u64),
    _name: Variant,
    address: u64,
}

const RECENT_NAMES: usize = 8;

impl Default for SandboxState {
    fn default() -> Self {
        global::INSTANCES.fetch_add(1, Ordering::Relaxed);
        SandboxState {
            machine: RefCell::default(),
            running: Cell::default(),
            monitors: Cell::default(),
            program: RefCell::default(),
            functions: RefCell::default(),
            properties: RefCell::default(),
            budget: Cell::new(u64::MAX),
            convention: Cell::new(Convention::Unboxed),
            addresses: RefCell::default(),
            recent: RefCell::default(),
            recent_next: Cell::new(0),
            output: Rc::default(),
        }
    }
}

impl Drop for SandboxState {
    fn drop(&mut self) {
        let m = self.monitors.get();
        global::CALLS_MADE.fetch_add(m.calls_made, Ordering::Relaxed);
        global::EXCEPTIONS.fetch_add(m.exceptions, Ordering::Relaxed);
        global::TIMEOUTS.fetch_add(m.timeouts, Ordering::Relaxed);
        // Saturating, so that a miscount could never wrap around to the largest number.
        let _ = global::INSTANCES.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| Some(n.saturating_sub(1)));
    }
}

/// At most this many names are cached per state (a script calling ever new names cannot grow
/// the cache without bound; it starts over instead).
const MAX_CACHED_NAMES: usize = 256;

impl SandboxState {
    /// The node's output (for `Settings::output`).
    pub fn output(&self) -> Rc<RefCell<OutputBuffer>> {
        self.output.clone()
    }

    /// Runs `f`, a use of the machine while the Sandbox node is bound by the calling method
    /// (loading a program, a property accessor): the game's output callback then gets its
    /// lines deferred, after the method returned (see `runtime::deliver_output`).
    pub fn while_node_bound<R>(&self, f: impl FnOnce() -> R) -> R {
        struct Unbind<'a>(&'a RefCell<OutputBuffer>, bool);
        impl Drop for Unbind<'_> {
            fn drop(&mut self) {
                self.0.borrow_mut().node_bound = self.1;
            }
        }
        let before = std::mem::replace(&mut self.output.borrow_mut().node_bound, true);
        let _unbind = Unbind(&self.output, before);
        f()
    }

    /// Sends the guest's output to `callback` (each line as a String), or, with `None`, to
    /// Godot's output again.
    pub fn redirect_output(&self, callback: Option<Callable>) {
        self.output.borrow_mut().redirect = callback;
    }

    /// Instructions per call.
    pub fn budget(&self) -> u64 {
        self.budget.get()
    }

    pub fn set_budget(&self, budget: u64) {
        self.budget.set(budget);
    }

    /// The convention `vmcall` uses.
    pub fn convention(&self) -> Convention {
        self.convention.get()
    }

    pub fn set_convention(&self, convention: Convention) {
        self.convention.set(convention);
    }

    pub fn monitors(&self) -> Monitors {
        self.monitors.get()
    }

    fn update(&self, f: impl FnOnce(&mut Monitors)) {
        let mut m = self.monitors.get();
        f(&mut m);
        self.monitors.set(m);
    }

    pub fn is_running(&self) -> bool {
        self.running.get()
    }

    pub fn is_loaded(&self) -> bool {
        self.machine.borrow().is_some() || self.running.get()
    }

    pub fn program(&self) -> Option<Arc<Program>> {
        self.program.borrow().clone()
    }

    pub fn functions(&self) -> Vec<PublicFunction> {
        self.functions.borrow().clone()
    }

    pub fn properties(&self) -> Vec<GuestProperty> {
        self.properties.borrow().clone()
    }

    pub fn property(&self, name: &str) -> Option<GuestProperty> {
        self.properties.borrow().iter().find(|p| p.name == name).cloned()
    }

    /// The address `name` resolves to (a registered public function first, then a symbol).
    pub fn address_of(&self, name: &str) -> Option<u64> {
        let registered = self.functions.borrow().iter().find(|f| f.name == name).map(|f| f.address);
        registered.or_else(|| self.program.borrow().as_ref().and_then(|p| p.address_of(name)))
    }

    /// Builds a machine for `program` and runs its `main()`, replacing the current one.
    pub fn load(&self, program: Arc<Program>, settings: &Settings) -> Result<(), SandboxError> {
        if self.running.get() {
            return Err(SandboxError::Running("load a program"));
        }
        self.unload();
        *self.program.borrow_mut() = Some(program.clone());
        self.running.set(true);
        // Not left "running" by a panic (caught further up), as in `with_machine`.
        let started = std::time::Instant::now();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| runtime::instantiate(program, settings)));
        let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        global::STARTUP_NANOS.fetch_add(nanos, Ordering::Relaxed);
        self.running.set(false);
        let result = result.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        match result {
            Ok(m) => {
                *self.functions.borrow_mut() = m.data.functions.clone();
                *self.properties.borrow_mut() = m.data.properties.clone();
                self.finish(&m);
                *self.machine.borrow_mut() = Some(m);
                Ok(())
            }
            Err(e) => {
                self.update(|m| match &e {
                    LoadFailure::Startup(run) if run.is_timeout() => m.timeouts += 1,
                    _ => m.exceptions += 1,
                });
                Err(SandboxError::Load(e))
            }
        }
    }

    /// Drops the machine (the program stays known for `reset`).
    pub fn unload(&self) {
        let machine = self.machine.borrow_mut().take();
        if let Some(m) = machine {
            crate::host_calls::free_timers(&m.data.timers);
        }
        self.forget_names();
        self.functions.borrow_mut().clear();
        self.properties.borrow_mut().clear();
    }

    /// Empties the name caches (the program changed).
    fn forget_names(&self) {
        self.addresses.borrow_mut().clear();
        *self.recent.borrow_mut() = Default::default();
    }

    fn finish(&self, m: &Vm) {
        self.update(|mon| {
            mon.instructions = m.instruction_count();
            mon.scoped_references = m.data.refs.live_scoped() as u64;
            mon.permanent_references = m.data.refs.live_permanent() as u64;
        });
    }

    /// Runs `f` on the machine: the suspended one if this node's program is inside a host call
    /// (a nested call), else the idle one (taken out of the node for the duration).
    pub fn with_machine<R>(&self, node: InstanceId, f: impl FnOnce(&mut Vm) -> R) -> Result<R, SandboxError> {
        let mut f = Some(f);
        if let Some(Some(result)) = runtime::with_active(node, |m| f.take().map(|f| f(m))) {
            return Ok(result);
        }
        let Some(f) = f else { return Err(SandboxError::Busy) };
        let taken = self.machine.borrow_mut().take();
        let Some(mut m) = taken else {
            return Err(if self.running.get() { SandboxError::Busy } else { SandboxError::NoProgram });
        };
        self.running.set(true);
        // The machine goes back on every exit: a panic (caught further up, e.g. by the vararg
        // trampoline) must not leave the node busy forever with its machine gone.
        // `runtime::call` undoes its call level on unwinding too.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&mut m)));
        self.running.set(false);
        self.finish(&m);
        // A load during the call is refused, so the slot is still empty.
        *self.machine.borrow_mut() = Some(m);
        match result {
            Ok(result) => Ok(result),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }

    /// Calls a guest function with Godot arguments.
    pub fn call(
        &self,
        node: InstanceId,
        target: Target,
        args: &[&Variant],
        convention: Convention,
        budget: u64,
    ) -> Result<Variant, SandboxError> {
        match target {
            Target::Name(name) => {
                let address = self.resolve(name)?;
                self.call_address(node, address, || name.to_string(), args, convention, budget)
            }
            Target::Address(address, name) => {
                self.call_address(node, address, || name.to_string(), args, convention, budget)
            }
        }
    }

    /// `vmcall`: calls the function named by `function` (a String or StringName) with the
    /// node's budget, and its convention unless `convention` says otherwise.
    pub fn call_named(
        &self,
        node: InstanceId,
        function: &Variant,
        args: &[&Variant],
        convention: Option<Convention>,
    ) -> Result<Variant, SandboxError> {
        let convention = convention.unwrap_or(self.convention.get());
        let identity = raw::text_identity(function);
        if let Some(identity) = identity {
            let recent = self.recent.borrow().iter().flatten().find(|r| r.identity == identity).map(|r| r.address);
            if let Some(address) = recent {
                let name = || FunctionName::of(function).map(|n| n.to_string()).unwrap_or_default();
                return self.call_address(node, address, name, args, convention, self.budget.get());
            }
        }
        let name = FunctionName::of(function)?;
        let cached = self.addresses.borrow().get(name.chars()).copied();
        let address = match cached {
            Some(address) => address,
            None => {
                let address = self.resolve(&name.to_string())?;
                let mut cache = self.addresses.borrow_mut();
                if cache.len() >= MAX_CACHED_NAMES {
                    cache.clear();
                }
                cache.insert(name.chars().into(), address);
                address
            }
        };
        if let Some(identity) = identity {
            let slot = self.recent_next.get();
            self.recent.borrow_mut()[slot] = Some(RecentName { identity, _name: function.clone(), address });
            self.recent_next.set((slot + 1) % RECENT_NAMES);
        }
        self.call_address(node, address, || name.to_string(), args, convention, self.budget.get())
    }

    /// Calls the guest function at `address`; `name` names it in error messages.
    fn call_address(
        &self,
        node: InstanceId,
        address: u64,
        name: impl FnOnce() -> String,
        args: &[&Variant],
        convention: Convention,
        budget: u64,
    ) -> Result<Variant, SandboxError> {
        let outcome = self.with_machine(node, |m| runtime::call(m, address, args, convention, budget))?;
        let mut monitors = self.monitors.get();
        monitors.calls_made += 1;
        match outcome {
            Ok(value) => {
                self.monitors.set(monitors);
                Ok(value)
            }
            Err(error) => {
                if error.is_timeout() {
                    monitors.timeouts += 1;
                } else {
                    monitors.exceptions += 1;
                }
                self.monitors.set(monitors);
                Err(SandboxError::Call { function: name(), error })
            }
        }
    }

    /// The address of the function `name` for a call; an unknown function counts as a failed
    /// call.
    fn resolve(&self, name: &str) -> Result<u64, SandboxError> {
        if let Some(address) = self.address_of(name) {
            return Ok(address);
        }
        if !self.is_loaded() {
            return Err(SandboxError::NoProgram);
        }
        self.update(|m| {
            m.calls_made += 1;
            m.exceptions += 1;
        });
        Err(SandboxError::UnknownFunction(name.to_string()))
    }
}

/// A function name as `vmcall` receives it.
enum FunctionName {
    String(GString),
    StringName(StringName),
}

impl FunctionName {
    fn of(function: &Variant) -> Result<FunctionName, SandboxError> {
        match function.get_type() {
            VariantType::STRING => Ok(FunctionName::String(function.to())),
            VariantType::STRING_NAME => Ok(FunctionName::StringName(function.to())),
            got => Err(SandboxError::FunctionNotAName { got }),
        }
    }

    fn chars(&self) -> &[char] {
        match self {
            FunctionName::String(s) => s.chars(),
            FunctionName::StringName(s) => s.chars(),
        }
    }
}

impl std::fmt::Display for FunctionName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FunctionName::String(s) => s.fmt(f),
            FunctionName::StringName(s) => s.fmt(f),
        }
    }
}

/// FxHash (rustc's hasher): a multiply and a rotate per word; names are short and chosen by
/// the game's own scripts, so collision attacks are not a concern.
#[derive(Default)]
pub struct FxHasher(u64);

type FxBuild = BuildHasherDefault<FxHasher>;

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(n as u64);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

thread_local! {
    /// Each Sandbox node's state by instance id, for the call path (see the module docs).
    /// Weak: a freed node's state goes with it; its entry is pruned when the map grows.
    static STATES: RefCell<StateRegistry> = RefCell::new(StateRegistry::default());
}

#[derive(Default)]
struct StateRegistry {
    states: HashMap<InstanceId, Weak<SandboxState>, FxBuild>,
    prune_at: usize,
}

/// The state of the Sandbox node `node`: from this thread's registry, else from `get` (which
/// binds the node), then remembered. Instance ids are never reused while Godot runs, and a
/// node's state is made with it and never replaced, so an entry cannot name another node's
/// state.
pub fn state_of(node: InstanceId, get: impl FnOnce() -> Rc<SandboxState>) -> Rc<SandboxState> {
    let found = STATES.with(|r| r.borrow().states.get(&node).and_then(Weak::upgrade));
    if let Some(state) = found {
        return state;
    }
    let state = get();
    register(node, &state);
    state
}

/// Records `state` as the state of the Sandbox node `node` on this thread (done when the node
/// loads a program, so even the first call need not bind it).
pub fn register(node: InstanceId, state: &Rc<SandboxState>) {
    STATES.with(|r| {
        let mut r = r.borrow_mut();
        if r.states.len() >= r.prune_at {
            r.states.retain(|_, s| s.strong_count() > 0);
            r.prune_at = (r.states.len() * 2).max(64);
        }
        r.states.insert(node, Rc::downgrade(state));
    });
}
