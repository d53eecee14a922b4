//! Vector math on vectors in guest memory: VEC3_OPS (537) and VEC2_OPS (543).
//!
//! The vectors are the guest's own (`real_t` is a float: 8 bytes for a Vector2, 12 for a
//! Vector3), read and written through bounds-checked views. Godot computes the results (its
//! builtin methods, on a host copy), so they are the engine's to the last bit. An input for
//! which Godot would log an error of its own (a normal that is not normalized) is refused first.
//! Double arguments come in `fa0`, `fa1` (godot-sandbox's host reads them there).

use godot::prelude::*;
use rvsandbox_vm::HostError;

use super::math::{results, Width};
use super::{godot_method, refused, write_f64, HostResult};
use crate::runtime::Vm;

/// Vec2_Op (543).
mod vec2_op {
    pub const NORMALIZE: u64 = 0;
    pub const LENGTH: u64 = 1;
    pub const LENGTH_SQ: u64 = 2;
    pub const ANGLE: u64 = 3;
    pub const ANGLE_TO: u64 = 4;
    pub const ANGLE_TO_POINT: u64 = 5;
    pub const PROJECT: u64 = 6;
    pub const DIRECTION_TO: u64 = 7;
    pub const SLIDE: u64 = 8;
    pub const BOUNCE: u64 = 9;
    pub const REFLECT: u64 = 10;
    pub const LIMIT_LENGTH: u64 = 11;
    pub const LERP: u64 = 12;
    pub const CUBIC_INTERPOLATE: u64 = 13;
    pub const MOVE_TOWARD: u64 = 15;
}

/// Vec3_Op (537).
mod vec3_op {
    pub const HASH: u64 = 0;
    pub const LENGTH: u64 = 1;
    pub const NORMALIZE: u64 = 2;
    pub const DOT: u64 = 3;
    pub const CROSS: u64 = 4;
    pub const DISTANCE_TO: u64 = 5;
    pub const DISTANCE_SQ_TO: u64 = 6;
    pub const ANGLE_TO: u64 = 7;
    pub const FLOOR: u64 = 11;
}

/// `N` floats at `addr` in guest memory.
fn read_floats<const N: usize>(m: &Vm, addr: u64) -> Result<[f32; N], HostError> {
    let bytes = m.memory.view(addr, 4 * N as u64)?;
    Ok(std::array::from_fn(|i| {
        f32::from_le_bytes([bytes[4 * i], bytes[4 * i + 1], bytes[4 * i + 2], bytes[4 * i + 3]])
    }))
}

/// Writes `floats` to `addr` in guest memory.
fn write_floats(m: &mut Vm, addr: u64, floats: &[f32]) -> HostResult {
    let bytes = m.memory.view_mut(addr, 4 * floats.len() as u64)?;
    for (chunk, float) in bytes.chunks_exact_mut(4).zip(floats) {
        chunk.copy_from_slice(&float.to_le_bytes());
    }
    Ok(())
}

/// The guest's Vector2 at `addr`.
pub fn read_vector2(m: &Vm, addr: u64) -> Result<Vector2, HostError> {
    let [x, y] = read_floats(m, addr)?;
    Ok(Vector2::new(x, y))
}

/// The guest's Vector3 at `addr`.
pub fn read_vector3(m: &Vm, addr: u64) -> Result<Vector3, HostError> {
    let [x, y, z] = read_floats(m, addr)?;
    Ok(Vector3::new(x, y, z))
}

pub fn write_vector2(m: &mut Vm, addr: u64, v: Vector2) -> HostResult {
    write_floats(m, addr, &[v.x, v.y])
}

pub fn write_vector3(m: &mut Vm, addr: u64, v: Vector3) -> HostResult {
    write_floats(m, addr, &[v.x, v.y, v.z])
}

/// Refuses `vector` unless Godot finds it normalized, as `what` must be (Godot logs an error of
/// its own for one that is not).
pub fn require_normalized(vector: impl ToGodot, what: &str) -> HostResult {
    if godot_method(vector, "is_normalized", &[])?.booleanize() {
        Ok(())
    } else {
        Err(refused(format!("{what} must be normalized")))
    }
}

