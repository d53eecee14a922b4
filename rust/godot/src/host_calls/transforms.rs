//! Transforms, bases and quaternions the guest holds by index: TRANSFORM_2D_OPS (540),
//! TRANSFORM_3D_OPS (541), BASIS_OPS (542) and QUAT_OPS (544).
//!
//! a0 is the index of the Variant operated on (scoped or permanent) and a1 the operation;
//! further integers and pointers start at a2, a double (an angle, a weight) is in fa0.
//! An operation that makes a new value writes its index through a `u32*` (see [`store`]);
//! vectors are read and written in guest memory (`real_t` floats), scalars are doubles.
//!
//! Godot computes every result (its builtin methods and constructors). An input for which Godot
//! would log an error of its own (an axis that is not normalized, a basis that cannot be
//! inverted, a target the transform cannot look at) is refused first.

use godot::builtin::VariantOperator;
use godot::prelude::*;
use rvsandbox_vm::HostError;

use super::vectors::{read_vector2, read_vector3, require_normalized, write_vector2, write_vector3};
use super::{expression, godot_method, indexed, refused, write_f64, write_variant, HostResult};
use crate::runtime::Vm;

/// Transform2D_Op (540).
mod transform2d_op {
    pub const IDENTITY: u64 = 0;
    pub const ASSIGN: u64 = 2;
    pub const GET_COLUMN: u64 = 3;
    pub const SET_COLUMN: u64 = 4;
    pub const ROTATED: u64 = 5;
    pub const SCALED: u64 = 6;
    pub const TRANSLATED: u64 = 7;
    pub const INVERTED: u64 = 8;
    pub const AFFINE_INVERTED: u64 = 9;
    pub const ORTHONORMALIZED: u64 = 10;
    pub const INTERPOLATE_WITH: u64 = 12;
}

/// Transform3D_Op (541).
mod transform3d_op {
    pub const IDENTITY: u64 = 0;
    pub const CREATE: u64 = 1;
    pub const ASSIGN: u64 = 2;
    pub const GET_BASIS: u64 = 3;
    pub const SET_BASIS: u64 = 4;
    pub const GET_ORIGIN: u64 = 5;
    pub const SET_ORIGIN: u64 = 6;
    pub const ROTATED: u64 = 7;
    pub const ROTATED_LOCAL: u64 = 8;
    pub const SCALED: u64 = 9;
    pub const SCALED_LOCAL: u64 = 10;
    pub const TRANSLATED: u64 = 11;
    pub const TRANSLATED_LOCAL: u64 = 12;
    pub const INVERTED: u64 = 13;
    pub const AFFINE_INVERTED: u64 = 14;
    pub const ORTHONORMALIZED: u64 = 15;
    pub const LOOKING_AT: u64 = 16;
    pub const INTERPOLATE_WITH: u64 = 17;
}

/// Basis_Op (542).
mod basis_op {
    pub const IDENTITY: u64 = 0;
    pub const CREATE: u64 = 1;
    pub const ASSIGN: u64 = 2;
    pub const GET_ROW: u64 = 3;
    pub const SET_ROW: u64 = 4;
    pub const GET_COLUMN: u64 = 5;
    pub const SET_COLUMN: u64 = 6;
    pub const INVERTED: u64 = 7;
    pub const TRANSPOSED: u64 = 8;
    pub const DETERMINANT: u64 = 9;
    pub const ROTATED: u64 = 10;
    pub const LERP: u64 = 11;
    pub const SLERP: u64 = 12;
}

/// Quaternion_Op (544).
mod quaternion_op {
    pub const CREATE: u64 = 0;
    pub const ASSIGN: u64 = 1;
    pub const DOT: u64 = 2;
    pub const LENGTH_SQUARED: u64 = 3;
    pub const LENGTH: u64 = 4;
    pub const NORMALIZE: u64 = 5;
    pub const INVERSE: u64 = 6;
    pub const LOG: u64 = 7;
    pub const EXP: u64 = 8;
    pub const SLERP: u64 = 10;
    pub const SLERPNI: u64 = 11;
    pub const AT: u64 = 14;
    pub const GET_AXIS: u64 = 15;
    pub const GET_ANGLE: u64 = 16;
    pub const MUL: u64 = 17;
}

