//! The Sandbox's vararg methods (`vmcall`, `vmcallv`, `vmcallable`, `vmcallable_address`),
//! registered by `lib.rs` through `vararg.rs`: they run on the node's state without binding it.

use std::rc::Rc;

use godot::prelude::*;

use super::{on_main_thread, Sandbox};
use crate::abi::Convention;
use crate::host_calls::GuestCallable;
use crate::state::{self, SandboxError, SandboxState};
use crate::vararg::Receiver;

/// The state of the Sandbox a vararg method was called on, without binding it (see
/// `state::state_of`). Refused off the main thread (see [`on_main_thread`]).
fn state_of(this: &Receiver<Sandbox>) -> Result<(InstanceId, Rc<SandboxState>), SandboxError> {
    if !on_main_thread() {
        return Err(SandboxError::NotMainThread);
    }
    let node = this.instance_id();
    Ok((node, state::state_of(node, || this.gd().bind().state.clone())))
}

/// The optional `bound_args` Array after the fixed argument of `vmcallable*`.
fn bound_args(args: &[&Variant]) -> Result<Vec<Variant>, SandboxError> {
    match args {
        [_] => Ok(Vec::new()),
        [_, bound] => match bound.try_to::<VarArray>() {
            Ok(array) => Ok(array.iter_shared().collect()),
            Err(_) => Err(SandboxError::BadArgument("bound_args must be an Array")),
        },
        _ => Err(SandboxError::BadArgument("expected (function, bound_args = [])")),
    }
}

/// `Sandbox.vmcallable(function, bound_args = [])`: a Callable calling guest `function` with
/// `bound_args` before the call-time arguments. (Registered as a vararg method: gdext cannot
/// give an Array parameter a default value.)
pub fn vmcallable(this: Receiver<Sandbox>, args: &[&Variant]) -> Result<Variant, SandboxError> {
    state_of(&this)?;
    let (name, _) = split_function(args)?;
    let bound = bound_args(args)?;
    let this = this.gd();
    let s = this.bind();
    let address = s.state.address_of(&name).ok_or_else(|| SandboxError::UnknownFunction(name.clone()))?;
    let program = s.state.program().ok_or(SandboxError::NoProgram)?;
    Ok(GuestCallable::create(this.instance_id(), &program, address, s.convention(), name, bound).to_variant())
}

/// `Sandbox.vmcallable_address(address, bound_args = [])`: the same for a guest function
/// address (a function pointer the guest handed over).
pub fn vmcallable_address(this: Receiver<Sandbox>, args: &[&Variant]) -> Result<Variant, SandboxError> {
    state_of(&this)?;
    let address = args[0].try_to::<i64>().map_err(|_| SandboxError::BadArgument("address must be an int"))?;
    let bound = bound_args(args)?;
    let this = this.gd();
    let s = this.bind();
    let program = s.state.program().ok_or(SandboxError::NoProgram)?;
    if address & 1 != 0 || !program.is_executable(address as u64) {
        return Err(SandboxError::BadArgument("address is not the start of a guest function"));
    }
    let name = s.lookup_address(address).to_string();
    let name = if name.is_empty() { format!("{address:#x}") } else { name };
    Ok(GuestCallable::create(this.instance_id(), &program, address as u64, s.convention(), name, bound).to_variant())
}

/// The function name in `args[0]`, and the arguments after it.
fn split_function<'a, 'b>(args: &'a [&'b Variant]) -> Result<(String, &'a [&'b Variant]), SandboxError> {
    let (function, rest) = args.split_first().ok_or(SandboxError::FunctionNotAName { got: VariantType::NIL })?;
    let name = match function.get_type() {
        VariantType::STRING => function.to::<GString>().to_string(),
        VariantType::STRING_NAME => function.to::<StringName>().to_string(),
        got => return Err(SandboxError::FunctionNotAName { got }),
    };
    Ok((name, rest))
}

/// `Sandbox.vmcall(function, ...args)`: the node's convention (`unboxed_arguments`).
///
/// The hot path: no bind of the node and no allocation when the call succeeds (see `state.rs`).
pub fn vmcall(this: Receiver<Sandbox>, args: &[&Variant]) -> Result<Variant, SandboxError> {
    let (function, rest) = args.split_first().ok_or(SandboxError::FunctionNotAName { got: VariantType::NIL })?;
    let (node, state) = state_of(&this)?;
    state.call_named(node, function, rest, None)
}

/// `Sandbox.vmcallv(function, ...args)`: always boxed (arguments as guest Variants).
pub fn vmcallv(this: Receiver<Sandbox>, args: &[&Variant]) -> Result<Variant, SandboxError> {
    let (function, rest) = args.split_first().ok_or(SandboxError::FunctionNotAName { got: VariantType::NIL })?;
    let (node, state) = state_of(&this)?;
    state.call_named(node, function, rest, Some(Convention::Boxed))
}
