//! Generic Variant host calls: VCALL (501), VEVAL (502), VASSIGN (503), VCLONE (518).

use std::panic::{catch_unwind, AssertUnwindSafe};

use godot::obj::EngineEnum;
use godot::prelude::*;
use godot::sys;

use super::builtin_checks::{check_builtin_call, check_deep_operation};
use super::object_access::{check_callable, check_object_call, check_signal_method, guard_connection};
use super::{
    check_format, check_handed_over, check_orderable, check_size, check_sprintf, check_traversable, hold, hold_value,
    host_bytes, indexed, keep, object, read_str, read_variant, read_variants, refused, write_variant, HostResult,
};
use crate::abi::args::MAX_ARGUMENTS;
use crate::abi::variant::is_inline;
use crate::abi::GuestVariant;
use crate::runtime::{with_reentry, Vm};

/// Whether `target`, a builtin (non-object) Variant, has the builtin method `name`. Asked
/// through the interface's `variant_has_method`, which gdext does not wrap: building a
/// `Callable` to ask makes Godot log an error of its own for an empty or unknown name, and
/// guests choose names.
fn has_builtin_method(target: &Variant, name: &StringName) -> bool {
    // SAFETY: `variant_has_method` takes a Variant and a StringName and, for a non-object
    // Variant (the caller checks), only looks the name up in the type's method table; both
    // pointers come from references that outlive the call.
    unsafe { sys::interface_fn!(variant_has_method)(target.var_sys(), name.string_sys()) != 0 }
}

/// Calls `method` on a builtin (non-object) Variant in place; `Err` if it has no such method,
/// the call fails, or its result is larger than a guest may build.
pub fn call_builtin(target: &mut Variant, method: &str, args: &[Variant]) -> Result<Variant, String> {
    // An object's methods are its class's and its script's: they go through `call_object`,
    // which checks the restrictions and publishes the machine for re-entry.
    if target.get_type() == VariantType::OBJECT {
        return Err(format!("'{method}' on an Object is not a builtin method"));
    }
    check_builtin_call(target, method, args)?;
    let name = StringName::from(method);
    if !has_builtin_method(target, &name) {
        return Err(format!("{:?} has no method '{method}'", target.get_type()));
    }
    // `Variant::call` works on the Variant in place (mutating methods change `target`) and
    // panics on a call error; the panic is caught here and becomes a guest exception.
    let target = &*target;
    let result = catch_unwind(AssertUnwindSafe(|| target.call(&name, args)))
        .map_err(|_| format!("calling {:?}.{method} failed (wrong arguments?)", target.get_type()))?;
    check_size(&result).map_err(|e| e.to_string())?;
    Ok(result)
}

/// Calls `method` on an object, if the restrictions allow it; GDScript may run, so the machine
/// is published for re-entry.
pub fn call_object(
    m: &mut Vm,
    mut obj: Gd<Object>,
    method: &str,
    args: &[Variant],
) -> Result<Variant, rvsandbox_vm::HostError> {
    check_object_call(m, &obj, method, args)?;
    let args = match method {
        "connect" | "disconnect" | "is_connected" => guard_connection(args, 1, 2)?,
        _ => args.to_vec(),
    };
    let name = StringName::from(method);
    with_reentry(m, || obj.try_call(&name, &args)).map_err(|e| refused(format!("calling {method}: {e}")))
}

/// Builtin methods call the Callables among their arguments (`map`, `sort_custom`...), and
/// store what they are given in containers the game may hold (`append([callable])`).
fn check_callables(m: &mut Vm, args: &[Variant]) -> HostResult {
    check_handed_over(m, args)
}

