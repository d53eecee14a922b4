//! Objects: GET_OBJ (504), OBJ (505), OBJ_CALLP (506), OBJ_PROP_GET (545), OBJ_PROP_SET (546).

use godot::classes::{Engine, SceneTree};
use godot::prelude::*;

use super::callable::ConnectedMethod;
use super::containers::write_string_vector;
use super::object_access::{
    check_allowed_callable, check_not_own_properties, check_object_call, check_property_write, guard_connection,
};
use super::variant::call_object;
use super::{
    check_handed_over, expect, indexed, log_error, node_path, object, read_str, read_variant, read_variants, refused,
    write_variant, HostResult,
};
use crate::abi::args::MAX_ARGUMENTS;
use crate::runtime::{with_reentry, Vm};

/// Object_Op (505) sub-operations.
mod op {
    pub const GET_METHOD_LIST: u64 = 0;
    pub const GET: u64 = 1;
    pub const SET: u64 = 2;
    pub const GET_PROPERTY_LIST: u64 = 3;
    pub const CONNECT: u64 = 4;
    pub const DISCONNECT: u64 = 5;
    pub const GET_SIGNAL_LIST: u64 = 6;
}

/// The name of OBJ operation CONNECT or DISCONNECT, for messages.
fn op_name(operation: u64) -> &'static str {
    if operation == op::CONNECT {
        "connect"
    } else {
        "disconnect"
    }
}

/// The most arguments of a deferred call.
const MAX_DEFERRED_ARGUMENTS: u64 = 8;

/// 504 GET_OBJ: a0/a1 = name. a0 = handle of the engine singleton, the SceneTree, or the
/// autoload node of that name; 0 (and an engine error) if there is none.
pub fn get_obj(m: &mut Vm) -> HostResult {
    let name = read_str(m, m.sysarg(0), m.sysarg(1))?;
    // Singletons are named by their class, so the class rule decides (as in godot-sandbox).
    if let Err(denied) = m.data.restrictions.check_class(&name) {
        log_error!(m, "Sandbox: GET_OBJ: {denied}");
        m.set_result(0);
        return Ok(());
    }
    let engine = Engine::singleton();
    let tree = engine.get_main_loop().and_then(|l| l.try_cast::<SceneTree>().ok());
    let found: Option<Gd<Object>> = if engine.has_singleton(&name) {
        engine.get_singleton(&name)
    } else if name == "SceneTree" {
        tree.map(|t| t.upcast())
    } else if let (false, Ok(path)) = (name.contains('/'), node_path(&name)) {
        tree.and_then(|t| t.get_root()).and_then(|root| root.get_node_or_null(&path)).map(|n| n.upcast())
    } else {
        None
    };
    let handle = match found {
        Some(obj) => m.data.refs.object_handle(&obj)?,
        None => {
            log_error!(m, "Sandbox: GET_OBJ: no singleton or autoload named '{name}'");
            0
        }
    };
    m.set_result(handle);
    Ok(())
}

/// 505 OBJ: a0 = Object_Op, a1 = object handle, a2 = pointer (meaning per operation).
pub fn obj(m: &mut Vm) -> HostResult {
    let (operation, handle, ptr) = (m.sysarg(0), m.sysarg(1), m.sysarg(2));
    let mut target = object(m, handle)?;
    let rules = m.data.restrictions.clone();
    if matches!(operation, op::GET | op::SET | op::GET_PROPERTY_LIST) {
        check_not_own_properties(m, &target)?;
    }
    match operation {
        op::GET_METHOD_LIST | op::GET_PROPERTY_LIST | op::GET_SIGNAL_LIST => {
            let (lister, list) = match operation {
                op::GET_METHOD_LIST => ("get_method_list", target.get_method_list()),
                op::GET_PROPERTY_LIST => ("get_property_list", target.get_property_list()),
                _ => ("get_signal_list", target.get_signal_list()),
            };
            // Listing tells the guest what it may try next; it is gated like the call.
            rules.check_method(&target, lister)?;
            let names: Vec<String> =
                list.iter_shared().map(|d| d.get("name").map(|n| n.to_string()).unwrap_or_default()).collect();
            write_string_vector(m, ptr, &names)?;
        }
        op::GET => {
            let name = name_of(&read_variant(m, ptr)?, "a property name")?;
            rules.check_property(&target, &name.to_string(), false)?;
            let value = with_reentry(m, || target.get(&name));
            write_variant(m, ptr + 24, &value)?;
        }
        op::SET => {
            let name = name_of(&read_variant(m, ptr)?, "a property name")?;
            let value = read_variant(m, ptr + 24)?;
            check_property_write(&rules, &target, &name.to_string())?;
            check_handed_over(m, std::slice::from_ref(&value))?;
            with_reentry(m, || target.set(&name, &value));
        }
        op::CONNECT | op::DISCONNECT => {
            let args = read_variants(m, ptr, 3)?;
            let receiver: Gd<Object> = expect(&args[0], "an object")?;
            let signal = name_of(&args[1], "a signal name")?;
            let method = name_of(&args[2], "a method name")?;
            rules.check_method(&target, op_name(operation))?;
            let method_callable = Callable::from_object_method(&receiver, &method);
            if operation == op::CONNECT {
                // Connecting hands the game a Callable of the receiver's method, to call later.
                check_allowed_callable(&rules, m.data.node, &method_callable)?;
            } else {
                rules.check_object(&receiver)?;
            }
            let callable = ConnectedMethod::guard(method_callable);
            // What Godot would refuse with an error of its own, refused first.
            let has_signal = target.has_signal(&signal);
            let connected = has_signal && target.is_connected(&signal, &callable);
            let why = match operation {
                _ if !has_signal => Some("no such signal"),
                op::CONNECT if !receiver.has_method(&method) => Some("the receiver has no such method"),
                op::CONNECT if connected => Some("already connected"),
                op::DISCONNECT if !connected => Some("not connected"),
                _ => None,
            };
            if let Some(why) = why {
                return Err(refused(format!("{}('{signal}', '{method}'): {why}", op_name(operation))));
            }
            if operation == op::CONNECT {
                let error = with_reentry(m, || target.connect(&signal, &callable));
                if error != godot::global::Error::OK {
                    return Err(refused(format!("connect('{signal}'): {error:?}")));
                }
            } else {
                with_reentry(m, || target.disconnect(&signal, &callable));
            }
        }
        other => return Err(refused(format!("invalid Object operation {other}"))),
    }
    Ok(())
}

