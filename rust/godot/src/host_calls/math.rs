//! Float math done by the host: SINCOS (513), VEC2_LENGTH (514), VEC2_NORMALIZED (515),
//! VEC2_ROTATED (516), MATH_OP32/64 (533/534) and LERP_OP32/64 (535/536).
//!
//! Arguments come in fa0.. (floats NaN-boxed for the 32-bit forms, doubles for the 64-bit
//! ones) after the operation number in a0; results go to fa0 (and fa1).

use super::{refused, HostResult};
use crate::runtime::Vm;

/// Math_Op (533/534).
mod math_op {
    pub const SIN: u64 = 0;
    pub const COS: u64 = 1;
    pub const TAN: u64 = 2;
    pub const ASIN: u64 = 3;
    pub const ACOS: u64 = 4;
    pub const ATAN: u64 = 5;
    pub const ATAN2: u64 = 6;
    pub const POW: u64 = 7;
}

/// Lerp_Op (535/536).
mod lerp_op {
    pub const LERP: u64 = 0;
    pub const SMOOTHSTEP: u64 = 1;
    pub const CLAMP: u64 = 2;
    pub const SLERP: u64 = 3;
}

/// The width of a host-call's float arguments and results.
#[derive(Clone, Copy)]
pub(super) enum Width {
    F32,
    F64,
}

fn arg(m: &Vm, n: u8, width: Width) -> f64 {
    match width {
        Width::F32 => f32::from_bits(m.cpu.freg(10 + n) as u32) as f64,
        Width::F64 => m.sysarg_f64(n),
    }
}

/// Sets fa0, fa1, ... to `values`.
pub(super) fn results(m: &mut Vm, width: Width, values: &[f64]) {
    for (i, &v) in values.iter().enumerate() {
        let bits = match width {
            Width::F32 => 0xffff_ffff_0000_0000 | (v as f32).to_bits() as u64,
            Width::F64 => v.to_bits(),
        };
        m.cpu.set_freg(10 + i as u8, bits);
    }
}

/// 513 SINCOS: fa0 = angle. fa0 = sin, fa1 = cos (floats).
pub fn sincos(m: &mut Vm) -> HostResult {
    let angle = arg(m, 0, Width::F32) as f32;
    results(m, Width::F32, &[angle.sin() as f64, angle.cos() as f64]);
    Ok(())
}

/// 514 VEC2_LENGTH: fa0, fa1 = x, y. fa0 = length.
pub fn vec2_length(m: &mut Vm) -> HostResult {
    let (x, y) = (arg(m, 0, Width::F32) as f32, arg(m, 1, Width::F32) as f32);
    results(m, Width::F32, &[(x * x + y * y).sqrt() as f64]);
    Ok(())
}

/// 515 VEC2_NORMALIZED: fa0, fa1 = x, y. fa0, fa1 = the unit vector (unchanged if the length
/// is at most 1e-4).
pub fn vec2_normalized(m: &mut Vm) -> HostResult {
    let (x, y) = (arg(m, 0, Width::F32) as f32, arg(m, 1, Width::F32) as f32);
    let length = (x * x + y * y).sqrt();
    let (x, y) = if length > 1e-4 { (x / length, y / length) } else { (x, y) };
    results(m, Width::F32, &[x as f64, y as f64]);
    Ok(())
}

/// 516 VEC2_ROTATED: fa0, fa1 = x, y, fa2 = angle. fa0, fa1 = the rotated vector.
pub fn vec2_rotated(m: &mut Vm) -> HostResult {
    let (x, y, angle) = (arg(m, 0, Width::F32) as f32, arg(m, 1, Width::F32) as f32, arg(m, 2, Width::F32) as f32);
    let (sin, cos) = angle.sin_cos();
    results(m, Width::F32, &[(x * cos - y * sin) as f64, (x * sin + y * cos) as f64]);
    Ok(())
}

fn math_op(m: &mut Vm, width: Width) -> HostResult {
    let (x, y) = (arg(m, 0, width), arg(m, 1, width));
    let value = match m.sysarg(0) {
        math_op::SIN => x.sin(),
        math_op::COS => x.cos(),
        math_op::TAN => x.tan(),
        math_op::ASIN => x.asin(),
        math_op::ACOS => x.acos(),
        math_op::ATAN => x.atan(),
        math_op::ATAN2 => x.atan2(y),
        math_op::POW => x.powf(y),
        other => return Err(refused(format!("invalid Math operation {other}"))),
    };
    results(m, width, &[value]);
    Ok(())
}

/// 533 MATH_OP32: a0 = Math_Op, fa0 (, fa1) = floats. fa0 = the float result.
pub fn math_op32(m: &mut Vm) -> HostResult {
    math_op(m, Width::F32)
}

/// 534 MATH_OP64: the same with doubles.
pub fn math_op64(m: &mut Vm) -> HostResult {
    math_op(m, Width::F64)
}

fn lerp_op(m: &mut Vm, width: Width) -> HostResult {
    let (a, b, t) = (arg(m, 0, width), arg(m, 1, width), arg(m, 2, width));
    let value = match m.sysarg(0) {
        lerp_op::LERP => a * (1.0 - t) + b * t,
        lerp_op::SMOOTHSTEP => {
            let s = ((t - a) / (b - a)).clamp(0.0, 1.0);
            s * s * (3.0 - 2.0 * s)
        }
        lerp_op::CLAMP => a.max(b).min(t),
        lerp_op::SLERP => {
            // godot-sandbox's own formula for scalars.
            let dot = a * b + 1.0;
            if dot > 0.9995 {
                a
            } else {
                let theta = dot.clamp(-1.0, 1.0).acos();
                (a * ((1.0 - t) * theta).sin() + b * (t * theta).sin()) / theta.sin()
            }
        }
        other => return Err(refused(format!("invalid Lerp operation {other}"))),
    };
    results(m, width, &[value]);
    Ok(())
}

/// 535 LERP_OP32: a0 = Lerp_Op, fa0, fa1, fa2 = floats. fa0 = the float result.
pub fn lerp_op32(m: &mut Vm) -> HostResult {
    lerp_op(m, Width::F32)
}

/// 536 LERP_OP64: the same with doubles.
pub fn lerp_op64(m: &mut Vm) -> HostResult {
    lerp_op(m, Width::F64)
}
