//! Moving strings and containers between Godot and guest C++ containers: VCREATE (517),
//! VFETCH (519), VSTORE (520), and the guest `std::string` / `std::vector` layouts
//! (libstdc++, RV64; docs/guest-abi.md §7.4, §7.5, §7.12).
//!
//! Memory the host hands to the guest (a long string's buffer, a vector's storage) comes from
//! the guest's own `malloc`, called as a nested guest call, so the guest frees it normally.

use godot::prelude::*;
use rvsandbox_vm::{Arg, HostError};

use super::{element_bytes, hold, indexed, read_str, refused, text_of_type, HostResult, MAX_ELEMENTS};
use crate::abi::variant::variant_type;
use crate::abi::GuestVariant;
use crate::runtime::Vm;

/// The most elements a guest may ask for (godot-sandbox's `MAX_ARRAY_ELEMENTS`).
/// Longest inline (SSO) `std::string`.
const SSO_CAPACITY: u64 = 15;
/// `sizeof(std::string)`.
const STD_STRING_SIZE: u64 = 32;

// ---------------------------------------------------------------------------------------------
// Guest memory and guest C++ containers.

/// Allocates `size` bytes with the guest's `malloc`.
pub fn guest_malloc(m: &mut Vm, size: u64) -> Result<u64, HostError> {
    let malloc = m.data.malloc.ok_or_else(|| refused("the program has no malloc to receive host data"))?;
    let ptr = m.preempt(malloc, &[Arg::Int(size.max(1) as i64)]).map_err(|e| HostError::Nested(Box::new(e)))?;
    if ptr == 0 {
        return Err(refused(format!("guest malloc({size}) failed")));
    }
    Ok(ptr)
}

fn guest_free(m: &mut Vm, ptr: u64) -> Result<(), HostError> {
    if let (Some(free), true) = (m.data.free, ptr != 0) {
        m.preempt(free, &[Arg::Int(ptr as i64)]).map_err(|e| HostError::Nested(Box::new(e)))?;
    }
    Ok(())
}

/// Where the characters of the guest `std::string` at `addr` are, and how many.
fn std_string_parts(m: &Vm, addr: u64) -> Result<(u64, u64), HostError> {
    Ok((m.memory.read_u64(addr)?, m.memory.read_u64(addr + 8)?))
}

/// Assigns `text` to the (constructed) guest `std::string` at `addr`.
pub fn write_std_string(m: &mut Vm, addr: u64, text: &[u8]) -> Result<(), HostError> {
    let old = m.memory.read_u64(addr)?;
    let len = text.len() as u64;
    let data = if len <= SSO_CAPACITY {
        addr + 16
    } else {
        let data = guest_malloc(m, len + 1)?;
        m.memory.write_u64(addr + 16, len)?; // capacity
        data
    };
    m.memory.copy_to_guest(data, text)?;
    m.memory.write_u8(data + len, 0)?;
    m.memory.write_u64(addr, data)?;
    m.memory.write_u64(addr + 8, len)?;
    if old != addr + 16 {
        guest_free(m, old)?;
    }
    Ok(())
}

/// Writes `text` at `dst` as `{data, length, capacity}` of NUL-terminated UTF-32 code units in
/// memory from the guest's `malloc` (the layout of the UTF-32 string conversions).
pub fn write_utf32(m: &mut Vm, dst: u64, text: &str) -> Result<(), HostError> {
    let units: Vec<u8> = text.chars().chain(['\0']).flat_map(|c| (c as u32).to_le_bytes()).collect();
    let data = guest_malloc(m, units.len() as u64)?;
    m.memory.copy_to_guest(data, &units)?;
    let chars = units.len() as u64 / 4 - 1;
    m.memory.write_u64(dst, data)?;
    m.memory.write_u64(dst + 8, chars)?;
    m.memory.write_u64(dst + 16, chars)?;
    Ok(())
}