/// 501 VCALL: a0 = Variant self, a1/a2 = method, a3 = argument Variants, a4 = count,
/// a5 = result Variant (0 = discard).
pub fn vcall(m: &mut Vm) -> HostResult {
    let (this_addr, argc, result) = (m.sysarg(0), m.sysarg(4), m.sysarg(5));
    if argc > MAX_ARGUMENTS as u64 {
        return Err(refused(format!("VCALL: too many arguments ({argc})")));
    }
    let method = read_str(m, m.sysarg(1), m.sysarg(2))?;
    let args = read_variants(m, m.sysarg(3), argc)?;
    let this = GuestVariant::read(&m.memory, this_addr)?;
    let ty = this.variant_type()?;
    let value = if ty == VariantType::OBJECT {
        let obj = object(m, this.word())?;
        call_object(m, obj, &method, &args)?
    } else if is_inline(ty) {
        check_callables(m, &args)?;
        let mut temporary = this.to_variant(&m.data.refs)?;
        let value = call_builtin(&mut temporary, &method, &args).map_err(refused)?;
        hold_value(m, &value)?;
        value
    } else {
        // In place on the host Variant: clone (cheap, shared), call, store back (for
        // copy-on-write types such as packed arrays).
        let index = this.index();
        let mut target = indexed(m, index)?;
        let value = if let Ok(obj) = target.try_to::<Gd<Object>>() {
            // An object behind a non-OBJECT tag still takes the (checked) object path.
            call_object(m, obj, &method, &args)?
        } else if target.get_type() == VariantType::CALLABLE {
            let callable = target.to::<Callable>();
            // Calling a Callable of an object's method is calling that method: checked as such,
            // with these arguments.
            // (A custom Callable, a guest function's or one the game made, has no method of an
            // object to ask about.)
            if callable.is_custom() {
                // A bound Callable of an object's method: its bound arguments are not known here.
                check_callable(m, &target)?;
            } else if let (Some(object), Some(name)) = (callable.object(), callable.method_name()) {
                let name = name.to_string();
                if matches!(name.as_str(), "connect" | "disconnect") {
                    // The connection would not go through the guard of `guard_connection`.
                    return Err(refused(format!("{name} through a Callable")));
                }
                m.data.restrictions.check_object(&object)?;
                check_object_call(m, &object, &name, &args)?;
            }
            with_reentry(m, || callable.callv(&args.iter().cloned().collect::<VarArray>()))
        } else {
            // Mutating methods (`append_array`, `resize`...) grow `target` in place: stored
            // back (and so measured again, if permanent) before the growth is counted, which
            // may refuse the call.
            check_signal_method(m, &target, &method)?;
            check_callables(m, &args)?;
            let args = match (target.get_type(), method.as_str()) {
                (VariantType::SIGNAL, "connect" | "disconnect" | "is_connected") => guard_connection(&args, 0, 1)?,
                _ => args,
            };
            check_deep_operation(m, &target, &method, &args)?;
            // `text.format(values)` prints the values into the text.
            if method == "format" && matches!(target.get_type(), VariantType::STRING | VariantType::STRING_NAME) {
                check_format(m, &target, &args)?;
            }
            let bytes_before = host_bytes(&target);
            // A method given Callables (`map`, `sort_custom`...) calls them, the guest's own
            // functions included: the machine is published for those nested calls.
            let value = if args.iter().any(|arg| arg.get_type() == VariantType::CALLABLE) {
                with_reentry(m, || call_builtin(&mut target, &method, &args))
            } else {
                call_builtin(&mut target, &method, &args)
            }
            .map_err(refused)?;
            let grown = host_bytes(&target).saturating_sub(bytes_before);
            m.data.refs.set(index, target)?;
            hold(m, grown)?;
            hold_value(m, &value)?;
            return write_vcall_result(m, result, &value);
        };
        m.data.refs.set(index, target)?;
        value
    };
    write_vcall_result(m, result, &value)
}

/// Writes VCALL's result, unless the guest passed no place for it.
fn write_vcall_result(m: &mut Vm, result: u64, value: &Variant) -> HostResult {
    if result != 0 {
        write_variant(m, result, value)?;
    }
    Ok(())
}

