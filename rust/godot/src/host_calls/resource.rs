//! Resources: LOAD (539).

use godot::classes::ResourceLoader;
use godot::prelude::*;

use super::{read_str, read_variant, refused, write_variant, HostResult};
use crate::runtime::{with_reentry, Vm};

/// a1 value saying that a0 points at a String Variant instead of text.
const PATH_IS_VARIANT: u64 = u64::MAX;

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
