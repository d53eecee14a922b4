//! Resources: LOAD (539).

use godot::classes::{ResourceLoader, ResourceUid};
use godot::prelude::*;

use super::{read_str, read_variant, refused, write_variant, HostResult};
use crate::runtime::{with_reentry, Vm};

/// a1 value saying that a0 points at a String Variant instead of text.
const PATH_IS_VARIANT: u64 = u64::MAX;

/// The path LOAD loads and the resource rule is asked about: the guest's path as Godot
/// resolves it (a `uid://` to its file, `a/../b` to `b`, `res:///x` to `res://x`), so that
/// the rule sees what is loaded. Only paths inside `res://` or `user://` are loaded: not
/// absolute file-system paths, nor paths that climb out with `..`.
pub fn resource_path(raw: &str, what: &str) -> Result<String, rvsandbox_vm::HostError> {
    let mut path = GString::from(raw);
    if raw.starts_with("uid://") {
        let uids = ResourceUid::singleton();
        let id = uids.text_to_id(&path);
        if !uids.has_id(id) {
            return Err(refused(format!("{what}: no resource has the uid '{raw}'")));
        }
        path = uids.get_id_path(id);
    }
    let path = path.simplify_path().to_string();
    let inside = path.starts_with("res://") || path.starts_with("user://");
    if !inside || path.split(['/', '\\']).any(|part| part == "..") {
        return Err(refused(format!("{what}: '{raw}' is not a path inside res:// or user://")));
    }
    Ok(path)
}

/// 539 LOAD: a0/a1 = path (or a0 = String Variant when a1 = ~0), a2 = result Variant.
/// `*a2` = the loaded resource (held for the rest of the call, like any object given).
pub fn load(m: &mut Vm) -> HostResult {
    let (a0, a1, result) = (m.sysarg(0), m.sysarg(1), m.sysarg(2));
    let path = if a1 == PATH_IS_VARIANT {
        let value = read_variant(m, a0)?;
        match value.get_type() {
            VariantType::STRING | VariantType::STRING_NAME | VariantType::NODE_PATH => value.stringify().to_string(),
            other => return Err(refused(format!("LOAD: the path is a {other:?}, not a string"))),
        }
    } else {
        read_str(m, a0, a1)?
    };
    let path = resource_path(&path, "LOAD")?;
    m.data.restrictions.check_resource(&path)?;
    let mut loader = ResourceLoader::singleton();
    // Asked first so a missing file is one error (ours), not the loader's too.
    if !loader.exists(&path) {
        return Err(refused(format!("LOAD: no resource at '{path}'")));
    }
    let resource = with_reentry(m, || loader.load(&path));
    let resource = resource.ok_or_else(|| refused(format!("LOAD: failed to load '{path}'")))?;
    write_variant(m, result, &resource.to_variant())
}
