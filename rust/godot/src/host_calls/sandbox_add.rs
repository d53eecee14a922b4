//! SANDBOX_ADD (547): what a guest's `main()` registers — public functions, properties, and
//! its exit address. Accepted only while the program initialises.

use godot::global::godot_warn;

use super::{check_function, read_str, refused, HostResult, ENGINE_MESSAGE_COST};
use crate::abi::variant::variant_type;
use crate::abi::GuestVariant;
use crate::host::{GuestProperty, PropertyStorage, PublicFunction, MAX_PROPERTIES, MAX_PUBLIC_FUNCTIONS};
use crate::runtime::Vm;

/// Sub-operations (a0).
mod op {
    pub const ADD_PROPERTY: u64 = 0;
    pub const ADD_METHOD: u64 = 1;
    pub const SET_EXIT_ADDRESS: u64 = 2;
    pub const ADD_PROPERTY_HINT: u64 = 3;
}

/// Whether `name` is a property the Sandbox node already has (its own or inherited from Node): a
/// guest property may not shadow it, or the game's own `sandbox.name = ...` would reach the guest.
fn is_node_property(name: &str) -> bool {
    use godot::obj::Singleton;
    let properties = godot::classes::ClassDb::singleton().class_get_property_list("Sandbox");
    properties.iter_shared().any(|property| property.get("name").is_some_and(|n| n.to_string() == name))
}

/// 547 SANDBOX_ADD: a0 = sub-operation, the rest per operation (docs/guest-abi.md §4.2).
pub fn sandbox_add(m: &mut Vm) -> HostResult {
    if !m.data.initializing {
        return Err(refused("Sandbox add called outside of initialization"));
    }
    match m.sysarg(0) {
        op::ADD_PROPERTY => add_property(m),
        op::ADD_METHOD => add_method(m),
        op::SET_EXIT_ADDRESS => {
            let address = m.sysarg(1);
            check_function(m, address).map_err(|e| refused(format!("invalid program exit address: {e}")))?;
            m.data.exit_address = Some(address);
            Ok(())
        }
        op::ADD_PROPERTY_HINT => {
            let name = read_str(m, m.sysarg(1), m.sysarg(2))?;
            let hint_string = read_str(m, m.sysarg(4), m.sysarg(5))?;
            let (hint, usage) = (m.sysarg(3) as u32 as i32, m.sysarg(6) as u32);
            match m.data.properties.iter_mut().find(|p| p.name == name) {
                Some(p) => {
                    p.hint = hint;
                    p.hint_string = hint_string;
                    p.usage = Some(usage);
                    Ok(())
                }
                None => Err(refused(format!("property hint for unknown property '{name}'"))),
            }
        }
        other => {
            m.charge(ENGINE_MESSAGE_COST);
            godot_warn!("Sandbox: unhandled SANDBOX_ADD operation {other}");
            Ok(())
        }
    }
}

/// a1/a2 = name, a3 = type, a4 = setter, a5 = getter, a6 = default Variant (the live storage
/// when there are no accessors).
fn add_property(m: &mut Vm) -> HostResult {
    let name = read_str(m, m.sysarg(1), m.sysarg(2))?;
    let ty_number = m.sysarg(3) as u32;
    for accessor in [m.sysarg(4), m.sysarg(5)].into_iter().filter(|&a| a != 0) {
        check_function(m, accessor).map_err(|e| refused(format!("property '{name}': {e}")))?;
    }
    let ty = variant_type(ty_number).ok_or_else(|| refused(format!("property '{name}': invalid type {ty_number}")))?;
    let (setter, getter, default_addr) = (m.sysarg(4), m.sysarg(5), m.sysarg(6));
    if name.is_empty() || is_node_property(&name) {
        return Err(refused(format!("property name '{name}' is not allowed")));
    }
    if m.data.property(&name).is_some() {
        return Ok(());
    }
    if m.data.properties.len() >= MAX_PROPERTIES {
        return Err(refused(format!("too many properties (at most {MAX_PROPERTIES})")));
    }
    let default = GuestVariant::read(&m.memory, default_addr)?;
    let storage = if setter == 0 && getter == 0 {
        PropertyStorage::GuestVariable(default_addr)
    } else {
        PropertyStorage::Accessors { getter, setter }
    };
    m.data.properties.push(GuestProperty {
        name,
        ty,
        storage,
        default,
        hint: 0,
        hint_string: String::new(),
        usage: None,
    });
    Ok(())
}

/// a1/a2 = name, a3 = address, a4 = {desc, desc_len, ret, ret_len, args, args_len} (or 0).
fn add_method(m: &mut Vm) -> HostResult {
    let name = read_str(m, m.sysarg(1), m.sysarg(2))?;
    let (address, extra) = (m.sysarg(3), m.sysarg(4));
    check_function(m, address).map_err(|e| refused(format!("public function '{name}': {e}")))?;
    let mut texts = [String::new(), String::new(), String::new()];
    if extra != 0 {
        for (i, text) in texts.iter_mut().enumerate() {
            let at = extra + 16 * i as u64;
            *text = read_str(m, m.memory.read_u64(at)?, m.memory.read_u64(at + 8)?)?;
        }
    }
    let [description, return_type, args] = texts;
    let function = PublicFunction { name: name.clone(), address, description, return_type, args };
    match m.data.function_index.get(&name) {
        Some(&i) => m.data.functions[i] = function,
        None if m.data.functions.len() >= MAX_PUBLIC_FUNCTIONS => {
            return Err(refused(format!("too many public functions (at most {MAX_PUBLIC_FUNCTIONS})")));
        }
        None => {
            m.data.function_index.insert(name, m.data.functions.len());
            m.data.functions.push(function);
        }
    }
    Ok(())
}