/// 543 VEC2_OPS: a0 = Vec2_Op, a1 = Vector2* (changed in place by the operations that make a
/// vector); further pointers from a2, doubles in fa0, fa1. Scalar results are doubles written
/// at a2.
pub fn vec2_ops(m: &mut Vm) -> HostResult {
    let (op, at) = (m.sysarg(0), m.sysarg(1));
    let v = read_vector2(m, at)?;
    let vector_at = |m: &Vm, n: u8| read_vector2(m, m.sysarg(n));
    let (fa0, fa1) = (m.sysarg_f64(0), m.sysarg_f64(1));
    let scalar = |method: &str, args: &[Variant]| godot_method(v, method, args).map(|r| r.to::<f64>());
    let vector = |method: &str, args: &[Variant]| godot_method(v, method, args).map(|r| r.to::<Vector2>());
    let result = match op {
        vec2_op::LENGTH => return write_f64(m, m.sysarg(2), scalar("length", &[])?),
        vec2_op::LENGTH_SQ => return write_f64(m, m.sysarg(2), scalar("length_squared", &[])?),
        vec2_op::ANGLE => return write_f64(m, m.sysarg(2), scalar("angle", &[])?),
        // As godot-sandbox does: the angle to the direction `fa0`, and to the point (fa0, fa1)
        // seen as a direction.
        vec2_op::ANGLE_TO => {
            let direction = Vector2::new(fa0.cos() as f32, fa0.sin() as f32);
            return write_f64(m, m.sysarg(2), scalar("angle_to", &[direction.to_variant()])?);
        }
        vec2_op::ANGLE_TO_POINT => {
            let point = Vector2::new(fa0 as f32, fa1 as f32);
            return write_f64(m, m.sysarg(2), scalar("angle_to", &[point.to_variant()])?);
        }
        vec2_op::NORMALIZE => vector("normalized", &[])?,
        vec2_op::PROJECT => vector("project", &[vector_at(m, 2)?.to_variant()])?,
        vec2_op::DIRECTION_TO => vector("direction_to", &[vector_at(m, 2)?.to_variant()])?,
        vec2_op::SLIDE | vec2_op::BOUNCE | vec2_op::REFLECT => {
            let normal = vector_at(m, 2)?;
            let method = match op {
                vec2_op::SLIDE => "slide",
                vec2_op::BOUNCE => "bounce",
                _ => "reflect",
            };
            require_normalized(normal, &format!("the normal of Vector2.{method}"))?;
            vector(method, &[normal.to_variant()])?
        }
        vec2_op::LIMIT_LENGTH => vector("limit_length", &[fa0.to_variant()])?,
        vec2_op::LERP => vector("lerp", &[vector_at(m, 2)?.to_variant(), fa0.to_variant()])?,
        vec2_op::CUBIC_INTERPOLATE => {
            let (b, pre_a, post_b) = (vector_at(m, 2)?, vector_at(m, 3)?, vector_at(m, 4)?);
            vector("cubic_interpolate", &[b.to_variant(), pre_a.to_variant(), post_b.to_variant(), fa0.to_variant()])?
        }
        vec2_op::MOVE_TOWARD => vector("move_toward", &[vector_at(m, 2)?.to_variant(), fa0.to_variant()])?,
        other => return Err(refused(format!("invalid Vector2 operation {other}"))),
    };
    write_vector2(m, at, result)
}

/// 537 VEC3_OPS: a0 = Vector3*, a1 = the other Vector3* (or where NORMALIZE writes), a2 =
/// Vec3_Op. Scalar results are floats in fa0 (HASH: an integer in a0); CROSS writes at a3.
pub fn vec3_ops(m: &mut Vm) -> HostResult {
    let (at, other_at, op) = (m.sysarg(0), m.sysarg(1), m.sysarg(2));
    let v = read_vector3(m, at)?;
    let other = |m: &Vm| read_vector3(m, other_at).map(|o| o.to_variant());
    let float = |method: &str, args: &[Variant]| godot_method(v, method, args).map(|r| r.to::<f64>());
    let value = match op {
        vec3_op::HASH => {
            m.set_result(v.to_variant().hash_u32() as u64);
            return Ok(());
        }
        vec3_op::NORMALIZE => {
            // godot-sandbox's host normalizes the vector at a0 in place, while its guest
            // library's `normalized()` reads the result at a1: both work here.
            let to = if other_at != 0 { other_at } else { at };
            let normalized = godot_method(v, "normalized", &[])?.to::<Vector3>();
            return write_vector3(m, to, normalized);
        }
        vec3_op::CROSS => {
            let cross = godot_method(v, "cross", &[other(m)?])?.to::<Vector3>();
            return write_vector3(m, m.sysarg(3), cross);
        }
        vec3_op::FLOOR => {
            let floor = godot_method(v, "floor", &[])?.to::<Vector3>();
            results(m, Width::F32, &[floor.x as f64, floor.y as f64, floor.z as f64]);
            return Ok(());
        }
        vec3_op::LENGTH => float("length", &[])?,
        vec3_op::DOT => float("dot", &[other(m)?])?,
        vec3_op::DISTANCE_TO => float("distance_to", &[other(m)?])?,
        vec3_op::DISTANCE_SQ_TO => float("distance_squared_to", &[other(m)?])?,
        vec3_op::ANGLE_TO => float("angle_to", &[other(m)?])?,
        other => return Err(refused(format!("invalid Vector3 operation {other}"))),
    };
    results(m, Width::F32, &[value]);
    Ok(())
}
