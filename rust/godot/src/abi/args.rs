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

use super::raw::{self, Scalar};
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

/// Registers a laid-out call sets at most: a0, a1..a7 and fa0..fa7.
const MAX_REGISTERS: usize = 1 + BOXED_REGISTERS + 8;
/// Boxed arguments passed on the stack.
const MAX_STACK_SLOTS: usize = MAX_ARGUMENTS - BOXED_REGISTERS;

/// A laid-out call: registers to set and stack slots to place at the callee's `sp`. Lives on
/// the host stack, filled in place by [`lay_out`] (no allocation, no copy per call).
pub struct CallFrame {
    /// The return Variant (initialised to NIL).
    pub ret: u64,
    registers: [Arg<'static>; MAX_REGISTERS],
    register_count: usize,
    /// Unboxed arguments' integer and float registers (a0 not counted), also those that did
    /// not fit.
    ints: usize,
    floats: usize,
    stack_slots: [u64; MAX_STACK_SLOTS],
    stack_slot_count: usize,
}

impl Default for CallFrame {
    fn default() -> CallFrame {
        CallFrame {
            ret: 0,
            registers: [Arg::Int(0); MAX_REGISTERS],
            register_count: 0,
            ints: 0,
            floats: 0,
            stack_slots: [0; MAX_STACK_SLOTS],
            stack_slot_count: 0,
        }
    }
}

impl CallFrame {
    fn reset(&mut self, ret: u64) {
        self.ret = ret;
        self.register_count = 0;
        self.ints = 0;
        self.floats = 0;
        self.stack_slot_count = 0;
        self.push_register(Arg::Int(ret as i64));
    }

    /// a0 first, then the argument registers in order.
    pub fn registers(&self) -> &[Arg<'static>] {
        &self.registers[..self.register_count]
    }

    /// Boxed arguments beyond the seventh: pointers for 0(sp), 8(sp), ...
    pub fn stack_slots(&self) -> &[u64] {
        &self.stack_slots[..self.stack_slot_count]
    }

    /// Adds a register argument; once more than `MAX_REGISTERS` were pushed the rest are only
    /// counted (`lay_out` then refuses the call).
    fn push_register(&mut self, arg: Arg<'static>) {
        if let Some(slot) = self.registers.get_mut(self.register_count) {
            *slot = arg;
            self.register_count += 1;
        }
    }

