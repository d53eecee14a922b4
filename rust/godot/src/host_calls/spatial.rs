//! NODE2D (509) and NODE3D (510): transform properties of 2D and 3D nodes.

use godot::classes::{Node2D, Node3D};
use godot::prelude::*;

use super::{object, read_variant, refused, write_variant, HostResult};
use crate::runtime::{with_reentry, Vm};

/// Node2D_Op: property per (op / 2); even = get, odd = set.
const NODE2D_PROPERTIES: [&str; 5] = ["position", "rotation", "scale", "skew", "transform"];
/// Node3D_Op: property per (op / 2); even = get, odd = set.
const NODE3D_PROPERTIES: [&str; 5] = ["position", "rotation", "scale", "transform", "quaternion"];

/// Gets (even `op`) or sets (odd `op`) `properties[op / 2]` of `obj`, through the Variant at a2.
fn property_op(
    m: &mut Vm,
    mut obj: Gd<Object>,
    properties: &[&str; 5],
    op: u64,
    deferred_position: bool,
) -> HostResult {
    let property = *properties.get((op / 2) as usize).ok_or_else(|| refused(format!("invalid operation {op}")))?;
    let addr = m.sysarg(2);
    m.data.restrictions.check_property(&obj, property, !op.is_multiple_of(2))?;
    if op.is_multiple_of(2) {
        // A Node3D scaled to nothing has no rotation: Godot would log an error of its own.
        if property == "quaternion" {
            let degenerate = obj.clone().try_cast::<Node3D>().is_ok_and(|node| node.get_basis().determinant() == 0.0);
            if degenerate {
                return Err(refused("quaternion: the node's basis is degenerate (a zero scale): it has no rotation"));
            }
        }
        let value = obj.get(property);
        write_variant(m, addr, &value)
    } else {
        let value = read_variant(m, addr)?;
        if deferred_position && property == "position" {
            // As godot-sandbox does: a 2D position is applied at the end of the frame.
            obj.set_deferred(property, &value);
        } else {
            with_reentry(m, || obj.set(property, &value));
        }
        Ok(())
    }
}

/// 509 NODE2D: a0 = Node2D_Op, a1 = handle, a2 = Variant (out for get, in for set).
pub fn node2d(m: &mut Vm) -> HostResult {
    let obj = object(m, m.sysarg(1))?;
    if obj.clone().try_cast::<Node2D>().is_err() {
        return Err(refused(format!("Object was not a Node2D (a {})", obj.get_class())));
    }
    property_op(m, obj, &NODE2D_PROPERTIES, m.sysarg(0), true)
}

/// 510 NODE3D: a0 = Node3D_Op, a1 = handle, a2 = Variant (out for get, in for set).
pub fn node3d(m: &mut Vm) -> HostResult {
    let obj = object(m, m.sysarg(1))?;
    if obj.clone().try_cast::<Node3D>().is_err() {
        return Err(refused(format!("Object was not a Node3D (a {})", obj.get_class())));
    }
    property_op(m, obj, &NODE3D_PROPERTIES, m.sysarg(0), false)
}
