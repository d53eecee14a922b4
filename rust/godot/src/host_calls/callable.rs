//! Guest functions as Godot Callables: CALLABLE_CREATE (538), and the `GuestCallable` behind
//! it (also used by `Sandbox.vmcallable` / `vmcallable_address`).
//!
//! A `GuestCallable` names its Sandbox by instance id (it never keeps the node alive) and the
//! function by guest address, which means something only in the program it was made for: once
//! the Sandbox loads another program, the Callable refuses to run (it would call whatever
//! the new program has at that address). Bound arguments are Godot Variants, which may not leave the main
//! thread, so they are kept in a main-thread table keyed by the callable's id; a Callable
//! invoked from another thread reports an error instead of touching them.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::thread::ThreadId;

use godot::builtin::RustCallable;
use godot::global::godot_error;
use godot::prelude::*;

use super::{check_function, read_variant, HostResult};
use crate::abi::Convention;
use crate::runtime::Vm;
use crate::sandbox::{Sandbox, Target};
use rvsandbox_vm::Program;

/// CALLABLE_CREATE flag: call the function with the boxed convention.
const FLAG_VARIANT_ARGS: u64 = 1;

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// Bound arguments of live callables created on this thread.
    static BOUND: RefCell<HashMap<u64, Vec<Variant>>> = RefCell::new(HashMap::new());
}

/// A guest function as a Godot Callable.
pub struct GuestCallable {
    id: u64,
    sandbox: InstanceId,
    /// The program `address` belongs to. (A `Weak` keeps its allocation, so no later program
    /// can have the same address while the Callable lives.)
    program: Weak<Program>,
    address: u64,
    convention: Convention,
    name: String,
    thread: ThreadId,
}

impl GuestCallable {
    /// A Callable calling the function at `address` of `sandbox`'s program, with `bound`
    /// arguments before the call-time ones.
    pub fn create(
        sandbox: InstanceId,
        program: &Arc<Program>,
        address: u64,
        convention: Convention,
        name: String,
        bound: Vec<Variant>,
    ) -> Callable {
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        if !bound.is_empty() {
            BOUND.with(|b| b.borrow_mut().insert(id, bound));
        }
        Callable::from_custom(GuestCallable {
            id,
            sandbox,
            program: Arc::downgrade(program),
            address,
            convention,
            name,
            thread: std::thread::current().id(),
        })
    }
}

impl Drop for GuestCallable {
    fn drop(&mut self) {
        // On another thread the table is not ours; the entry (if any) stays until exit.
        if std::thread::current().id() == self.thread {
            let _ = BOUND.try_with(|b| b.borrow_mut().remove(&self.id));
        }
    }
}

impl PartialEq for GuestCallable {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Hash for GuestCallable {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

impl fmt::Display for GuestCallable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sandbox::{}", self.name)
    }
}

impl RustCallable for GuestCallable {
    fn invoke(&mut self, args: &[&Variant]) -> Variant {
        if std::thread::current().id() != self.thread {
            godot_error!("{self}: a guest Callable must be called on the thread that created it");
            return Variant::nil();
        }
        let Ok(sandbox) = Gd::<Sandbox>::try_from_instance_id(self.sandbox) else {
            godot_error!("{self}: the Sandbox no longer exists");
            return Variant::nil();
        };
        if !self.made_for(&sandbox) {
            godot_error!("{self}: the Sandbox has loaded another program since this Callable was made");
            return Variant::nil();
        }
        let bound = BOUND.with(|b| b.borrow().get(&self.id).cloned()).unwrap_or_default();
        let all: Vec<&Variant> = bound.iter().chain(args.iter().copied()).collect();
        match Sandbox::call_guest(&sandbox, Target::Address(self.address, &self.name), &all, Some(self.convention)) {
            Ok(value) => value,
            Err(e) => {
                godot_error!("{self}: {e}");
                Variant::nil()
            }
        }
    }

    // Valid while the Sandbox exists, whatever it runs: an invalid Callable is refused by
    // Godot with an error that does not say why, while `invoke` does.
    fn is_valid(&self) -> bool {
        Gd::<Sandbox>::try_from_instance_id(self.sandbox).is_ok()
    }
}

impl GuestCallable {
    /// Whether `sandbox` still runs the program this Callable was made for.
    fn made_for(&self, sandbox: &Gd<Sandbox>) -> bool {
        Sandbox::program_of(sandbox).is_some_and(|program| Arc::as_ptr(&program) == self.program.as_ptr())
    }
}

/// The guest function at `address` by name, for messages: its symbol, or the address.
pub fn function_name(m: &Vm, address: u64) -> String {
    match m.symbol_at(address) {
        Some((symbol, 0)) => symbol.to_string(),
        _ => format!("{address:#x}"),
    }
}

