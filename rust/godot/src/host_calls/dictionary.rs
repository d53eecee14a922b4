//! Dictionaries: DICTIONARY_OPS (524), through Godot's own Dictionary methods on the host
//! Variant (so typed dictionaries keep their checks).

use godot::prelude::*;
use rvsandbox_vm::HostError;

use super::builtin_checks::check_deep_operation;
use super::variant::call_builtin;
use super::{
    check_handed_over, hold, hold_value, host_bytes, indexed, read_variant, refused, write_variant, HostResult,
};
use crate::runtime::Vm;

/// Dictionary_Op sub-operations.
mod op {
    pub const GET: u64 = 0;
    pub const SET: u64 = 1;
    pub const ERASE: u64 = 2;
    pub const HAS: u64 = 3;
    pub const GET_KEYS: u64 = 4;
    pub const GET_VALUES: u64 = 5;
    pub const GET_SIZE: u64 = 6;
    pub const CLEAR: u64 = 7;
    pub const MERGE: u64 = 8;
    pub const GET_OR_ADD: u64 = 9;
}

fn call(target: &mut Variant, method: &str, args: &[Variant]) -> Result<Variant, HostError> {
    call_builtin(target, method, args).map_err(refused)
}

/// 524 DICTIONARY_OPS: a0 = Dictionary_Op, a1 = Dictionary index, a2/a3/a4 per operation.
pub fn dictionary_ops(m: &mut Vm) -> HostResult {
    let (operation, index, a2, a3, a4) =
        (m.sysarg(0), m.sysarg(1) as u32 as i32, m.sysarg(2), m.sysarg(3), m.sysarg(4));
    let mut dict = indexed(m, index)?;
    if dict.get_type() != VariantType::DICTIONARY {
        return Err(refused(format!(
            "Dictionary::operation: Variant {index} is a {:?}, not a Dictionary",
            dict.get_type()
        )));
    }
    let mutates = matches!(operation, op::SET | op::ERASE | op::CLEAR | op::MERGE | op::GET_OR_ADD);
    if mutates && call(&mut dict, "is_read_only", &[])?.to::<bool>() {
        return Err(refused("Dictionary::operation: the dictionary is read-only"));
    }
    let bytes_before = host_bytes(&dict);
    // Keys are hashed and compared, and MERGE goes through both Dictionaries: `key` reads the
    // operand and checks it as `method` would use it.
    let checked_operand = |m: &mut Vm, method: &str| {
        let key = read_variant(m, a2)?;
        check_deep_operation(m, &dict, method, std::slice::from_ref(&key))?;
        Ok::<_, HostError>(key)
    };
    match operation {
        op::GET => {
            let key = checked_operand(m, "get")?;
            let value = call(&mut dict, "get", &[key, Variant::nil()])?;
            write_variant(m, a3, &value)?;
        }
        op::SET => {
            let (key, value) = (checked_operand(m, "set")?, read_variant(m, a3)?);
            // The dictionary may be the game's: what goes in is handed over.
            check_handed_over(m, &[key.clone(), value.clone()])?;
            if !call(&mut dict, "set", &[key, value])?.to::<bool>() {
                return Err(refused("Dictionary::set: the value cannot be assigned"));
            }
        }
        op::ERASE => {
            let key = checked_operand(m, "erase")?;
            call(&mut dict, "erase", &[key])?;
        }
        op::HAS => {
            let key = checked_operand(m, "has")?;
            let has = call(&mut dict, "has", &[key])?.to::<bool>();
            m.set_result(has as u64);
        }
        op::GET_KEYS | op::GET_VALUES => {
            let list = call(&mut dict, if operation == op::GET_KEYS { "keys" } else { "values" }, &[])?;
            hold_value(m, &list)?;
            write_variant(m, a2, &list)?;
        }
        op::GET_SIZE => {
            let size = call(&mut dict, "size", &[])?.to::<i64>();
            m.set_result(size as u64);
        }
        op::CLEAR => {
            call(&mut dict, "clear", &[])?;
        }
        op::MERGE => {
            let other = checked_operand(m, "merge")?;
            check_handed_over(m, std::slice::from_ref(&other))?;
            if other.get_type() != VariantType::DICTIONARY {
                return Err(refused("Dictionary::merge: the argument is not a Dictionary"));
            }
            call(&mut dict, "merge", &[other])?;
        }
        op::GET_OR_ADD => {
            let key = checked_operand(m, "get_or_add")?;
            let default = read_variant(m, a4)?;
            check_handed_over(m, &[key.clone(), default.clone()])?;
            let current = call(&mut dict, "get", &[key.clone(), Variant::nil()])?;
            let value = if current.is_nil() {
                call(&mut dict, "set", &[key, default.clone()])?;
                default
            } else {
                current
            };
            write_variant(m, a3, &value)?;
        }
        other => return Err(refused(format!("invalid Dictionary operation {other}"))),
    }
    // What the operation added (SET and GET_OR_ADD one entry, MERGE up to another Dictionary).
    if mutates {
        m.data.refs.touched(index);
    }
    hold(m, host_bytes(&dict).saturating_sub(bytes_before))
}
