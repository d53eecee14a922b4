//! `subject[key]` as GDScript reads it: VARIANT_GET (562).
//!
//! gdext has no safe `Variant::get`, so the keyed/indexed reads are spelled out here for the
//! types that have them: objects (a property, allow-checked), Dictionary (a key), Array and
//! the packed arrays (an index, negative from the end), String (a one-character String), and
//! the vector-like types (a component by index or by name). Anything else, or a missing key or
//! index, is an invalid access, as in Godot.

use godot::prelude::*;
use rvsandbox_vm::HostError;

use super::builtin_checks::check_deep_operation;
use super::object::has_property;
use super::object_access::check_not_own_properties;
use super::variant::call_builtin;
use super::{read_variant, refused, write_variant, HostResult};
use crate::runtime::{with_reentry, Vm};

/// 562 VARIANT_GET: a0 = subject Variant, a1 = key Variant, a2 = result Variant.
pub fn variant_get(m: &mut Vm) -> HostResult {
    let (subject_addr, key_addr, result) = (m.sysarg(0), m.sysarg(1), m.sysarg(2));
    let subject = read_variant(m, subject_addr)?;
    let key = read_variant(m, key_addr)?;
    let value = match subject.try_to::<Gd<Object>>() {
        Ok(obj) => {
            let name = match key.get_type() {
                VariantType::STRING | VariantType::STRING_NAME => key.stringify().to_string(),
                _ => return Err(invalid(&subject, &key)),
            };
            check_not_own_properties(m, &obj)?;
            m.data.restrictions.check_property(&obj, &name, false)?;
            let property = StringName::from(&name);
            if !has_property(&obj, &property) {
                return Err(invalid(&subject, &key));
            }
            with_reentry(m, || obj.get(&property))
        }
        Err(_) => {
            // A Dictionary hashes and compares the key.
            check_deep_operation(m, &subject, "get", std::slice::from_ref(&key))?;
            get(&subject, &key).ok_or_else(|| invalid(&subject, &key))?
        }
    };
    write_variant(m, result, &value)
}

fn invalid(subject: &Variant, key: &Variant) -> HostError {
    // The key as text only when it is a name or a number: a guest's key may be a container
    // whose text would not fit in memory.
    let key = match key.get_type() {
        VariantType::STRING | VariantType::STRING_NAME | VariantType::INT | VariantType::FLOAT => {
            key.stringify().to_string().chars().take(64).collect::<String>()
        }
        ty => format!("a {ty:?}"),
    };
    refused(format!("invalid access to [{key}] on a {:?}", subject.get_type()))
}

/// `subject[key]` for builtin (non-object) Variants; `None` if the access is invalid.
fn get(subject: &Variant, key: &Variant) -> Option<Variant> {
    match subject.get_type() {
        // Through the Variant: a typed Dictionary does not convert to `VarDictionary`.
        VariantType::DICTIONARY => {
            let has = subject.call("has", std::slice::from_ref(key)).booleanize();
            has.then(|| subject.call("get", std::slice::from_ref(key)))
        }
        VariantType::STRING => {
            let text: Vec<char> = subject.to::<GString>().to_string().chars().collect();
            let i = index(key.try_to::<i64>().ok()?, text.len())?;
            Some(GString::from(&text[i].to_string()).to_variant())
        }
        ty if ty == VariantType::ARRAY || is_packed(ty) => {
            let len = subject.call("size", &[]).try_to::<i64>().ok()? as usize;
            let i = index(key.try_to::<i64>().ok()?, len)?;
            let mut subject = subject.clone();
            call_builtin(&mut subject, "get", &[(i as i64).to_variant()]).ok()
        }
        _ => component(subject, key),
    }
}

fn is_packed(ty: VariantType) -> bool {
    (VariantType::PACKED_BYTE_ARRAY.ord..=VariantType::PACKED_VECTOR4_ARRAY.ord).contains(&ty.ord)
}

/// Godot's index rule: negative counts from the end.
fn index(i: i64, len: usize) -> Option<usize> {
    let i = if i < 0 { i + len as i64 } else { i };
    (0..len as i64).contains(&i).then_some(i as usize)
}

/// A component of a vector-like Variant, by index or by name (`x`, `y`, `z`, `w`; `r`, `g`,
/// `b`, `a` for a Color).
fn component(subject: &Variant, key: &Variant) -> Option<Variant> {
    let (names, values): (&[&str], Vec<Variant>) = match subject.get_type() {
        VariantType::VECTOR2 => {
            let v = subject.to::<Vector2>();
            (&["x", "y"], vec![v.x.to_variant(), v.y.to_variant()])
        }
        VariantType::VECTOR2I => {
            let v = subject.to::<Vector2i>();
            (&["x", "y"], vec![v.x.to_variant(), v.y.to_variant()])
        }
        VariantType::VECTOR3 => {
            let v = subject.to::<Vector3>();
            (&["x", "y", "z"], vec![v.x.to_variant(), v.y.to_variant(), v.z.to_variant()])
        }
        VariantType::VECTOR3I => {
            let v = subject.to::<Vector3i>();
            (&["x", "y", "z"], vec![v.x.to_variant(), v.y.to_variant(), v.z.to_variant()])
        }
        VariantType::VECTOR4 => {
            let v = subject.to::<Vector4>();
            (&["x", "y", "z", "w"], [v.x, v.y, v.z, v.w].iter().map(|c| c.to_variant()).collect())
        }
        VariantType::VECTOR4I => {
            let v = subject.to::<Vector4i>();
            (&["x", "y", "z", "w"], [v.x, v.y, v.z, v.w].iter().map(|c| c.to_variant()).collect())
        }
        VariantType::QUATERNION => {
            let q = subject.to::<Quaternion>();
            (&["x", "y", "z", "w"], [q.x, q.y, q.z, q.w].iter().map(|c| c.to_variant()).collect())
        }
        VariantType::COLOR => {
            let c = subject.to::<Color>();
            (&["r", "g", "b", "a"], [c.r, c.g, c.b, c.a].iter().map(|c| c.to_variant()).collect())
        }
        _ => return None,
    };
    let position = match key.get_type() {
        VariantType::INT => usize::try_from(key.to::<i64>()).ok()?,
        VariantType::STRING | VariantType::STRING_NAME => {
            let name = key.stringify().to_string();
            names.iter().position(|n| *n == name)?
        }
        _ => return None,
    };
    values.get(position).cloned()
}
