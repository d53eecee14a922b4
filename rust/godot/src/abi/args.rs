//! Laying out the arguments of a host → guest call (docs/guest-abi.md §3.3, §3.4).
//!
//! Both conventions pass a0 = pointer to the return Variant (the hidden sret pointer of a C++
//! function returning `Variant`). The Variants live in a *frame* the caller reserved in guest
//! memory (see `runtime::frame_address`).
//!
//! - Boxed: every argument is a guest Variant in the frame; a1..a7 point at the first seven,
//!   the rest are pointers in stack slots at 0(sp), 8(sp), ...
//! - Unboxed: arguments go in registers by type, integers from a1 and floats from fa0.

use godot::prelude::*;
use rvsandbox_vm::{Arg, Memory};

use super::refs::Refs;
use super::variant::{GuestVariant, SIZE};
use super::AbiError;

/// The most arguments of one call (godot-sandbox's `CallABI::MAX_ARGUMENTS`).
pub const MAX_ARGUMENTS: usize = 16;
/// Argument pointers passed in registers by the boxed convention (a1..a7).
const BOXED_REGISTERS: usize = 7;

/// How arguments are passed to a guest function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Convention {
    /// Pointers to guest Variants.
    Boxed,
    /// Values in registers by type ("native types").
    Unboxed,
}

/// A laid-out call: registers to set and stack slots to place at the callee's `sp`.
pub struct CallFrame {
    /// The return Variant (initialised to NIL).
    pub ret: u64,
    /// a0 first, then the argument registers in order.
    pub registers: Vec<Arg<'static>>,
    /// Boxed arguments beyond the seventh: pointers for 0(sp), 8(sp), ...
    pub stack_slots: Vec<u64>,
}

/// Bytes of frame memory a call with `argc` arguments needs.
pub fn frame_size(argc: usize) -> u64 {
    SIZE * (argc as u64 + 1)
}

/// Writes the return slot and the arguments at `frame` and returns the registers to set.
pub fn lay_out(
    memory: &mut Memory,
    refs: &mut Refs,
    frame: u64,
    args: &[&Variant],
    convention: Convention,
) -> Result<CallFrame, AbiError> {
    if args.len() > MAX_ARGUMENTS {
        return Err(AbiError::TooManyArguments { max: MAX_ARGUMENTS, got: args.len() });
    }
    GuestVariant::nil().write(memory, frame)?;
    let mut out = CallFrame { ret: frame, registers: vec![Arg::Int(frame as i64)], stack_slots: Vec::new() };
    match convention {
        Convention::Boxed => {
            for (k, arg) in args.iter().enumerate() {
                let addr = frame + SIZE * (k as u64 + 1);
                GuestVariant::from_variant(arg, refs)?.write(memory, addr)?;
                if k < BOXED_REGISTERS {
                    out.registers.push(Arg::Int(addr as i64));
                } else {
                    out.stack_slots.push(addr);
                }
            }
        }
        Convention::Unboxed => {
            let (mut ints, mut floats) = (0usize, 0usize);
            for (k, arg) in args.iter().enumerate() {
                for reg in unboxed(memory, refs, frame + SIZE * (k as u64 + 1), arg)? {
                    match reg {
                        Arg::Float(_) | Arg::Float32(_) => floats += 1,
                        _ => ints += 1,
                    }
                    out.registers.push(reg);
                }
            }
            if ints > BOXED_REGISTERS {
                return Err(AbiError::RegisterOverflow("more than 7 integer registers (a1-a7)"));
            }
            if floats > 8 {
                return Err(AbiError::RegisterOverflow("more than 8 floating-point registers (fa0-fa7)"));
            }
        }
    }
    Ok(out)
}

/// The registers one unboxed argument occupies; `slot` is its Variant in the frame, used
/// for types passed by pointer.
fn unboxed(memory: &mut Memory, refs: &mut Refs, slot: u64, arg: &Variant) -> Result<Vec<Arg<'static>>, AbiError> {
    let pair = |lo: u32, hi: u32| Arg::Int((lo as u64 | (hi as u64) << 32) as i64);
    Ok(match arg.get_type() {
        VariantType::BOOL => vec![Arg::Int(arg.to::<bool>() as i64)],
        VariantType::INT => vec![Arg::Int(arg.to::<i64>())],
        VariantType::FLOAT => vec![Arg::Float(arg.to::<f64>())],
        VariantType::VECTOR2 => {
            let v = arg.to::<Vector2>();
            vec![Arg::Float32(v.x), Arg::Float32(v.y)]
        }
        VariantType::VECTOR2I => {
            let v = arg.to::<Vector2i>();
            vec![pair(v.x as u32, v.y as u32)]
        }
        VariantType::VECTOR3 => {
            let v = arg.to::<Vector3>();
            vec![pair(v.x.to_bits(), v.y.to_bits()), Arg::Int(v.z.to_bits() as i64)]
        }
        VariantType::VECTOR3I => {
            let v = arg.to::<Vector3i>();
            vec![pair(v.x as u32, v.y as u32), Arg::Int(v.z as i64)]
        }
        VariantType::VECTOR4 => {
            let v = arg.to::<Vector4>();
            vec![pair(v.x.to_bits(), v.y.to_bits()), pair(v.z.to_bits(), v.w.to_bits())]
        }
        VariantType::VECTOR4I => {
            let v = arg.to::<Vector4i>();
            vec![pair(v.x as u32, v.y as u32), pair(v.z as u32, v.w as u32)]
        }
        VariantType::COLOR => {
            let c = arg.to::<Color>();
            vec![pair(c.r.to_bits(), c.g.to_bits()), pair(c.b.to_bits(), c.a.to_bits())]
        }
        VariantType::PLANE => {
            let p = arg.to::<Plane>();
            vec![pair(p.normal.x.to_bits(), p.normal.y.to_bits()), pair(p.normal.z.to_bits(), p.d.to_bits())]
        }
        VariantType::OBJECT => vec![Arg::Int(GuestVariant::from_variant(arg, refs)?.word() as i64)],
        VariantType::ARRAY
        | VariantType::DICTIONARY
        | VariantType::STRING
        | VariantType::STRING_NAME
        | VariantType::NODE_PATH
        | VariantType::RID
        | VariantType::CALLABLE
        | VariantType::TRANSFORM2D
        | VariantType::BASIS
        | VariantType::TRANSFORM3D
        | VariantType::QUATERNION
        | VariantType::PACKED_BYTE_ARRAY
        | VariantType::PACKED_INT32_ARRAY
        | VariantType::PACKED_INT64_ARRAY
        | VariantType::PACKED_FLOAT32_ARRAY
        | VariantType::PACKED_FLOAT64_ARRAY
        | VariantType::PACKED_STRING_ARRAY
        | VariantType::PACKED_VECTOR2_ARRAY
        | VariantType::PACKED_VECTOR3_ARRAY
        | VariantType::PACKED_COLOR_ARRAY
        | VariantType::PACKED_VECTOR4_ARRAY => {
            vec![Arg::Int(GuestVariant::from_variant(arg, refs)?.index() as u32 as i64)]
        }
        // NIL, RECT2, RECT2I, AABB, PROJECTION, SIGNAL: a pointer to the Variant.
        _ => {
            GuestVariant::from_variant(arg, refs)?.write(memory, slot)?;
            vec![Arg::Int(slot as i64)]
        }
    })
}