/// 538 CALLABLE_CREATE: a0 = function address (0 = an empty Callable), a1 = bound argument
/// Variant (NIL = none), a2 = reserved, a3 = flags (bit 0: boxed convention). a0 = index of the
/// new Callable.
pub fn callable_create(m: &mut Vm) -> HostResult {
    let (address, bound_addr, flags) = (m.sysarg(0), m.sysarg(1), m.sysarg(3));
    let callable = if address == 0 {
        Callable::invalid()
    } else {
        check_function(m, address)?;
        let bound = if bound_addr == 0 { Variant::nil() } else { read_variant(m, bound_addr)? };
        let bound = if bound.is_nil() { Vec::new() } else { vec![bound] };
        let convention = if flags & FLAG_VARIANT_ARGS != 0 { Convention::Boxed } else { Convention::Unboxed };
        GuestCallable::create(m.data.node, m.program(), address, convention, function_name(m, address), bound)
    };
    let index = m.data.refs.add(callable.to_variant())?;
    m.set_result(index as u32 as u64);
    Ok(())
}

/// How deeply guest-made signal connections may call into each other on one thread.
const MAX_CONNECTION_DEPTH: u32 = 8;
/// How many guest-made connections one outermost call of one may lead to: connections that
/// re-emit each other's signals multiply (four objects connected in a ring of re-emitting
/// methods make tens of thousands of calls within the depth limit).
const MAX_CONNECTION_CALLS: u32 = 256;

/// Guest-made connections being called on this thread: how deep, how many since the
/// outermost one began, and whether that outermost one has been reported.
#[derive(Clone, Copy, Default)]
struct ConnectionCalls {
    depth: u32,
    calls: u32,
    reported: bool,
}

thread_local! {
    static CONNECTION_CALLS: std::cell::Cell<ConnectionCalls> = const {
        std::cell::Cell::new(ConnectionCalls { depth: 0, calls: 0, reported: false })
    };
}

/// A game object's method that a guest connected to a signal, called through a nesting guard.
/// A connection whose method emits the same signal again (`visibility_changed` to `show` and
/// `hide`, `changed` to `emit_changed`), directly or around a cycle of connections, would
/// otherwise recurse inside Godot until the game's stack overflows.
pub struct ConnectedMethod {
    object: InstanceId,
    method: StringName,
}

impl ConnectedMethod {
    /// `callable`, if it is a Callable of an object's method, as one called through the guard;
    /// other Callables (the guest's own functions, which have a nesting limit of their own) as
    /// they are.
    pub fn guard(callable: Callable) -> Callable {
        if callable.is_custom() {
            // (`guard_connection` refuses a custom Callable of an object's method.)
            return callable;
        }
        match (callable.object_id(), callable.method_name()) {
            (Some(object), Some(method)) => Callable::from_custom(ConnectedMethod { object, method }),
            _ => callable,
        }
    }
}

impl PartialEq for ConnectedMethod {
    fn eq(&self, other: &Self) -> bool {
        self.object == other.object && self.method == other.method
    }
}

impl Hash for ConnectedMethod {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.object.hash(state);
        self.method.to_string().hash(state);
    }
}

impl fmt::Display for ConnectedMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}::{} (connected by a guest)", self.object, self.method)
    }
}

impl RustCallable for ConnectedMethod {
    fn invoke(&mut self, args: &[&Variant]) -> Variant {
        let Ok(mut object) = Gd::<Object>::try_from_instance_id(self.object) else {
            return Variant::nil();
        };
        let mut state = CONNECTION_CALLS.with(|cell| cell.get());
        if state.depth == 0 {
            state = ConnectionCalls::default();
        }
        state.calls += 1;
        if state.depth >= MAX_CONNECTION_DEPTH || state.calls > MAX_CONNECTION_CALLS {
            if !state.reported {
                godot_error!(
                    "{self}: connections made by guests nested {MAX_CONNECTION_DEPTH} deep or made {MAX_CONNECTION_CALLS} calls (one re-emits its own signal?)"
                );
                state.reported = true;
            }
            CONNECTION_CALLS.with(|cell| cell.set(state));
            return Variant::nil();
        }
        struct Leave;
        impl Drop for Leave {
            fn drop(&mut self) {
                CONNECTION_CALLS.with(|cell| {
                    let mut state = cell.get();
                    state.depth = state.depth.saturating_sub(1);
                    cell.set(state);
                });
            }
        }
        state.depth += 1;
        CONNECTION_CALLS.with(|cell| cell.set(state));
        let _leave = Leave;
        let args: Vec<Variant> = args.iter().map(|arg| (*arg).clone()).collect();
        match object.try_call(&self.method, &args) {
            Ok(value) => value,
            Err(error) => {
                godot_error!("{self}: {error}");
                Variant::nil()
            }
        }
    }

    fn is_valid(&self) -> bool {
        Gd::<Object>::try_from_instance_id(self.object).is_ok()
    }
}
