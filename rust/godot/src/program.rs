//! `.elf` files as Godot resources: the `SandboxProgram` resource (the file's bytes and its
//! parsed, shareable `Program`) and `SandboxProgramLoader`, the `ResourceFormatLoader` that
//! `load("res://x.elf")` goes through.
//!
//! Export: the loader is registered (in the editor too) for the extension `elf`, so the
//! editor's file system lists `.elf` files as `SandboxProgram` resources. "Export all
//! resources" therefore includes them, and a scene whose Sandbox refers to one pulls it in as a
//! dependency with "export selected scenes". The file is exported as is (no import step):
//! the exported game loads it with the same loader.

use std::cell::RefCell;
use std::sync::Arc;

use godot::classes::file_access::ModeFlags;
use godot::classes::{FileAccess, IResource, IResourceFormatLoader, Resource, ResourceFormatLoader, ResourceLoader};
use godot::global::godot_error;
use godot::obj::EngineEnum as _;
use godot::prelude::*;
use rvsandbox_vm::Program;

/// A RISC-V ELF program for a `Sandbox`. Several Sandboxes may share one: the parsed program
/// (decoded code, symbols) is shared, each Sandbox has its own machine.
#[derive(GodotClass)]
#[class(base = Resource, tool)]
pub struct SandboxProgram {
    base: Base<Resource>,
    bytes: PackedByteArray,
    parsed: Option<Arc<Program>>,
    parse_error: Option<String>,
}

#[godot_api]
impl IResource for SandboxProgram {
    fn init(base: Base<Resource>) -> Self {
        SandboxProgram { base, bytes: PackedByteArray::new(), parsed: None, parse_error: Some("no program".into()) }
    }
}

#[godot_api]
impl SandboxProgram {
    /// The ELF file's bytes.
    #[func]
    pub fn get_content(&self) -> PackedByteArray {
        self.bytes.clone()
    }

    /// Replaces the program with `bytes` (parsed now; see `is_valid`).
    #[func]
    pub fn set_content(&mut self, bytes: PackedByteArray) {
        match Program::parse(bytes.as_slice()) {
            Ok(program) => {
                self.parsed = Some(program);
                self.parse_error = None;
            }
            Err(e) => {
                self.parsed = None;
                self.parse_error = Some(e.to_string());
            }
        }
        self.bytes = bytes;
    }

    /// Whether the bytes are a program the emulator can run.
    #[func]
    pub fn is_valid(&self) -> bool {
        self.parsed.is_some()
    }

    /// The names of the program's function symbols.
    #[func]
    pub fn get_symbols(&self) -> PackedStringArray {
        self.parsed.iter().flat_map(|p| p.functions().map(|(name, _)| GString::from(name))).collect()
    }
}

impl SandboxProgram {
    /// A program resource holding `bytes`.
    pub fn from_bytes(bytes: PackedByteArray) -> Gd<SandboxProgram> {
        let mut program = SandboxProgram::new_gd();
        program.bind_mut().set_content(bytes);
        program
    }

    /// The parsed program, or why the bytes are not one.
    pub fn parsed(&self) -> Result<Arc<Program>, String> {
        self.parsed.clone().ok_or_else(|| self.parse_error.clone().unwrap_or_default())
    }
}

/// Loads `.elf` files as [`SandboxProgram`] resources.
#[derive(GodotClass)]
#[class(base = ResourceFormatLoader, init, tool)]
pub struct SandboxProgramLoader {
    base: Base<ResourceFormatLoader>,
}

const EXTENSION: &str = "elf";
const TYPE_NAME: &str = "SandboxProgram";
/// godot-sandbox's name for its `.elf` resources: scenes made with it name that type for their
/// `.elf` files, which then load as `SandboxProgram`s.
const GODOT_SANDBOX_TYPE_NAME: &str = "ELFScript";

#[godot_api]
impl IResourceFormatLoader for SandboxProgramLoader {
    fn get_recognized_extensions(&self) -> PackedStringArray {
        PackedStringArray::from(&[GString::from(EXTENSION)])
    }

    fn handles_type(&self, type_: StringName) -> bool {
        type_ == TYPE_NAME || type_ == GODOT_SANDBOX_TYPE_NAME || type_ == "Resource"
    }

    fn get_resource_type(&self, path: GString) -> GString {
        if path.to_string().to_lowercase().ends_with(".elf") {
            GString::from(TYPE_NAME)
        } else {
            GString::new()
        }
    }

    fn load(&self, path: GString, _original_path: GString, _use_sub_threads: bool, _cache_mode: i32) -> Variant {
        let Some(mut file) = FileAccess::open(&path, ModeFlags::READ) else {
            return godot::global::Error::ERR_FILE_CANT_OPEN.ord().to_variant();
        };
        let length = file.get_length() as i64;
        let bytes = file.get_buffer(length);
        let program = SandboxProgram::from_bytes(bytes);
        if let Err(e) = program.bind().parsed() {
            godot_error!("SandboxProgram: {path} is not a program the Sandbox can run: {e}");
            return godot::global::Error::ERR_FILE_CORRUPT.ord().to_variant();
        }
        program.to_variant()
    }
}

thread_local! {
    static LOADER: RefCell<Option<Gd<SandboxProgramLoader>>> = const { RefCell::new(None) };
}

/// Registers the `.elf` loader with Godot (at extension start).
pub fn register_loader() {
    let loader = SandboxProgramLoader::new_gd();
    ResourceLoader::singleton().add_resource_format_loader(&loader);
    LOADER.with(|l| *l.borrow_mut() = Some(loader));
}

/// Removes the `.elf` loader (at extension shutdown).
pub fn unregister_loader() {
    if let Some(loader) = LOADER.with(|l| l.borrow_mut().take()) {
        ResourceLoader::singleton().remove_resource_format_loader(&loader);
    }
}
