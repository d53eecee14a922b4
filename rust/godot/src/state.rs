//! `SandboxState`: a Sandbox node's machine and monitors, shared (`Rc`) so a call can run
//! without any `bind()` of the node held — GDScript called by the guest may freely use the
//! same node again (nested vmcalls, monitors, properties).

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use godot::prelude::*;
use rvsandbox_vm::Program;
use thiserror::Error;

use crate::abi::Convention;
use crate::host::{GuestProperty, PublicFunction};
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

/// Everything about a node's program that changes while it runs.
#[derive(Default)]
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
}

impl SandboxState {
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
        let result = runtime::instantiate(program, settings);
        self.running.set(false);
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
        *self.machine.borrow_mut() = None;
        self.functions.borrow_mut().clear();
        self.properties.borrow_mut().clear();
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
        let result = f(&mut m);
        self.running.set(false);
        self.finish(&m);
        // A load during the call is refused, so the slot is still empty.
        *self.machine.borrow_mut() = Some(m);
        Ok(result)
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
        let outcome = self.with_machine(node, |m| {
            let (address, function) = match target {
                Target::Name(name) => (runtime::resolve(m, name), name),
                Target::Address(address, name) => (Some(address), name),
            };
            let Some(address) = address else {
                return Err(SandboxError::UnknownFunction(function.to_string()));
            };
            runtime::call(m, address, args, convention, budget)
                .map_err(|error| SandboxError::Call { function: function.to_string(), error })
        })?;
        self.update(|m| {
            m.calls_made += 1;
            match &outcome {
                Err(SandboxError::Call { error, .. }) if error.is_timeout() => m.timeouts += 1,
                Err(_) => m.exceptions += 1,
                Ok(_) => {}
            }
        });
        outcome
    }
}
