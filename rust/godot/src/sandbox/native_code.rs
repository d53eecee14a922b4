//! Whether Sandboxes compile hot guest code to native code (godot-sandbox's JIT queries). Hot
//! code is compiled with Cranelift on x86-64 hosts (see `rvsandbox_vm::jit`); there is no
//! ahead-of-time binary translation.

use godot::prelude::*;

use super::{off_main_thread, Sandbox};
use crate::runtime;

#[godot_api(secondary)]
impl Sandbox {
    /// Whether this host can run guest code as native code.
    #[func]
    fn has_feature_jit() -> bool {
        rvsandbox_vm::native_code_supported()
    }

    /// Whether programs loaded from now on compile hot code to native code (on by default,
    /// where the host can).
    #[func]
    fn is_jit_enabled() -> bool {
        runtime::native_code()
    }

    /// Turns native code on or off for programs loaded from now on (loaded ones keep theirs).
    #[func]
    fn set_jit_enabled(enabled: bool) {
        if !off_main_thread("set_jit_enabled") {
            runtime::set_native_code(enabled);
        }
    }

    /// Whether this Sandbox's program compiles hot code to native code.
    #[func]
    fn is_jit(&self) -> bool {
        if off_main_thread("is_jit") {
            return false;
        }
        let native = |m: &mut runtime::Vm| m.options().compile_after.is_some();
        rvsandbox_vm::native_code_supported()
            && self.state.with_machine(self.base().instance_id(), native).unwrap_or(false)
    }

    /// Always false: programs are never translated ahead of time (hot code is compiled while
    /// they run, see `is_jit`).
    #[func]
    fn has_feature_binary_translation() -> bool {
        false
    }

    /// Always false, as `has_feature_binary_translation`.
    #[func]
    fn is_binary_translated(&self) -> bool {
        false
    }
}
