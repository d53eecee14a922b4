//! Arrays: ARRAY_OPS (521), ARRAY_AT (522), ARRAY_SIZE (523).
//!
//! Mutations go through Godot's own Array methods on the host Variant (so typed arrays keep
//! their element checks); indices are bounds-checked here first.

use godot::builtin::AnyArray;
use godot::prelude::*;
use rvsandbox_vm::HostError;

use super::builtin_checks::check_deep_operation;
use super::containers::write_std_vector;
use super::variant::call_builtin;
use super::{
    check_handed_over, hold, indexed, read_variant, refused, write_variant, HostResult, MAX_ELEMENTS, VARIANT_BYTES,
};
use crate::abi::GuestVariant;
use crate::runtime::Vm;

/// Array_Op sub-operations.
mod op {
    pub const CREATE: u64 = 0;
    pub const PUSH_BACK: u64 = 1;
    pub const PUSH_FRONT: u64 = 2;
    pub const POP_AT: u64 = 3;
    pub const POP_BACK: u64 = 4;
    pub const POP_FRONT: u64 = 5;
    pub const INSERT: u64 = 6;
    pub const ERASE: u64 = 7;
    pub const RESIZE: u64 = 8;
    pub const CLEAR: u64 = 9;
    pub const SORT: u64 = 10;
    pub const FETCH_TO_VECTOR: u64 = 11;
    pub const HAS: u64 = 12;
}

/// The Array at `index` (its Variant, to call methods on, and a typed view).
fn array(m: &Vm, index: i32) -> Result<(Variant, AnyArray), HostError> {
    let value = indexed(m, index)?;
    match value.try_to::<AnyArray>() {
        Ok(array) => Ok((value, array)),
        Err(_) => Err(refused(format!("Array::operation: Variant {index} is a {:?}, not an Array", value.get_type()))),
    }
}

fn mutate(array: &mut Variant, method: &str, args: &[Variant]) -> Result<Variant, HostError> {
    call_builtin(array, method, args).map_err(refused)
}

fn check_index(array: &AnyArray, i: i64, inclusive_end: bool) -> Result<(), HostError> {
    let len = array.len() as i64;
    if i < 0 || i > len || (i == len && !inclusive_end) {
        return Err(refused(format!("Array index {i} out of bounds (size {len})")));
    }
    Ok(())
}