/// The value of type `ty` behind the guest's index `index` (a register's low 32 bits).
fn operand(m: &Vm, index: u64, ty: VariantType) -> Result<Variant, HostError> {
    let index = index as u32 as i32;
    match indexed(m, index) {
        Ok(value) if value.get_type() == ty => Ok(value),
        Ok(value) => Err(refused(format!("invalid {ty:?} object: index {index} holds a {:?}", value.get_type()))),
        Err(_) => Err(refused(format!("invalid {ty:?} object: no Variant at index {index}"))),
    }
}

/// Gives the guest `value`, the result of an operation on the Variant at index `source`,
/// through the `u32` index at `at`: the Variant that index names is replaced if it is `source`
/// itself (`t.invert()` changes `t`) or a permanent one; otherwise `value` gets a new index.
/// (godot-sandbox's rule; an index the guest has not initialised is `INT32_MIN`, never valid.)
fn store(m: &mut Vm, source: u64, at: u64, value: Variant) -> HostResult {
    let target = m.memory.read_u32(at)? as i32;
    let reuse = (target == source as u32 as i32 || target < 0) && m.data.refs.get(target).is_ok();
    let index = if reuse {
        m.data.refs.set(target, value)?;
        target
    } else {
        m.data.refs.add(value)?
    };
    Ok(m.memory.write_u32(at, index as u32)?)
}

/// Gives the guest `value` under a new index, written as a `u32` at `at`.
fn create(m: &mut Vm, at: u64, value: Variant) -> HostResult {
    let index = m.data.refs.add(value)?;
    Ok(m.memory.write_u32(at, index as u32)?)
}

/// A row or column number below 3 (4 for a quaternion's components), from register `n`.
fn component(m: &Vm, n: u8, count: u64, what: &str) -> Result<usize, HostError> {
    let value = m.sysarg(n);
    if value >= count {
        return Err(refused(format!("invalid {what} {value}")));
    }
    Ok(value as usize)
}

/// Refuses a 2D transform Godot cannot invert: one whose determinant is zero.
fn require_invertible_2d(t: Transform2D, what: &str) -> HostResult {
    if godot_method(t, "determinant", &[])?.to::<f64>() == 0.0 {
        return Err(refused(format!("{what}: the transform is degenerate (its determinant is 0)")));
    }
    Ok(())
}

/// Refuses a basis Godot cannot invert. `Basis::invert` checks for zero the determinant it
/// computes itself, from the cofactors of the first row, in this order: `Basis.determinant()`
/// expands along the first column, and in floats the two can differ in being exactly 0.
fn require_invertible_basis(b: &Basis, what: &str) -> HostResult {
    let [r0, r1, r2] = b.rows;
    let cofactors = [r1.y * r2.z - r1.z * r2.y, r1.z * r2.x - r1.x * r2.z, r1.x * r2.y - r1.y * r2.x];
    if r0.x * cofactors[0] + r0.y * cofactors[1] + r0.z * cofactors[2] == 0.0 {
        return Err(refused(format!("{what}: the basis is degenerate (its determinant is 0)")));
    }
    Ok(())
}

/// Refuses a basis that is not a rotation, as Godot's `Basis::get_quaternion` needs (it logs
/// an error for one that is not conformal with determinant 1).
fn require_rotation(basis: &Variant, what: &str) -> HostResult {
    let conformal = godot_method(basis.clone(), "is_conformal", &[])?.booleanize();
    let determinant = godot_method(basis.clone(), "determinant", &[])?.to::<f64>() as f32;
    // Godot's `is_equal_approx(determinant, 1, UNIT_EPSILON)`.
    if conformal && (determinant == 1.0 || (determinant - 1.0).abs() < 0.001) {
        Ok(())
    } else {
        Err(refused(format!("{what}: the basis is not a rotation (normalized, without scale)")))
    }
}

/// Refuses a basis whose rotation Godot cannot take (`Basis::get_rotation_quaternion`, which
/// `Transform3D.interpolate_with` uses): that of its orthonormalized form, made proper, must be
/// a rotation. A degenerate basis, or one of NaNs or infinities, has none.
fn require_rotation_part(basis: Basis, what: &str) -> HostResult {
    let mut proper = godot_method(basis, "orthonormalized", &[])?;
    if godot_method(proper.clone(), "determinant", &[])?.to::<f64>() < 0.0 {
        proper = godot_method(proper, "scaled", &[Vector3::new(-1.0, -1.0, -1.0).to_variant()])?;
    }
    require_rotation(&proper, what)
}

