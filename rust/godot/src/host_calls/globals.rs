//! Guest globals that hold Variants across calls: VSTORE_GLOBAL (559) and OBJ_RETAIN (556).
//!
//! A guest global slot is an ordinary guest Variant. Stored through VSTORE_GLOBAL, a
//! non-inline value gets a permanent index (the slot's previous permanent index is released),
//! and a RefCounted object in the slot is kept alive for it while object access is
//! unrestricted (godot-sandbox's `retain_global_object`).

use godot::prelude::*;

use super::{indexed, keep, refused, HostResult};
use crate::abi::variant::is_inline;
use crate::abi::GuestVariant;
use crate::runtime::Vm;

/// Global slots that may keep an object alive at once (as many as there are permanent Variant
/// slots).
const MAX_RETAINED: usize = 0xFFFE;

/// The permanent index a slot holds, if it holds one.
fn permanent_index(slot: &GuestVariant) -> Option<i32> {
    let ty = slot.variant_type().ok()?;
    let index = slot.index();
    (!is_inline(ty) && index < 0 && index != i32::MIN).then_some(index)
}

/// 559 VSTORE_GLOBAL: a0 = destination global slot, a1 = source Variant.
pub fn vstore_global(m: &mut Vm) -> HostResult {
    let (dst_addr, src_addr) = (m.sysarg(0), m.sysarg(1));
    let dst = GuestVariant::read(&m.memory, dst_addr)?;
    let src = GuestVariant::read(&m.memory, src_addr)?;
    let held = permanent_index(&dst);
    let src_ty = src.variant_type()?;
    let stored = if is_inline(src_ty) {
        src
    } else if held == Some(src.index()) {
        GuestVariant::scoped(src_ty, src.index())
    } else {
        let value = indexed(m, src.index())?;
        match keep(m, value) {
            Ok(index) => GuestVariant::scoped(src_ty, index),
            Err(_) => GuestVariant::nil(),
        }
    };
    if let Some(old) = held.filter(|&h| h != stored.index() || is_inline(src_ty)) {
        m.data.refs.release_permanent(old);
    }
    stored.write(&mut m.memory, dst_addr)?;
    if src_ty == VariantType::OBJECT || dst.ty == VariantType::OBJECT.ord as u32 {
        retain(m, dst_addr)?;
    }
    Ok(())
}

/// 556 OBJ_RETAIN: a0 = global slot. Keeps the RefCounted object in it alive (or lets go of
/// what the slot held before).
pub fn obj_retain(m: &mut Vm) -> HostResult {
    retain(m, m.sysarg(0))
}

fn retain(m: &mut Vm, slot_addr: u64) -> HostResult {
    let slot = GuestVariant::read(&m.memory, slot_addr)?;
    let object = match slot.variant_type() {
        Ok(VariantType::OBJECT) if slot.word() != 0 => m.data.refs.object(slot.word()).ok(),
        _ => None,
    };
    let keep = object
        .filter(|o| o.clone().try_cast::<RefCounted>().is_ok() && m.data.restrictions.object_access_unrestricted());
    match keep {
        Some(object) => {
            // One host entry per slot, kept across calls: bounded like the permanent Variants.
            if m.data.retained.len() >= MAX_RETAINED && !m.data.retained.contains_key(&slot_addr) {
                return Err(refused(format!("too many retained objects (at most {MAX_RETAINED} global slots)")));
            }
            m.data.retained.insert(slot_addr, object.to_variant());
        }
        None => {
            m.data.retained.remove(&slot_addr);
        }
    }
    Ok(())
}