/// Replaces the contents of the guest `std::vector` at `addr` with `bytes` (its elements'
/// raw bytes).
pub fn write_std_vector(m: &mut Vm, addr: u64, bytes: &[u8]) -> Result<u64, HostError> {
    let old = m.memory.read_u64(addr)?;
    let begin = if bytes.is_empty() { 0 } else { guest_malloc(m, bytes.len() as u64)? };
    if !bytes.is_empty() {
        m.memory.copy_to_guest(begin, bytes)?;
    }
    let end = begin + bytes.len() as u64;
    m.memory.write_u64(addr, begin)?;
    m.memory.write_u64(addr + 8, end)?;
    m.memory.write_u64(addr + 16, end)?;
    guest_free(m, old)?;
    Ok(begin)
}

/// (begin, length in bytes) of the guest `std::vector` at `addr`.
fn read_std_vector(m: &Vm, addr: u64) -> Result<(u64, u64), HostError> {
    let (begin, end) = (m.memory.read_u64(addr)?, m.memory.read_u64(addr + 8)?);
    let len = end.checked_sub(begin).ok_or_else(|| refused("corrupt std::vector (end < begin)"))?;
    Ok((begin, len))
}

/// Fills the guest `std::vector<std::string>` at `addr`.
pub fn write_string_vector(m: &mut Vm, addr: u64, strings: &[String]) -> Result<(), HostError> {
    let begin = write_std_vector(m, addr, &vec![0; strings.len() * STD_STRING_SIZE as usize])?;
    for (i, s) in strings.iter().enumerate() {
        let element = begin + STD_STRING_SIZE * i as u64;
        m.memory.write_u64(element, element + 16)?; // an empty inline string first
        write_std_string(m, element, s.as_bytes())?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Packed arrays as raw guest bytes.

#[derive(Clone, Copy)]
enum Packed {
    Byte,
    I32,
    I64,
    F32,
    F64,
    V2,
    V3,
    V4,
    Color,
}

/// The bytes of one element of the packed array type `ty` (`None` for other types).
pub fn packed_element_bytes(ty: VariantType) -> Option<u64> {
    packed_kind(ty).map(Packed::element_size)
}

fn packed_kind(ty: VariantType) -> Option<Packed> {
    Some(match ty {
        VariantType::PACKED_BYTE_ARRAY => Packed::Byte,
        VariantType::PACKED_INT32_ARRAY => Packed::I32,
        VariantType::PACKED_INT64_ARRAY => Packed::I64,
        VariantType::PACKED_FLOAT32_ARRAY => Packed::F32,
        VariantType::PACKED_FLOAT64_ARRAY => Packed::F64,
        VariantType::PACKED_VECTOR2_ARRAY => Packed::V2,
        VariantType::PACKED_VECTOR3_ARRAY => Packed::V3,
        VariantType::PACKED_VECTOR4_ARRAY => Packed::V4,
        VariantType::PACKED_COLOR_ARRAY => Packed::Color,
        _ => return None,
    })
}

impl Packed {
    fn element_size(self) -> u64 {
        match self {
            Packed::Byte => 1,
            Packed::I32 | Packed::F32 => 4,
            Packed::I64 | Packed::F64 | Packed::V2 => 8,
            Packed::V3 => 12,
            Packed::V4 | Packed::Color => 16,
        }
    }
}

fn f32s(bytes: &[u8]) -> impl Iterator<Item = f32> + '_ {
    bytes.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
}

fn packed_from_bytes(kind: Packed, bytes: &[u8]) -> Variant {
    let floats: Vec<f32> = f32s(bytes).collect();
    match kind {
        Packed::Byte => PackedByteArray::from(bytes).to_variant(),
        Packed::I32 => bytes
            .chunks_exact(4)
            .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect::<PackedInt32Array>()
            .to_variant(),
        Packed::I64 => bytes
            .chunks_exact(8)
            .map(|c| i64::from_le_bytes(c.try_into().unwrap_or_default()))
            .collect::<PackedInt64Array>()
            .to_variant(),
        Packed::F32 => PackedFloat32Array::from(floats.as_slice()).to_variant(),
        Packed::F64 => bytes
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().unwrap_or_default()))
            .collect::<PackedFloat64Array>()
            .to_variant(),
        Packed::V2 => {
            floats.chunks_exact(2).map(|c| Vector2::new(c[0], c[1])).collect::<PackedVector2Array>().to_variant()
        }
        Packed::V3 => {
            floats.chunks_exact(3).map(|c| Vector3::new(c[0], c[1], c[2])).collect::<PackedVector3Array>().to_variant()
        }
        Packed::V4 => floats
            .chunks_exact(4)
            .map(|c| Vector4::new(c[0], c[1], c[2], c[3]))
            .collect::<PackedVector4Array>()
            .to_variant(),
        Packed::Color => floats
            .chunks_exact(4)
            .map(|c| Color::from_rgba(c[0], c[1], c[2], c[3]))
            .collect::<PackedColorArray>()
            .to_variant(),
    }
}