    /// An unboxed argument's register.
    fn push_unboxed(&mut self, arg: Arg<'static>) {
        match arg {
            Arg::Float(_) | Arg::Float32(_) => self.floats += 1,
            _ => self.ints += 1,
        }
        if self.ints <= BOXED_REGISTERS && self.floats <= 8 {
            self.push_register(arg);
        }
    }
}

/// Bytes of frame memory a call with `argc` arguments needs.
pub fn frame_size(argc: usize) -> u64 {
    SIZE * (argc as u64 + 1)
}

/// Writes the return slot and the arguments at `frame`, and the registers to set to `out`.
pub fn lay_out(
    memory: &mut Memory,
    refs: &mut Refs,
    frame: u64,
    args: &[&Variant],
    convention: Convention,
    out: &mut CallFrame,
) -> Result<(), AbiError> {
    if args.len() > MAX_ARGUMENTS {
        return Err(AbiError::TooManyArguments { max: MAX_ARGUMENTS, got: args.len() });
    }
    GuestVariant::nil().write(memory, frame)?;
    out.reset(frame);
    match convention {
        Convention::Boxed => {
            for (k, arg) in args.iter().enumerate() {
                let addr = frame + SIZE * (k as u64 + 1);
                GuestVariant::from_variant(arg, refs)?.write(memory, addr)?;
                if k < BOXED_REGISTERS {
                    out.push_register(Arg::Int(addr as i64));
                } else {
                    out.stack_slots[out.stack_slot_count] = addr;
                    out.stack_slot_count += 1;
                }
            }
        }
        Convention::Unboxed => {
            for (k, arg) in args.iter().enumerate() {
                unboxed(memory, refs, frame + SIZE * (k as u64 + 1), arg, out)?;
            }
            if out.ints > BOXED_REGISTERS {
                return Err(AbiError::RegisterOverflow("more than 7 integer registers (a1-a7)"));
            }
            if out.floats > 8 {
                return Err(AbiError::RegisterOverflow("more than 8 floating-point registers (fa0-fa7)"));
            }
        }
    }
    Ok(())
}

/// Pushes the registers (one or two) one unboxed argument occupies; `slot` is its Variant in
/// the frame, used for types passed by pointer.
fn unboxed(
    memory: &mut Memory,
    refs: &mut Refs,
    slot: u64,
    arg: &Variant,
    out: &mut CallFrame,
) -> Result<(), AbiError> {
    // The common case, read straight from the Variant (see `raw.rs`).
    if let Some(value) = raw::scalar(arg) {
        out.push_unboxed(match value {
            Scalar::Bool(b) => Arg::Int(b as i64),
            Scalar::Int(i) => Arg::Int(i),
            Scalar::Float(f) => Arg::Float(f),
        });
        return Ok(());
    }
    let pair = |lo: u32, hi: u32| Arg::Int((lo as u64 | (hi as u64) << 32) as i64);
    let (first, second) = match arg.get_type() {
        VariantType::BOOL => (Arg::Int(arg.to::<bool>() as i64), None),
        VariantType::INT => (Arg::Int(arg.to::<i64>()), None),
        VariantType::FLOAT => (Arg::Float(arg.to::<f64>()), None),
        VariantType::VECTOR2 => {
            let v = arg.to::<Vector2>();
            (Arg::Float32(v.x), Some(Arg::Float32(v.y)))
        }
        VariantType::VECTOR2I => {
            let v = arg.to::<Vector2i>();
            (pair(v.x as u32, v.y as u32), None)
        }
        VariantType::VECTOR3 => {
            let v = arg.to::<Vector3>();
            (pair(v.x.to_bits(), v.y.to_bits()), Some(Arg::Int(v.z.to_bits() as i64)))
        }
        VariantType::VECTOR3I => {
            let v = arg.to::<Vector3i>();
            (pair(v.x as u32, v.y as u32), Some(Arg::Int(v.z as i64)))
        }
        VariantType::VECTOR4 => {
            let v = arg.to::<Vector4>();
            (pair(v.x.to_bits(), v.y.to_bits()), Some(pair(v.z.to_bits(), v.w.to_bits())))
        }
        VariantType::VECTOR4I => {
            let v = arg.to::<Vector4i>();
            (pair(v.x as u32, v.y as u32), Some(pair(v.z as u32, v.w as u32)))
        }
        VariantType::COLOR => {
            let c = arg.to::<Color>();
            (pair(c.r.to_bits(), c.g.to_bits()), Some(pair(c.b.to_bits(), c.a.to_bits())))
        }
        VariantType::PLANE => {
            let p = arg.to::<Plane>();
            (pair(p.normal.x.to_bits(), p.normal.y.to_bits()), Some(pair(p.normal.z.to_bits(), p.d.to_bits())))
        }
        VariantType::OBJECT => (Arg::Int(GuestVariant::from_variant(arg, refs)?.word() as i64), None),
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
            (Arg::Int(GuestVariant::from_variant(arg, refs)?.index() as u32 as i64), None)
        }
        // NIL, RECT2, RECT2I, AABB, PROJECTION, SIGNAL: a pointer to the Variant.
        _ => {
            GuestVariant::from_variant(arg, refs)?.write(memory, slot)?;
            (Arg::Int(slot as i64), None)
        }
    };
    out.push_unboxed(first);
    if let Some(second) = second {
        out.push_unboxed(second);
    }
    Ok(())
}