/// 540 TRANSFORM_2D_OPS. IDENTITY writes a Variant at a2; the others as the module says.
pub fn transform2d_ops(m: &mut Vm) -> HostResult {
    use transform2d_op::*;
    let (source, op, out) = (m.sysarg(0), m.sysarg(1), m.sysarg(2));
    if op == IDENTITY {
        return write_variant(m, out, &Transform2D::IDENTITY.to_variant());
    }
    let value = operand(m, source, VariantType::TRANSFORM2D)?;
    let t = value.to::<Transform2D>();
    let method = |method: &str, args: &[Variant]| godot_method(t, method, args);
    let result = match op {
        ASSIGN => operand(m, m.sysarg(3), VariantType::TRANSFORM2D)?,
        GET_COLUMN => {
            let column = [t.a, t.b, t.origin][component(m, 3, 3, "Transform2D column")?];
            return write_vector2(m, out, column);
        }
        SET_COLUMN => {
            let column = component(m, 3, 3, "Transform2D column")?;
            let mut t = t;
            *[&mut t.a, &mut t.b, &mut t.origin][column] = read_vector2(m, m.sysarg(4))?;
            t.to_variant()
        }
        ROTATED => method("rotated", &[m.sysarg_f64(0).to_variant()])?,
        SCALED => method("scaled", &[read_vector2(m, m.sysarg(3))?.to_variant()])?,
        TRANSLATED => method("translated", &[read_vector2(m, m.sysarg(3))?.to_variant()])?,
        INVERTED => method("inverse", &[])?,
        AFFINE_INVERTED => {
            require_invertible_2d(t, "Transform2D.affine_inverse")?;
            method("affine_inverse", &[])?
        }
        ORTHONORMALIZED => method("orthonormalized", &[])?,
        INTERPOLATE_WITH => {
            let to = operand(m, m.sysarg(3), VariantType::TRANSFORM2D)?;
            method("interpolate_with", &[to, m.sysarg_f64(0).to_variant()])?
        }
        other => return Err(refused(format!("invalid Transform2D operation {other}"))),
    };
    store(m, source, out, result)
}

/// 541 TRANSFORM_3D_OPS.
pub fn transform3d_ops(m: &mut Vm) -> HostResult {
    use transform3d_op::*;
    let (source, op, out) = (m.sysarg(0), m.sysarg(1), m.sysarg(2));
    match op {
        IDENTITY => return create(m, out, Transform3D::IDENTITY.to_variant()),
        CREATE => {
            let origin = read_vector3(m, m.sysarg(3))?;
            let basis = operand(m, m.sysarg(4), VariantType::BASIS)?.to::<Basis>();
            return create(m, out, Transform3D::new(basis, origin).to_variant());
        }
        _ => {}
    }
    let value = operand(m, source, VariantType::TRANSFORM3D)?;
    let t = value.to::<Transform3D>();
    let method = |method: &str, args: &[Variant]| godot_method(t, method, args);
    let vector_arg = |m: &Vm| read_vector3(m, m.sysarg(3));
    let result = match op {
        ASSIGN => operand(m, m.sysarg(3), VariantType::TRANSFORM3D)?,
        GET_BASIS => return create(m, out, t.basis.to_variant()),
        GET_ORIGIN => return write_vector3(m, out, t.origin),
        SET_BASIS => {
            Transform3D::new(operand(m, m.sysarg(3), VariantType::BASIS)?.to::<Basis>(), t.origin).to_variant()
        }
        SET_ORIGIN => Transform3D::new(t.basis, vector_arg(m)?).to_variant(),
        ROTATED | ROTATED_LOCAL => {
            let name = if op == ROTATED { "rotated" } else { "rotated_local" };
            let axis = vector_arg(m)?;
            require_normalized(axis, &format!("the axis of Transform3D.{name}"))?;
            method(name, &[axis.to_variant(), m.sysarg_f64(0).to_variant()])?
        }
        SCALED => method("scaled", &[vector_arg(m)?.to_variant()])?,
        SCALED_LOCAL => method("scaled_local", &[vector_arg(m)?.to_variant()])?,
        TRANSLATED => method("translated", &[vector_arg(m)?.to_variant()])?,
        TRANSLATED_LOCAL => method("translated_local", &[vector_arg(m)?.to_variant()])?,
        INVERTED => method("inverse", &[])?,
        AFFINE_INVERTED => {
            require_invertible_basis(&t.basis, "Transform3D.affine_inverse")?;
            method("affine_inverse", &[])?
        }
        ORTHONORMALIZED => method("orthonormalized", &[])?,
        LOOKING_AT => {
            let (target, up) = (vector_arg(m)?, read_vector3(m, m.sysarg(4))?);
            check_looking_at(t.origin, target, up)?;
            method("looking_at", &[target.to_variant(), up.to_variant()])?
        }
        INTERPOLATE_WITH => {
            let to = operand(m, m.sysarg(3), VariantType::TRANSFORM3D)?;
            require_rotation_part(t.basis, "Transform3D.interpolate_with")?;
            require_rotation_part(to.to::<Transform3D>().basis, "Transform3D.interpolate_with")?;
            method("interpolate_with", &[to, m.sysarg_f64(0).to_variant()])?
        }
        other => return Err(refused(format!("invalid Transform3D operation {other}"))),
    };
    store(m, source, out, result)
}

