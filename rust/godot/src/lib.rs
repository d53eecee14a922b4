//! The rvsandbox GDExtension: the `Sandbox` node, which runs functions of RISC-V guest
//! programs built against godot-sandbox's guest API (docs/guest-abi.md), and the
//! `SandboxProgram` resource that `.elf` files load as.
//!
//! Entry symbol `gdext_rust_init` (see `addons/rvsandbox/rvsandbox.gdextension`).
//!
//! Layout: `sandbox/` (the node: properties and methods in `mod.rs`, the vararg call methods
//! in `calls.rs`, the restriction methods in `rules.rs`, godot-sandbox's global monitors and
//! names in `monitors.rs`, the native-code queries in `native_code.rs`), `host.rs` (what host
//! calls need besides the machine, and the guest's output on its way out), `restrictions.rs` (what a guest may reach), `state.rs` (its
//! machine, monitors and the `vmcall` fast path), `runtime.rs` (loading, calls, re-entry),
//! `program.rs` (the resource and its loader), `abi/` (guest Variants, references, argument
//! layout, direct reads of Godot Variants), `host_calls/` (one file per host-call family),
//! `vararg.rs` (true vararg method registration).

use godot::init::{gdextension, ExtensionLibrary, InitStage};
use godot::prelude::godot_error;

pub mod abi;
pub mod host;
pub mod host_calls;
pub mod program;
pub mod restrictions;
pub mod runtime;
pub mod sandbox;
pub mod state;
pub mod vararg;

use sandbox::Sandbox;

struct RvSandboxExtension;

#[gdextension]
// SAFETY: this is the only `ExtensionLibrary` in the crate, as gdext requires.
unsafe impl ExtensionLibrary for RvSandboxExtension {
    fn on_stage_init(stage: InitStage) {
        // gdext has registered the classes of this stage (Sandbox is a Node: Scene) by now.
        if stage == InitStage::Scene {
            if let Err(e) = vararg::register_vararg_method::<Sandbox, _, _>("vmcall", &["function"], sandbox::vmcall) {
                godot_error!("rvsandbox: cannot register Sandbox.vmcall: {e}");
            }
            if let Err(e) = vararg::register_vararg_method::<Sandbox, _, _>("vmcallv", &["function"], sandbox::vmcallv)
            {
                godot_error!("rvsandbox: cannot register Sandbox.vmcallv: {e}");
            }
            for (name, handler) in [
                ("vmcallable", sandbox::vmcallable as fn(vararg::Receiver<'_, Sandbox>, &[&_]) -> _),
                ("vmcallable_address", sandbox::vmcallable_address),
            ] {
                if let Err(e) = vararg::register_vararg_method::<Sandbox, _, _>(name, &["function"], handler) {
                    godot_error!("rvsandbox: cannot register Sandbox.{name}: {e}");
                }
            }
            program::register_loader();
        }
    }

    fn on_stage_deinit(stage: InitStage) {
        if stage == InitStage::Scene {
            host_calls::release_caches();
            program::unregister_loader();
        }
    }
}
