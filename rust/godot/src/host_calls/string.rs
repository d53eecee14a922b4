//! Strings: STRING_CREATE (525), STRING_OPS (526), STRING_AT (527), STRING_SIZE (528),
//! STRING_APPEND (529). Strings, StringNames and NodePaths are accepted where a string is read;
//! an appended value keeps its type.

use godot::prelude::*;
use rvsandbox_vm::HostError;

use super::containers::{guest_malloc, write_std_string, write_utf32};
use super::{
    element_bytes, hold, indexed, read_str, read_variant, refused, text_of, text_of_type, HostResult, MAX_ELEMENTS,
};
use crate::runtime::Vm;

/// String_Op sub-operations.
mod op {
    pub const GET_LENGTH: u64 = 1;
    pub const APPEND: u64 = 3;
    pub const TO_STD_STRING: u64 = 7;
    pub const COMPARE: u64 = 8;
    pub const COMPARE_CSTR: u64 = 9;
}

/// The text of the string-like Variant at `index`, and its type.
fn string_at_index(m: &Vm, index: i32) -> Result<(GString, VariantType), HostError> {
    let value = indexed(m, index)?;
    match value.get_type() {
        ty @ (VariantType::STRING | VariantType::STRING_NAME | VariantType::NODE_PATH) => Ok((value.stringify(), ty)),
        ty => Err(refused(format!("Variant {index} is a {ty:?}, not a String"))),
    }
}

/// Stores `text` at `index` in place of `replaced`, keeping the type `ty`; the host's copy is
/// billed to the guest, and what it adds to the String counts against the call's host memory.
fn store(m: &mut Vm, index: i32, replaced: &GString, text: &GString, ty: VariantType) -> Result<(), HostError> {
    // Each append may double a String for a few guest instructions: bounded like any container.
    if text.len() as u64 > MAX_ELEMENTS {
        return Err(refused(format!("String of {} characters is too long (at most {MAX_ELEMENTS})", text.len())));
    }
    let character = element_bytes(VariantType::STRING);
    m.charge_bytes(character * text.len() as u64);
    hold(m, character * text.len().saturating_sub(replaced.len()) as u64)?;
    let value = text_of_type(ty, &text.to_string())?;
    Ok(m.data.refs.set(index, value)?)
}

/// 525 STRING_CREATE: a0/a1 = UTF-8 text. a0 = index of a new String.
pub fn string_create(m: &mut Vm) -> HostResult {
    let text = GString::from(&read_str(m, m.sysarg(0), m.sysarg(1))?);
    hold(m, element_bytes(VariantType::STRING) * text.len() as u64)?;
    let index = m.data.refs.add(text.to_variant())?;
    m.set_result(index as u32 as u64);
    Ok(())
}

/// 526 STRING_OPS: a0 = String_Op, a1 = String index, a2 = integer, a3 = pointer.
pub fn string_ops(m: &mut Vm) -> HostResult {
    let (operation, index, int_arg, ptr) = (m.sysarg(0), m.sysarg(1) as u32 as i32, m.sysarg(2) as i64, m.sysarg(3));
    let (text, ty) = string_at_index(m, index)?;
    match operation {
        op::GET_LENGTH => m.set_result(text.len() as u64),
        op::APPEND => {
            let other = read_variant(m, ptr)?;
            let other = text_of(m, &other)?;
            let joined = GString::from(&format!("{text}{other}"));
            store(m, index, &text, &joined, ty)?;
        }
        op::TO_STD_STRING => {
            let utf8 = text.to_string();
            match int_arg {
                0 => write_std_string(m, ptr, utf8.as_bytes())?,
                1 => {
                    let (mut data, capacity) = (m.memory.read_u64(ptr)?, m.memory.read_u64(ptr + 8)?);
                    if capacity < utf8.len() as u64 || data == 0 {
                        data = guest_malloc(m, utf8.len() as u64 + 1)?;
                        m.memory.write_u64(ptr, data)?;
                    }
                    m.memory.copy_to_guest(data, utf8.as_bytes())?;
                    m.memory.write_u64(ptr + 8, utf8.len() as u64)?;
                }
                2 => write_utf32(m, ptr, &utf8)?,
                other => return Err(refused(format!("invalid String conversion {other}"))),
            }
        }
        op::COMPARE => {
            let other_index = m.memory.read_u32(ptr)? as i32;
            let (other, _) = string_at_index(m, other_index)?;
            m.set_result((text == other) as u64);
        }
        op::COMPARE_CSTR => {
            let other = String::from_utf8_lossy(m.memory.c_string(ptr, 4 << 20)?).into_owned();
            m.set_result((text.to_string() == other) as u64);
        }
        other => return Err(refused(format!("invalid or unimplemented String operation {other}"))),
    }
    Ok(())
}

/// 527 STRING_AT: a0 = String index, a1 = character (int32; negative counts from the end).
/// a0 = index of a new one-character String.
pub fn string_at(m: &mut Vm) -> HostResult {
    let (index, i) = (m.sysarg(0) as u32 as i32, m.sysarg(1) as u32 as i32 as i64);
    let value = indexed(m, index)?;
    if value.get_type() != VariantType::STRING {
        return Err(refused(format!("Variant {index} is a {:?}, not a String", value.get_type())));
    }
    let chars: Vec<char> = value.to::<GString>().chars().to_vec();
    let len = chars.len() as i64;
    let at = if i < 0 { i + len } else { i };
    if !(0..len).contains(&at) {
        return Err(refused(format!("String index {i} out of bounds (length {len})")));
    }
    let new_index = m.data.refs.add(GString::from(&chars[at as usize].to_string()).to_variant())?;
    m.set_result(new_index as u32 as u64);
    Ok(())
}

/// 528 STRING_SIZE: a0 = index of a String, StringName or NodePath. a0 = its length.
pub fn string_size(m: &mut Vm) -> HostResult {
    let (text, _) = string_at_index(m, m.sysarg(0) as u32 as i32)?;
    m.set_result(text.len() as u64);
    Ok(())
}

/// 529 STRING_APPEND: a0 = index, a1/a2 = UTF-8 text appended in place.
pub fn string_append(m: &mut Vm) -> HostResult {
    let index = m.sysarg(0) as u32 as i32;
    let suffix = read_str(m, m.sysarg(1), m.sysarg(2))?;
    let (text, ty) = string_at_index(m, index)?;
    store(m, index, &text, &GString::from(&format!("{text}{suffix}")), ty)
}