/// Refuses what `Transform3D.looking_at(target, up)` logs an error for: a target at the origin
/// (compared relative to their size, as Godot does), a zero direction or up vector, or the two
/// parallel.
fn check_looking_at(origin: Vector3, target: Vector3, up: Vector3) -> HostResult {
    let zero = |v: Vector3| godot_method(v, "is_zero_approx", &[]).map(|r| r.booleanize());
    let direction = target - origin;
    let at_origin = godot_method(origin, "is_equal_approx", &[target.to_variant()])?.booleanize();
    if at_origin || zero(direction)? || zero(up)? {
        return Err(refused("Transform3D.looking_at: the target is at the origin, or the up vector is zero"));
    }
    let forward = godot_method(direction, "normalized", &[])?.to::<Vector3>();
    let side = godot_method(up, "cross", &[(-forward).to_variant()])?.to::<Vector3>();
    if zero(side)? {
        return Err(refused("Transform3D.looking_at: the direction to the target is parallel to the up vector"));
    }
    Ok(())
}

/// 542 BASIS_OPS.
pub fn basis_ops(m: &mut Vm) -> HostResult {
    use basis_op::*;
    let (source, op, out) = (m.sysarg(0), m.sysarg(1), m.sysarg(2));
    match op {
        IDENTITY => return create(m, out, Basis::IDENTITY.to_variant()),
        CREATE => {
            let rows = [read_vector3(m, m.sysarg(3))?, read_vector3(m, m.sysarg(4))?, read_vector3(m, m.sysarg(5))?];
            return create(m, out, Basis { rows }.to_variant());
        }
        _ => {}
    }
    let value = operand(m, source, VariantType::BASIS)?;
    let b = value.to::<Basis>();
    let method = |method: &str, args: &[Variant]| godot_method(b, method, args);
    let column = |c: usize| {
        let [x, y, z] = b.rows.map(|row| [row.x, row.y, row.z][c]);
        Vector3::new(x, y, z)
    };
    let result = match op {
        ASSIGN => operand(m, m.sysarg(3), VariantType::BASIS)?,
        GET_ROW => return write_vector3(m, m.sysarg(3), b.rows[component(m, 2, 3, "Basis row")?]),
        GET_COLUMN => return write_vector3(m, m.sysarg(3), column(component(m, 2, 3, "Basis column")?)),
        DETERMINANT => return write_f64(m, out, method("determinant", &[])?.to::<f64>()),
        SET_ROW | SET_COLUMN => {
            let (index, v) = (component(m, 3, 3, "Basis row or column")?, read_vector3(m, m.sysarg(4))?);
            let mut b = b;
            if op == SET_ROW {
                b.rows[index] = v;
            } else {
                for (row, value) in b.rows.iter_mut().zip([v.x, v.y, v.z]) {
                    *[&mut row.x, &mut row.y, &mut row.z][index] = value;
                }
            }
            b.to_variant()
        }
        INVERTED => {
            require_invertible_basis(&b, "Basis.inverse")?;
            method("inverse", &[])?
        }
        TRANSPOSED => method("transposed", &[])?,
        ROTATED => {
            let axis = read_vector3(m, m.sysarg(3))?;
            require_normalized(axis, "the axis of Basis.rotated")?;
            method("rotated", &[axis.to_variant(), m.sysarg_f64(0).to_variant()])?
        }
        LERP => {
            // Godot's Basis.lerp (not a script method): each row interpolated.
            let to = operand(m, m.sysarg(3), VariantType::BASIS)?.to::<Basis>();
            let weight = m.sysarg_f64(0).to_variant();
            let mut rows = [Vector3::ZERO; 3];
            for (row, (from, to)) in rows.iter_mut().zip(b.rows.into_iter().zip(to.rows)) {
                *row = godot_method(from, "lerp", &[to.to_variant(), weight.clone()])?.to::<Vector3>();
            }
            Basis { rows }.to_variant()
        }
        SLERP => {
            let to = operand(m, m.sysarg(3), VariantType::BASIS)?;
            require_rotation(&value, "Basis.slerp")?;
            require_rotation(&to, "Basis.slerp")?;
            method("slerp", &[to, m.sysarg_f64(0).to_variant()])?
        }
        other => return Err(refused(format!("invalid Basis operation {other}"))),
    };
    store(m, source, out, result)
}

