//! The rvsandbox GDExtension: registers the `Sandbox` node with Godot 4.
//!
//! Entry symbol `gdext_rust_init` (see `addons/rvsandbox/rvsandbox.gdextension`).

use godot::init::{gdextension, ExtensionLibrary, InitStage};
use godot::prelude::godot_error;

pub mod sandbox;
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
        }
    }
}