fn packed_to_bytes(value: &Variant) -> Option<Vec<u8>> {
    fn floats(values: impl Iterator<Item = f32>) -> Vec<u8> {
        values.flat_map(f32::to_le_bytes).collect()
    }
    Some(match value.get_type() {
        VariantType::PACKED_BYTE_ARRAY => value.to::<PackedByteArray>().to_vec(),
        VariantType::PACKED_INT32_ARRAY => {
            value.to::<PackedInt32Array>().as_slice().iter().flat_map(|v| v.to_le_bytes()).collect()
        }
        VariantType::PACKED_INT64_ARRAY => {
            value.to::<PackedInt64Array>().as_slice().iter().flat_map(|v| v.to_le_bytes()).collect()
        }
        VariantType::PACKED_FLOAT32_ARRAY => floats(value.to::<PackedFloat32Array>().as_slice().iter().copied()),
        VariantType::PACKED_FLOAT64_ARRAY => {
            value.to::<PackedFloat64Array>().as_slice().iter().flat_map(|v| v.to_le_bytes()).collect()
        }
        VariantType::PACKED_VECTOR2_ARRAY => {
            floats(value.to::<PackedVector2Array>().as_slice().iter().flat_map(|v| [v.x, v.y]))
        }
        VariantType::PACKED_VECTOR3_ARRAY => {
            floats(value.to::<PackedVector3Array>().as_slice().iter().flat_map(|v| [v.x, v.y, v.z]))
        }
        VariantType::PACKED_VECTOR4_ARRAY => {
            floats(value.to::<PackedVector4Array>().as_slice().iter().flat_map(|v| [v.x, v.y, v.z, v.w]))
        }
        VariantType::PACKED_COLOR_ARRAY => {
            floats(value.to::<PackedColorArray>().as_slice().iter().flat_map(|c| [c.r, c.g, c.b, c.a]))
        }
        _ => return None,
    })
}

fn read_utf32(m: &Vm, ptr: u64, count: u64) -> Result<String, HostError> {
    if count > MAX_ELEMENTS {
        return Err(refused(format!("string of {count} characters is too long")));
    }
    let bytes = m.memory.view(ptr, count * 4)?;
    Ok(bytes.chunks_exact(4).filter_map(|c| char::from_u32(u32::from_le_bytes([c[0], c[1], c[2], c[3]]))).collect())
}

/// The strings of a guest `std::vector<std::string>` (or of {ptr, len} pairs).
fn read_string_vector(m: &mut Vm, addr: u64, pairs: bool) -> Result<PackedStringArray, HostError> {
    let (begin, len) = read_std_vector(m, addr)?;
    let stride = if pairs { 16 } else { STD_STRING_SIZE };
    read_strings(m, begin, len / stride, pairs)
}