/// 502 VEVAL: a0 = Variant::Operator, a1/a2 = operands, a3 = result. a0 = whether valid.
pub fn veval(m: &mut Vm) -> HostResult {
    let op_number = m.sysarg(0);
    let op = i32::try_from(op_number)
        .ok()
        .and_then(VariantOperator::try_from_ord)
        .filter(|op| *op != VariantOperator::MAX)
        .ok_or_else(|| refused(format!("VEVAL: invalid operator {op_number}")))?;
    let a = read_variant(m, m.sysarg(1))?;
    let b = read_variant(m, m.sysarg(2))?;
    let result_addr = m.sysarg(3);
    let text_a = matches!(a.get_type(), VariantType::STRING | VariantType::STRING_NAME);
    // `text % values` prints the values into the text.
    if op == VariantOperator::MODULO && text_a {
        check_sprintf(m, &a.to_string(), &b)?;
    }
    // Comparing two containers compares their elements, deeply; `value in container` compares
    // the value with the container's elements (or hashes it, as a Dictionary's key).
    let containers = [a.get_type(), b.get_type()].map(|ty| matches!(ty, VariantType::ARRAY | VariantType::DICTIONARY));
    let orders = matches!(
        op,
        VariantOperator::LESS | VariantOperator::LESS_EQUAL | VariantOperator::GREATER | VariantOperator::GREATER_EQUAL
    );
    let equals = matches!(op, VariantOperator::EQUAL | VariantOperator::NOT_EQUAL);
    if orders && containers == [true, true] {
        check_orderable(m, &[a.clone(), b.clone()])?;
    } else if (equals && containers == [true, true]) || (op == VariantOperator::IN && containers[1]) {
        check_traversable(m, &[a.clone(), b.clone()])?;
    }
    // `name in object` reads the property (its getter, or the script's `_get`, runs).
    if op == VariantOperator::IN && text_a {
        if let Ok(object) = b.try_to::<Gd<Object>>() {
            m.data.restrictions.check_property(&object, &a.to_string(), false)?;
        }
    }
    let (value, valid) = match a.evaluate(&b, op) {
        // Operators can double a string or array per call (`a + a`): bounded like everything else.
        Some(v) => {
            hold_value(m, &v)?;
            (v, true)
        }
        None if op == VariantOperator::EQUAL => (false.to_variant(), true),
        None if op == VariantOperator::NOT_EQUAL => (true.to_variant(), true),
        None => (Variant::nil(), false),
    };
    write_variant(m, result_addr, &value)?;
    m.set_result(valid as u64);
    Ok(())
}

/// 503 VASSIGN: a0 = destination index (INT32_MIN = none), a1 = source index. a0 = the index
/// the destination uses from now on.
pub fn vassign(m: &mut Vm) -> HostResult {
    let (dst, src) = (m.sysarg(0) as u32 as i32, m.sysarg(1) as u32 as i32);
    if dst == i32::MIN {
        m.set_result(src as u32 as u64);
        return Ok(());
    }
    let value = indexed(m, src)?;
    let current = indexed(m, dst)?;
    if current.get_type() != VariantType::NIL && current.get_type() != value.get_type() {
        return Err(refused(format!(
            "VASSIGN: types do not match ({:?} := {:?})",
            current.get_type(),
            value.get_type()
        )));
    }
    m.data.refs.set(dst, value)?;
    m.set_result(dst as u32 as u64);
    Ok(())
}

/// 518 VCLONE: a0 = source Variant, a1 = destination Variant or 0. With a destination: it gets
/// a duplicate of the source. Without: the source is made permanent in place.
pub fn vclone(m: &mut Vm) -> HostResult {
    let (src_addr, dst_addr) = (m.sysarg(0), m.sysarg(1));
    let src = GuestVariant::read(&m.memory, src_addr)?;
    let ty = src.variant_type()?;
    if is_inline(ty) {
        if dst_addr != 0 {
            src.write(&mut m.memory, dst_addr)?;
        }
        return Ok(());
    }
    let value = indexed(m, src.index())?;
    if dst_addr == 0 {
        if src.index() >= 0 {
            let index = keep(m, value)?;
            GuestVariant::scoped(ty, index).write(&mut m.memory, src_addr)?;
        }
        return Ok(());
    }
    // By what the index holds, not by the guest's tag (which may claim any type); `duplicate`
    // keeps a typed Array or Dictionary typed (as an untyped one it would not convert).
    let mut value = value;
    // Counted as a copy whatever the type: a String or packed array shares its storage only
    // until either side is written.
    hold(m, host_bytes(&value))?;
    let copy = match value.get_type() {
        VariantType::ARRAY | VariantType::DICTIONARY => call_builtin(&mut value, "duplicate", &[]).map_err(refused)?,
        _ => value,
    };
    let index = m.data.refs.add(copy)?;
    GuestVariant::scoped(ty, index).write(&mut m.memory, dst_addr)?;
    Ok(())
}
