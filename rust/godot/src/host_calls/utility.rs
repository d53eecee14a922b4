//! UTILITY (549): Godot's global utility functions. Only STR is implemented.

use godot::prelude::*;

use super::{read_variants, refused, write_variant, HostResult};
use crate::runtime::Vm;

const STR: u64 = 0;
const MAX_ARGS: u64 = 63;

/// 549 UTILITY: a0 = Utility_Op; STR: a1 = result Variant, a2 = argument Variants, a3 = count.
pub fn utility(m: &mut Vm) -> HostResult {
    match m.sysarg(0) {
        STR => {
            let (result, args, count) = (m.sysarg(1), m.sysarg(2), m.sysarg(3));
            if count > MAX_ARGS {
                return Err(refused(format!("str: too many arguments ({count})")));
            }
            let text: String = read_variants(m, args, count)?.iter().map(|v| v.stringify().to_string()).collect();
            write_variant(m, result, &GString::from(&text).to_variant())
        }
        other => Err(refused(format!("utility operation {other} is not implemented"))),
    }
}