/// `count` strings from `begin` on, each a {ptr, len} pair or a `std::string`. Each is counted
/// against the call's host memory before it is read: the guest may point every element at the
/// same long text.
fn read_strings(m: &mut Vm, begin: u64, count: u64, pairs: bool) -> Result<PackedStringArray, HostError> {
    if count > MAX_ELEMENTS {
        return Err(refused("too many strings"));
    }
    let stride = if pairs { 16 } else { STD_STRING_SIZE };
    let mut out = PackedStringArray::new();
    for i in 0..count {
        let element = begin + stride * i;
        let (ptr, len) = if pairs {
            (m.memory.read_u64(element)?, m.memory.read_u64(element + 8)?)
        } else {
            std_string_parts(m, element)?
        };
        hold(
            m,
            element_bytes(VariantType::STRING)
                .saturating_mul(len)
                .saturating_add(element_bytes(VariantType::PACKED_STRING_ARRAY)),
        )?;
        out.push(&GString::from(&read_str(m, ptr, len)?));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// The host calls.

/// 517 VCREATE: a0 = destination Variant, a1 = type, a2 = method, a3 = data. The destination
/// becomes a new scoped Variant of that type.
pub fn vcreate(m: &mut Vm) -> HostResult {
    let (dst, ty_number, method, data) = (m.sysarg(0), m.sysarg(1) as u32, m.sysarg(2) as i64, m.sysarg(3));
    let ty = variant_type(ty_number).ok_or_else(|| refused(format!("VCREATE: invalid type {ty_number}")))?;
    let value = match ty {
        VariantType::STRING | VariantType::STRING_NAME | VariantType::NODE_PATH => {
            // Where the text is, and how many bytes (UTF-8) or characters (UTF-32): counted
            // before it is read.
            let (ptr, len) = match method {
                0 => std_string_parts(m, data)?,
                1..=3 => (m.memory.read_u64(data)?, m.memory.read_u64(data + 8)?),
                other => return Err(refused(format!("VCREATE: invalid string method {other}"))),
            };
            hold(m, element_bytes(VariantType::STRING).saturating_mul(len))?;
            let text = if method >= 2 { read_utf32(m, ptr, len)? } else { read_str(m, ptr, len)? };
            text_of_type(ty, &text)?
        }
        VariantType::ARRAY => {
            let mut array = VarArray::new();
            let (begin, count) = match method {
                _ if data == 0 => (0, 0),
                -1 => {
                    let (begin, len) = read_std_vector(m, data)?;
                    (begin, len / 24)
                }
                n if n >= 0 => (data, n as u64),
                _ => (0, 0),
            };
            if count > MAX_ELEMENTS {
                return Err(refused("VCREATE: too many array elements"));
            }
            hold(m, element_bytes(VariantType::ARRAY) * count)?;
            for i in 0..count {
                array.push(&super::read_variant(m, begin + 24 * i)?);
            }
            array.to_variant()
        }
        VariantType::DICTIONARY => {
            let count = method as u64;
            if !count.is_multiple_of(2) || count > 1024 || (data == 0 && count > 0) {
                return Err(refused(format!("VCREATE: invalid Dictionary element count {method}")));
            }
            hold(m, element_bytes(VariantType::DICTIONARY) * count / 2)?;
            let mut dict = VarDictionary::new();
            for pair in super::read_variants(m, data, count)?.chunks_exact(2) {
                dict.set(&pair[0], &pair[1]);
            }
            dict.to_variant()
        }
        VariantType::PACKED_STRING_ARRAY => match method {
            _ if data == 0 => PackedStringArray::new().to_variant(),
            -1 => read_string_vector(m, data, false)?.to_variant(),
            -2 => read_string_vector(m, data, true)?.to_variant(),
            other => return Err(refused(format!("VCREATE: invalid PackedStringArray method {other}"))),
        },
        _ => {
            let kind = packed_kind(ty).ok_or_else(|| refused(format!("VCREATE: unsupported type {ty:?}")))?;
            let (begin, len) = if data == 0 {
                (0, 0)
            } else if method < 0 || matches!(kind, Packed::Color) {
                read_std_vector(m, data)?
            } else {
                // Saturating: a count this large is refused just below.
                (data, (method as u64).saturating_mul(kind.element_size()))
            };
            if len / kind.element_size() > MAX_ELEMENTS {
                return Err(refused("VCREATE: too many elements"));
            }
            hold(m, len)?;
            let bytes = if len == 0 { Vec::new() } else { m.memory.view(begin, len)?.to_vec() };
            packed_from_bytes(kind, &bytes)
        }
    };
    let index = m.data.refs.add(value)?;
    GuestVariant::scoped(ty, index).write(&mut m.memory, dst)?;
    Ok(())
}

/// 519 VFETCH: a0 = Variant index, a1 = destination guest container, a2 = method.
pub fn vfetch(m: &mut Vm) -> HostResult {
    let (index, dst, method) = (m.sysarg(0) as u32 as i32, m.sysarg(1), m.sysarg(2));
    let value = indexed(m, index)?;
    match value.get_type() {
        VariantType::STRING | VariantType::STRING_NAME | VariantType::NODE_PATH => {
            let text = value.stringify().to_string();
            match method {
                0 => write_std_string(m, dst, text.as_bytes())?,
                1 => {
                    let ptr = guest_malloc(m, text.len() as u64 + 1)?;
                    m.memory.copy_to_guest(ptr, text.as_bytes())?;
                    m.memory.write_u8(ptr + text.len() as u64, 0)?;
                    m.memory.write_u64(dst, ptr)?;
                    m.memory.write_u64(dst + 8, text.len() as u64)?;
                }
                2 => write_utf32(m, dst, &text)?,
                other => return Err(refused(format!("VFETCH: invalid string method {other}"))),
            }
        }
        VariantType::PACKED_STRING_ARRAY => {
            let strings: Vec<String> =
                value.to::<PackedStringArray>().as_slice().iter().map(|s| s.to_string()).collect();
            match method {
                0 => write_string_vector(m, dst, &strings)?,
                1 => {
                    let begin = write_std_vector(m, dst, &vec![0; strings.len() * 16])?;
                    for (i, s) in strings.iter().enumerate() {
                        let ptr = guest_malloc(m, s.len() as u64 + 1)?;
                        m.memory.copy_to_guest(ptr, s.as_bytes())?;
                        m.memory.write_u8(ptr + s.len() as u64, 0)?;
                        m.memory.write_u64(begin + 16 * i as u64, ptr)?;
                        m.memory.write_u64(begin + 16 * i as u64 + 8, s.len() as u64)?;
                    }
                }
                other => return Err(refused(format!("VFETCH: invalid PackedStringArray method {other}"))),
            }
        }
        ty => {
            let bytes = packed_to_bytes(&value).ok_or_else(|| refused(format!("VFETCH: unsupported type {ty:?}")))?;
            write_std_vector(m, dst, &bytes)?;
        }
    }
    Ok(())
}

/// 520 VSTORE: a0 = pointer to a u32 index (in/out), a1 = packed type, a2 = data, a3 = element
/// count (PackedStringArray: bit 31 set = {ptr, len} elements, else `std::string`s).
pub fn vstore(m: &mut Vm) -> HostResult {
    let (index_ptr, ty_number, data, count) = (m.sysarg(0), m.sysarg(1) as u32, m.sysarg(2), m.sysarg(3));
    let ty = variant_type(ty_number).ok_or_else(|| refused(format!("VSTORE: invalid type {ty_number}")))?;
    let value = if ty == VariantType::PACKED_STRING_ARRAY {
        let pairs = count & (1 << 31) != 0;
        read_strings(m, data, count & !(1 << 31), pairs)?.to_variant()
    } else {
        let kind = packed_kind(ty).ok_or_else(|| refused(format!("VSTORE: {ty:?} is not a packed array type")))?;
        if count > MAX_ELEMENTS {
            return Err(refused("VSTORE: too many elements"));
        }
        let len = count * kind.element_size();
        hold(m, len)?;
        let bytes = if len == 0 { Vec::new() } else { m.memory.view(data, len)?.to_vec() };
        packed_from_bytes(kind, &bytes)
    };
    let index = m.memory.read_u32(index_ptr)? as i32;
    let reusable = m.data.refs.get(index).is_ok_and(|v| v.get_type() == ty || v.is_nil());
    if reusable {
        m.data.refs.set(index, value)?;
    } else {
        let new_index = m.data.refs.add(value)?;
        m.memory.write_u32(index_ptr, new_index as u32)?;
    }
    Ok(())
}