/// 506 OBJ_CALLP: a0 = handle, a1/a2 = method, a3 = deferred, a4 = result Variant (0 = none),
/// a5 = argument Variants, a6 = count.
pub fn obj_callp(m: &mut Vm) -> HostResult {
    let (handle, deferred, result, args_addr, argc) =
        (m.sysarg(0), m.sysarg(3) != 0, m.sysarg(4), m.sysarg(5), m.sysarg(6));
    if argc > MAX_ARGUMENTS as u64 || (deferred && argc > MAX_DEFERRED_ARGUMENTS) {
        return Err(refused(format!("OBJ_CALLP: too many arguments ({argc})")));
    }
    let method = read_str(m, m.sysarg(1), m.sysarg(2))?;
    let args = read_variants(m, args_addr, argc)?;
    let mut target = object(m, handle)?;
    if deferred {
        check_object_call(m, &target, &method, &args)?;
        let args = match method.as_str() {
            "connect" | "disconnect" | "is_connected" => guard_connection(&args, 1, 2)?,
            _ => args,
        };
        if !target.has_method(&method) {
            return Err(refused(format!("deferred call to a method that does not exist: {method}")));
        }
        target.call_deferred(&method, &args);
        return Ok(());
    }
    let value = call_object(m, target, &method, &args)?;
    if result != 0 {
        write_variant(m, result, &value)?;
    }
    Ok(())
}

/// The subject of OBJ_PROP_GET/SET: a0 is a Variant index if it fits in 16 bits, else a handle.
enum Subject {
    Object(Gd<Object>),
    Value(Variant),
}

fn subject(m: &Vm, a0: u64) -> Result<Subject, rvsandbox_vm::HostError> {
    if a0 <= 0xFFFF {
        let value = indexed(m, a0 as i32)?;
        return Ok(match value.try_to::<Gd<Object>>() {
            Ok(obj) => Subject::Object(obj),
            Err(_) => Subject::Value(value),
        });
    }
    Ok(Subject::Object(object(m, a0)?))
}

/// 545 OBJ_PROP_GET: a0 = handle or Variant index, a1/a2 = property, a3 = result Variant.
pub fn obj_prop_get(m: &mut Vm) -> HostResult {
    let name = read_str(m, m.sysarg(1), m.sysarg(2))?;
    let result = m.sysarg(3);
    let value = match subject(m, m.sysarg(0))? {
        Subject::Object(obj) => {
            check_not_own_properties(m, &obj)?;
            m.data.restrictions.check_property(&obj, &name, false)?;
            let property = StringName::from(&name);
            if !has_property(&obj, &property) {
                return Err(refused(format!("{} has no property '{name}'", obj.get_class())));
            }
            with_reentry(m, || obj.get(&property))
        }
        Subject::Value(value) => match value.try_to::<VarDictionary>() {
            Ok(dict) => dict.get(name.as_str()).unwrap_or_default(),
            Err(_) => return Err(refused(format!("cannot read '{name}' of a {:?}", value.get_type()))),
        },
    };
    write_variant(m, result, &value)
}

/// 546 OBJ_PROP_SET: a0 = handle or Variant index, a1/a2 = property, a3 = value Variant.
pub fn obj_prop_set(m: &mut Vm) -> HostResult {
    let name = read_str(m, m.sysarg(1), m.sysarg(2))?;
    let value = read_variant(m, m.sysarg(3))?;
    match subject(m, m.sysarg(0))? {
        Subject::Object(mut obj) => {
            check_not_own_properties(m, &obj)?;
            check_property_write(&m.data.restrictions, &obj, &name)?;
            check_handed_over(m, std::slice::from_ref(&value))?;
            let property = StringName::from(&name);
            if !has_property(&obj, &property) {
                return Err(refused(format!("{} has no property '{name}'", obj.get_class())));
            }
            with_reentry(m, || obj.set(&property, &value));
        }
        Subject::Value(target) => match target.try_to::<VarDictionary>() {
            Ok(mut dict) => {
                dict.set(name.as_str(), &value);
            }
            Err(_) => return Err(refused(format!("cannot set '{name}' of a {:?}", target.get_type()))),
        },
    }
    Ok(())
}

/// A String or StringName Variant as a StringName.
fn name_of(value: &Variant, what: &'static str) -> Result<StringName, rvsandbox_vm::HostError> {
    match value.get_type() {
        VariantType::STRING | VariantType::STRING_NAME => Ok(StringName::from(&value.stringify())),
        _ => expect::<StringName>(value, what),
    }
}

/// Whether `obj` has a property (or script member) `name`.
pub(super) fn has_property(obj: &Gd<Object>, name: &StringName) -> bool {
    let name = name.to_string();
    obj.get_property_list().iter_shared().any(|p| p.get("name").is_some_and(|n| n.stringify() == name.as_str()))
}
