//! Calling guest code from guest code through the host: CALL_GUEST (554).

use super::{check_function, read_variants, refused, write_variant, HostResult};
use crate::abi::args::MAX_ARGUMENTS;
use crate::runtime::{self, Vm};

/// 554 CALL_GUEST: a0 = function address, a1 = argument Variants, a2 = count, a3 = result
/// Variant. A nested vmcall in the convention of the call in progress.
pub fn call_guest(m: &mut Vm) -> HostResult {
    let (address, args_addr, argc, result) = (m.sysarg(0), m.sysarg(1), m.sysarg(2) as u32 as u64, m.sysarg(3));
    if argc > MAX_ARGUMENTS as u64 {
        return Err(refused(format!("CALL_GUEST: too many arguments ({argc})")));
    }
    if m.data.refs.level() == 0 {
        return Err(refused("CALL_GUEST: not inside a vmcall"));
    }
    check_function(m, address)?;
    let args = read_variants(m, args_addr, argc)?;
    let refs: Vec<&godot::prelude::Variant> = args.iter().collect();
    let (convention, budget) = (m.data.convention, m.options().call_instruction_limit);
    let value =
        runtime::call(m, address, &refs, convention, budget).map_err(|e| refused(format!("CALL_GUEST: {e}")))?;
    write_variant(m, result, &value)
}
