//! Building Variants with Godot's constructors: VCONSTRUCT (558) and PACKED_ARRAY_OPS (548).

use godot::prelude::*;

use super::{
    check_all_printable, expression, hold_value, read_variant, read_variants, refused, write_variant, HostResult,
    Objects,
};
use crate::abi::args::MAX_ARGUMENTS;
use crate::abi::variant::variant_type;
use crate::runtime::Vm;

/// The Godot name of `ty` (`Vector2`, `int`, `PackedByteArray`, ...), which is also its
/// constructor's name.
fn type_name(ty: VariantType) -> String {
    godot::global::type_string(ty.ord as i64).to_string()
}

/// 558 VCONSTRUCT: a0 = result Variant, a1 = type, a2 = argument Variants, a3 = count. Runs
/// Godot's constructor of that type with those arguments.
pub fn vconstruct(m: &mut Vm) -> HostResult {
    let (result, ty_number, args_addr, argc) = (m.sysarg(0), m.sysarg(1) as u32 as i32, m.sysarg(2), m.sysarg(3));
    let ty = u32::try_from(ty_number)
        .ok()
        .and_then(variant_type)
        .ok_or_else(|| refused(format!("VCONSTRUCT: invalid Variant type {ty_number}")))?;
    let argc = argc as u32 as i32;
    if !(0..=MAX_ARGUMENTS as i32).contains(&argc) {
        return Err(refused(format!("VCONSTRUCT: invalid argument count {argc}")));
    }
    // Callable(object, method) reaches any method of any object it was given, and
    // Signal(object, name) emits any of its signals (running whatever the game connected).
    if argc == 2 {
        match ty {
            VariantType::CALLABLE => m.data.restrictions.check_unrestricted("Callable(Object, method)")?,
            VariantType::SIGNAL => m.data.restrictions.check_unrestricted("Signal(Object, name)")?,
            _ => {}
        }
    }
    let args = read_variants(m, args_addr, argc as u64)?;
    check_stringified(m, ty, &args)?;
    let value = expression::call(&type_name(ty), &args)?;
    hold_value(m, &value)?;
    write_variant(m, result, &value)
}

/// A PackedStringArray built from an Array holds each element as text (`str` of it): checked
/// as printing is (see `printing.rs`).
fn check_stringified(m: &mut Vm, ty: VariantType, args: &[Variant]) -> HostResult {
    match ty {
        VariantType::PACKED_STRING_ARRAY => check_all_printable(m, args, Objects::Printed),
        _ => Ok(()),
    }
}

/// 548 PACKED_ARRAY_OPS: a0 = a Packed*Array type, a1 = result Variant, a2 = source Array
/// Variant. The result is the Array converted to that packed type.
pub fn packed_array_ops(m: &mut Vm) -> HostResult {
    let (ty_number, result, source) = (m.sysarg(0) as u32, m.sysarg(1), m.sysarg(2));
    let ty = variant_type(ty_number)
        .filter(|t| (VariantType::PACKED_BYTE_ARRAY.ord..=VariantType::PACKED_VECTOR4_ARRAY.ord).contains(&t.ord))
        .ok_or_else(|| refused(format!("PACKED_ARRAY_OPS: {ty_number} is not a packed array type")))?;
    let array = read_variant(m, source)?;
    if array.get_type() != VariantType::ARRAY {
        return Err(refused(format!("PACKED_ARRAY_OPS: the source is a {:?}, not an Array", array.get_type())));
    }
    let args = [array];
    check_stringified(m, ty, &args)?;
    let value = expression::call(&type_name(ty), &args)?;
    hold_value(m, &value)?;
    write_variant(m, result, &value)
}