/// 544 QUAT_OPS. CREATE's constructor is chosen by a0 (0: identity, written as a Variant at a2;
/// 1: from the axis at a3 and the angle in fa0); scalar results are doubles written through a
/// pointer.
pub fn quat_ops(m: &mut Vm) -> HostResult {
    use quaternion_op::*;
    let (source, op, out) = (m.sysarg(0), m.sysarg(1), m.sysarg(2));
    if op == CREATE {
        return match source {
            0 => write_variant(m, out, &Quaternion::IDENTITY.to_variant()),
            1 => {
                let axis = read_vector3(m, m.sysarg(3))?;
                require_normalized(axis, "the axis of Quaternion(axis, angle)")?;
                let value = expression::call("Quaternion", &[axis.to_variant(), m.sysarg_f64(0).to_variant()])?;
                create(m, out, value)
            }
            other => Err(refused(format!("invalid Quaternion constructor {other}"))),
        };
    }
    let value = operand(m, source, VariantType::QUATERNION)?;
    let q = value.to::<Quaternion>();
    let method = |method: &str, args: &[Variant]| godot_method(q, method, args);
    let other = |m: &Vm| operand(m, m.sysarg(3), VariantType::QUATERNION);
    let result = match op {
        ASSIGN => other(m)?,
        DOT => {
            let with = operand(m, m.sysarg(2), VariantType::QUATERNION)?;
            return write_f64(m, m.sysarg(3), method("dot", &[with])?.to::<f64>());
        }
        LENGTH_SQUARED => return write_f64(m, out, method("length_squared", &[])?.to::<f64>()),
        LENGTH => return write_f64(m, out, method("length", &[])?.to::<f64>()),
        GET_ANGLE => return write_f64(m, out, method("get_angle", &[])?.to::<f64>()),
        GET_AXIS => return write_vector3(m, out, method("get_axis", &[])?.to::<Vector3>()),
        AT => {
            let value = [q.x, q.y, q.z, q.w][component(m, 2, 4, "Quaternion component")?];
            return write_f64(m, m.sysarg(3), value as f64);
        }
        NORMALIZE => method("normalized", &[])?,
        INVERSE => {
            require_normalized(q, "a Quaternion to invert")?;
            method("inverse", &[])?
        }
        LOG => method("log", &[])?,
        EXP => method("exp", &[])?,
        SLERP | SLERPNI => {
            let name = if op == SLERP { "slerp" } else { "slerpni" };
            let to = other(m)?;
            require_normalized(q, &format!("the Quaternions of {name}"))?;
            require_normalized(to.clone(), &format!("the Quaternions of {name}"))?;
            method(name, &[to, m.sysarg_f64(0).to_variant()])?
        }
        MUL => {
            let with = other(m)?;
            value
                .evaluate(&with, VariantOperator::MULTIPLY)
                .ok_or_else(|| refused("Quaternion multiplication failed"))?
        }
        other => return Err(refused(format!("invalid Quaternion operation {other}"))),
    };
    store(m, source, out, result)
}