/// 521 ARRAY_OPS: a0 = Array_Op, a1 = Array index (CREATE: initial size), a2 = integer,
/// a3 = Variant in/out.
pub fn array_ops(m: &mut Vm) -> HostResult {
    let (operation, index, int_arg, vptr) = (m.sysarg(0), m.sysarg(1) as u32 as i32, m.sysarg(2) as i64, m.sysarg(3));
    if operation == op::CREATE {
        let size = m.sysarg(1) as i64;
        if !(0..=MAX_ELEMENTS as i64).contains(&size) {
            return Err(refused(format!("Array::create: invalid size {size}")));
        }
        m.charge_bytes(VARIANT_BYTES * size as u64);
        hold(m, VARIANT_BYTES * size as u64)?;
        let mut array = VarArray::new();
        array.resize(size as usize, &Variant::nil());
        let new_index = m.data.refs.add(array.to_variant())?;
        GuestVariant::scoped(VariantType::ARRAY, new_index).write(&mut m.memory, vptr)?;
        return Ok(());
    }
    let (mut target, view) = array(m, index)?;
    let size_before = view.len() as u64;
    let read_only_op = matches!(operation, op::FETCH_TO_VECTOR | op::HAS);
    if view.is_read_only() && !read_only_op {
        return Err(refused("Array::operation: the array is read-only"));
    }
    match operation {
        op::PUSH_BACK | op::PUSH_FRONT | op::ERASE => {
            let value = read_variant(m, vptr)?;
            let method = match operation {
                op::PUSH_BACK => "push_back",
                op::PUSH_FRONT => "push_front",
                _ => "erase",
            };
            if operation != op::ERASE {
                hold(m, VARIANT_BYTES)?;
                // The array may be the game's: what goes in is handed over.
                check_handed_over(m, std::slice::from_ref(&value))?;
            }
            let args = [value];
            check_deep_operation(m, &target, method, &args)?;
            mutate(&mut target, method, &args)?;
        }
        op::POP_AT | op::POP_BACK | op::POP_FRONT => {
            let popped = match operation {
                op::POP_AT => {
                    check_index(&view, int_arg, false)?;
                    mutate(&mut target, "pop_at", &[int_arg.to_variant()])?
                }
                _ if view.is_empty() => return Err(refused("Array::pop on an empty array")),
                op::POP_BACK => mutate(&mut target, "pop_back", &[])?,
                _ => mutate(&mut target, "pop_front", &[])?,
            };
            if vptr != 0 {
                write_variant(m, vptr, &popped)?;
            }
        }
        op::INSERT => {
            check_index(&view, int_arg, true)?;
            let value = read_variant(m, vptr)?;
            hold(m, VARIANT_BYTES)?;
            check_handed_over(m, std::slice::from_ref(&value))?;
            mutate(&mut target, "insert", &[int_arg.to_variant(), value])?;
        }
        op::RESIZE => {
            if !(0..=MAX_ELEMENTS as i64).contains(&int_arg) {
                return Err(refused(format!("Array::resize: invalid size {int_arg}")));
            }
            m.charge_bytes(VARIANT_BYTES * int_arg as u64);
            hold(m, VARIANT_BYTES * (int_arg as u64).saturating_sub(size_before))?;
            mutate(&mut target, "resize", &[int_arg.to_variant()])?;
        }
        op::CLEAR => {
            mutate(&mut target, "clear", &[])?;
        }
        op::SORT => {
            check_deep_operation(m, &target, "sort", &[])?;
            mutate(&mut target, "sort", &[])?;
        }
        op::FETCH_TO_VECTOR => {
            let elements: Vec<Variant> = view.iter_shared().collect();
            let mut bytes = Vec::with_capacity(elements.len() * 24);
            for element in &elements {
                bytes.extend_from_slice(&GuestVariant::from_variant(element, &mut m.data.refs)?.to_bytes());
            }
            write_std_vector(m, vptr, &bytes)?;
        }
        op::HAS => {
            let value = read_variant(m, vptr)?;
            check_deep_operation(m, &target, "has", std::slice::from_ref(&value))?;
            write_variant(m, vptr, &view.contains(&value).to_variant())?;
        }
        other => return Err(refused(format!("invalid Array operation {other}"))),
    }
    if !read_only_op {
        m.data.refs.touched(index);
    }
    Ok(())
}

/// 522 ARRAY_AT: a0 = Array index, a1 = element (int32; negative = set element −i−1),
/// a2 = Variant (out for get, in for set).
pub fn array_at(m: &mut Vm) -> HostResult {
    let (index, i, vptr) = (m.sysarg(0) as u32 as i32, m.sysarg(1) as u32 as i32 as i64, m.sysarg(2));
    let (mut target, view) = array(m, index)?;
    if i >= 0 {
        check_index(&view, i, false)?;
        write_variant(m, vptr, &view.at(i as usize))
    } else {
        let element = -i - 1;
        check_index(&view, element, false)?;
        if view.is_read_only() {
            return Err(refused("Array::set: the array is read-only"));
        }
        let value = read_variant(m, vptr)?;
        mutate(&mut target, "set", &[element.to_variant(), value])?;
        Ok(())
    }
}

/// 523 ARRAY_SIZE: a0 = Array index. a0 = its size.
pub fn array_size(m: &mut Vm) -> HostResult {
    let (_, view) = array(m, m.sysarg(0) as u32 as i32)?;
    m.set_result(view.len() as u64);
    Ok(())
}
