//! The `Sandbox` node: runs functions of a RISC-V guest program (a `SandboxProgram`, i.e. an
//! `.elf` file) with Godot Variants as arguments and results.
//!
//! No `bind()`/`bind_mut()` guard of the node is held while guest code runs: the machine lives
//! in a shared `SandboxState` and is taken out for a call, so GDScript called by the guest may
//! use the same node again (see `runtime.rs`, "Re-entrancy").
//!
//! Failures never break the game: each pushes one engine error (function, reason, guest pc
//! with its symbol), the call returns `null`, the monitors count it, and the next call works.

use std::rc::Rc;

use godot::global::godot_error;
use godot::prelude::*;
use godot::register::info::{PropertyHint, PropertyHintInfo, PropertyInfo, PropertyUsageFlags};

use crate::abi::{Convention, GuestVariant};
use crate::host::PropertyStorage;
use crate::host_calls::GuestCallable;
use crate::program::SandboxProgram;
use crate::runtime::Settings;
use crate::state::SandboxState;
pub use crate::state::{SandboxError, Target};

/// Default `memory_max`, MiB (godot-sandbox's `MAX_VMEM`).
const DEFAULT_MEMORY_MAX: i64 = 32;
/// Default `execution_timeout`, in units of 2^20 instructions (godot-sandbox's
/// `MAX_INSTRUCTIONS`).
const DEFAULT_EXECUTION_TIMEOUT: i64 = 8000;
/// Default `references_max` (godot-sandbox's `MAX_REFS`).
const DEFAULT_REFERENCES_MAX: i64 = 100;
/// godot-sandbox's project setting for the default argument convention.
const UNBOXED_SETTING: &str = "editor/script/unboxed_types_for_sandbox_arguments";

/// A node that runs functions of a sandboxed RISC-V guest program.
#[derive(GodotClass)]
#[class(base = Node)]
pub struct Sandbox {
    base: Base<Node>,
    /// Guest memory, in MiB (takes effect when a program is loaded).
    #[export]
    #[var(set = set_memory_max)]
    memory_max: i64,
    /// Instruction budget of each call, in units of 2^20 (1 048 576) instructions; 0 or less
    /// means unlimited.
    #[export]
    #[var]
    execution_timeout: i64,
    /// The most scoped Variants (and objects) the guest may hold per call.
    #[export]
    #[var(set = set_references_max)]
    references_max: i64,
    /// `vmcall` passes arguments in registers by type ("native types") instead of as Variants.
    #[export]
    #[var]
    unboxed_arguments: bool,
    /// The program; setting it loads it (runs its `main()`).
    #[export]
    #[var(set = set_program)]
    program: Option<Gd<SandboxProgram>>,

    // The monitor fields only declare the read-only properties; their getters read `state`.
    #[allow(dead_code)]
    #[var(get = get_monitor_calls_made, no_set)]
    monitor_calls_made: i64,
    #[allow(dead_code)]
    #[var(get = get_monitor_exceptions, no_set)]
    monitor_exceptions: i64,
    #[allow(dead_code)]
    #[var(get = get_monitor_execution_timeouts, no_set)]
    monitor_execution_timeouts: i64,
    #[allow(dead_code)]
    #[var(get = get_monitor_instructions_executed, no_set)]
    monitor_instructions_executed: i64,
    #[allow(dead_code)]
    #[var(get = get_monitor_scoped_references, no_set)]
    monitor_scoped_references: i64,
    #[allow(dead_code)]
    #[var(get = get_monitor_permanent_references, no_set)]
    monitor_permanent_references: i64,

    state: Rc<SandboxState>,
}

#[godot_api]
impl INode for Sandbox {
    fn init(base: Base<Node>) -> Self {
        let unboxed = godot::classes::ProjectSettings::singleton()
            .get_setting_ex(UNBOXED_SETTING)
            .default_value(&true.to_variant())
            .done()
            .try_to::<bool>()
            .unwrap_or(true);
        Sandbox {
            base,
            memory_max: DEFAULT_MEMORY_MAX,
            execution_timeout: DEFAULT_EXECUTION_TIMEOUT,
            references_max: DEFAULT_REFERENCES_MAX,
            unboxed_arguments: unboxed,
            program: None,
            monitor_calls_made: 0,
            monitor_exceptions: 0,
            monitor_execution_timeouts: 0,
            monitor_instructions_executed: 0,
            monitor_scoped_references: 0,
            monitor_permanent_references: 0,
            state: Rc::default(),
        }
    }

    fn on_get_property_list(&mut self) -> Vec<PropertyInfo> {
        self.state
            .properties()
            .into_iter()
            .map(|p| PropertyInfo {
                variant_type: p.ty,
                class_name: StringName::default(),
                property_name: StringName::from(&p.name),
                hint_info: PropertyHintInfo {
                    hint: PropertyHint::try_from_ord(p.hint).unwrap_or(PropertyHint::NONE),
                    hint_string: GString::from(&p.hint_string),
                },
                usage: p.usage.map(|u| PropertyUsageFlags::from_ord(u as u64)).unwrap_or(PropertyUsageFlags::DEFAULT),
            })
            .collect()
    }

    fn on_get(&self, property: StringName) -> Option<Variant> {
        let p = self.state.property(&property.to_string())?;
        let id = self.base().instance_id();
        let result = match p.storage {
            PropertyStorage::GuestVariable(addr) => self
                .state
                .with_machine(id, |m| GuestVariant::read(&m.memory, addr).and_then(|v| v.to_variant(&m.data.refs)).ok())
                .ok()
                .flatten()
                .ok_or(SandboxError::Busy),
            PropertyStorage::Accessors { getter, .. } => {
                self.state.call(id, Target::Address(getter, &p.name), &[], Convention::Boxed, self.budget())
            }
        };
        result.map_err(|e| godot_error!("Sandbox: reading property '{property}': {e}")).ok()
    }

    fn on_set(&mut self, property: StringName, value: Variant) -> bool {
        let Some(p) = self.state.property(&property.to_string()) else { return false };
        let id = self.base().instance_id();
        let result = match p.storage {
            PropertyStorage::GuestVariable(addr) => self.state.with_machine(id, |m| {
                // Release the old value's permanent slot, then store the new value.
                if let Ok(old) = GuestVariant::read(&m.memory, addr) {
                    if old.ty != 0
                        && old.index() < 0
                        && !crate::abi::variant::is_inline(old.variant_type().unwrap_or(VariantType::NIL))
                    {
                        m.data.refs.release_permanent(old.index());
                    }
                }
                GuestVariant::from_variant(&value, &mut m.data.refs).and_then(|gv| gv.write(&mut m.memory, addr))
            }),
            PropertyStorage::Accessors { setter, .. } => self
                .state
                .call(id, Target::Address(setter, &p.name), &[&value], Convention::Boxed, self.budget())
                .map(|_| Ok(())),
        };
        match result {
            Ok(Ok(())) => {}
            Ok(Err(e)) => godot_error!("Sandbox: setting property '{property}': {e}"),
            Err(e) => godot_error!("Sandbox: setting property '{property}': {e}"),
        }
        true
    }
}

#[godot_api]
impl Sandbox {
    /// A Sandbox running the program in `buffer` (the bytes of an `.elf` file).
    #[func(rename = FromBuffer)]
    fn from_buffer(buffer: PackedByteArray) -> Gd<Sandbox> {
        let mut sandbox = Sandbox::new_alloc();
        sandbox.bind_mut().load_buffer(buffer);
        sandbox
    }

    /// A Sandbox running `program`.
    #[func(rename = FromProgram)]
    fn from_program(program: Option<Gd<SandboxProgram>>) -> Gd<Sandbox> {
        let mut sandbox = Sandbox::new_alloc();
        sandbox.bind_mut().set_program(program);
        sandbox
    }

    #[func]
    fn set_program(&mut self, program: Option<Gd<SandboxProgram>>) {
        if self.state.is_running() {
            godot_error!("Sandbox.set_program: {}", SandboxError::Running("change the program"));
            return;
        }
        self.program = program.clone();
        match program {
            Some(p) => {
                let parsed = p.bind().parsed();
                match parsed {
                    Ok(parsed) => self.load(parsed, "set_program"),
                    Err(e) => {
                        self.state.unload();
                        godot_error!("Sandbox.set_program: invalid program: {e}");
                    }
                }
            }
            None => self.state.unload(),
        }
    }

    /// Loads the program in `buffer` (the bytes of an `.elf` file) and runs its `main()`.
    #[func]
    fn load_buffer(&mut self, buffer: PackedByteArray) {
        if self.state.is_running() {
            godot_error!("Sandbox.load_buffer: {}", SandboxError::Running("load a program"));
            return;
        }
        self.program = None;
        match rvsandbox_vm::Program::parse(buffer.as_slice()) {
            Ok(parsed) => self.load(parsed, "load_buffer"),
            Err(e) => {
                self.state.unload();
                godot_error!("Sandbox.load_buffer: invalid program: {e}");
            }
        }
    }

    /// Starts the program over (a fresh machine running `main()` again); with `unload`, drops
    /// it instead.
    #[func]
    fn reset(&mut self, #[opt(default = false)] unload: bool) {
        if self.state.is_running() {
            godot_error!("Sandbox.reset: {}", SandboxError::Running("reset"));
            return;
        }
        match (unload, self.state.program()) {
            (false, Some(program)) => self.load(program, "reset"),
            _ => self.state.unload(),
        }
    }

    /// Whether a program is loaded and ready for calls.
    #[func]
    fn has_program_loaded(&self) -> bool {
        self.state.is_loaded()
    }

    /// Whether `function` can be called (a public function or a symbol of the program).
    #[func]
    fn has_function(&self, function: StringName) -> bool {
        self.state.address_of(&function.to_string()).is_some()
    }

    /// The program's public functions (those its `main()` registered), or, if it registered
    /// none, all function symbols.
    #[func]
    fn get_functions(&self) -> PackedStringArray {
        let registered = self.state.functions();
        if !registered.is_empty() {
            return registered.iter().map(|f| GString::from(&f.name)).collect();
        }
        self.state
            .program()
            .iter()
            .flat_map(|p| p.functions().map(|(n, _)| GString::from(n)).collect::<Vec<_>>())
            .collect()
    }

    /// The guest address of `symbol` (0 if unknown).
    #[func]
    fn address_of(&self, symbol: GString) -> i64 {
        self.state.address_of(&symbol.to_string()).unwrap_or(0) as i64
    }

    /// The name of the function containing guest `address` ("" if unknown).
    #[func]
    fn lookup_address(&self, address: i64) -> GString {
        let program = self.state.program();
        let name = program.as_ref().and_then(|p| p.symbol_at(address as u64)).map(|(n, _)| n.to_string());
        GString::from(&name.unwrap_or_default())
    }

    /// Calls made so far (nested ones included). Same as `monitor_calls_made`.
    #[func]
    fn get_calls_made(&self) -> i64 {
        self.get_monitor_calls_made()
    }

    #[func]
    fn get_monitor_calls_made(&self) -> i64 {
        self.state.monitors().calls_made as i64
    }

    #[func]
    fn get_monitor_exceptions(&self) -> i64 {
        self.state.monitors().exceptions as i64
    }

    #[func]
    fn get_monitor_execution_timeouts(&self) -> i64 {
        self.state.monitors().timeouts as i64
    }

    #[func]
    fn get_monitor_instructions_executed(&self) -> i64 {
        self.state.monitors().instructions as i64
    }

    /// Scoped Variants and objects held for the guest (0 between calls).
    #[func]
    fn get_monitor_scoped_references(&self) -> i64 {
        self.state.monitors().scoped_references as i64
    }

    /// Permanent Variants held for the guest.
    #[func]
    fn get_monitor_permanent_references(&self) -> i64 {
        self.state.monitors().permanent_references as i64
    }

    #[func]
    fn set_memory_max(&mut self, mib: i64) {
        self.memory_max = mib.clamp(1, 65536);
    }

    #[func]
    fn set_references_max(&mut self, max: i64) {
        self.references_max = max.clamp(1, 65536);
        let limit = self.references_max as usize;
        // Applies to the loaded program too (no-op while it is running).
        let _ = self.state.with_machine(self.base().instance_id(), |m| m.data.refs.max_refs = limit);
    }
}

impl Sandbox {
    /// Instructions per call.
    fn budget(&self) -> u64 {
        if self.execution_timeout <= 0 {
            u64::MAX
        } else {
            (self.execution_timeout as u64).saturating_mul(1 << 20)
        }
    }

    fn convention(&self) -> Convention {
        if self.unboxed_arguments {
            Convention::Unboxed
        } else {
            Convention::Boxed
        }
    }

    fn load(&mut self, program: std::sync::Arc<rvsandbox_vm::Program>, method: &str) {
        let settings = Settings {
            memory_max_mib: self.memory_max as u64,
            budget: self.budget(),
            references_max: self.references_max as usize,
            node: self.base().instance_id(),
        };
        if let Err(e) = self.state.load(program, &settings) {
            godot_error!("Sandbox.{method}: {e}");
        }
    }

    /// Calls a guest function on `this` (see `SandboxState::call`); `convention` defaults to
    /// the node's `unboxed_arguments`.
    pub fn call_guest(
        this: &Gd<Sandbox>,
        target: Target,
        args: &[&Variant],
        convention: Option<Convention>,
    ) -> Result<Variant, SandboxError> {
        let (state, budget, default_convention) = {
            let s = this.bind();
            (s.state.clone(), s.budget(), s.convention())
        };
        state.call(this.instance_id(), target, args, convention.unwrap_or(default_convention), budget)
    }
}

/// The optional `bound_args` Array after the fixed argument of `vmcallable*`.
fn bound_args(args: &[&Variant]) -> Result<Vec<Variant>, SandboxError> {
    match args {
        [_] => Ok(Vec::new()),
        [_, bound] => match bound.try_to::<VarArray>() {
            Ok(array) => Ok(array.iter_shared().collect()),
            Err(_) => Err(SandboxError::BadArgument("bound_args must be an Array")),
        },
        _ => Err(SandboxError::BadArgument("expected (function, bound_args = [])")),
    }
}

/// `Sandbox.vmcallable(function, bound_args = [])`: a Callable calling guest `function` with
/// `bound_args` before the call-time arguments. (Registered as a vararg method: gdext cannot
/// give an Array parameter a default value.)
pub fn vmcallable(this: Gd<Sandbox>, args: &[&Variant]) -> Result<Variant, SandboxError> {
    let (name, _) = split_function(args)?;
    let bound = bound_args(args)?;
    let s = this.bind();
    let address = s.state.address_of(&name).ok_or_else(|| SandboxError::UnknownFunction(name.clone()))?;
    Ok(GuestCallable::create(this.instance_id(), address, s.convention(), name, bound).to_variant())
}

/// `Sandbox.vmcallable_address(address, bound_args = [])`: the same for a guest function
/// address (a function pointer the guest handed over).
pub fn vmcallable_address(this: Gd<Sandbox>, args: &[&Variant]) -> Result<Variant, SandboxError> {
    let address = args[0].try_to::<i64>().map_err(|_| SandboxError::BadArgument("address must be an int"))?;
    let bound = bound_args(args)?;
    let s = this.bind();
    let name = s.lookup_address(address).to_string();
    let name = if name.is_empty() { format!("{address:#x}") } else { name };
    Ok(GuestCallable::create(this.instance_id(), address as u64, s.convention(), name, bound).to_variant())
}

/// The function name in `args[0]`, and the arguments after it.
fn split_function<'a, 'b>(args: &'a [&'b Variant]) -> Result<(String, &'a [&'b Variant]), SandboxError> {
    let (function, rest) = args.split_first().ok_or(SandboxError::FunctionNotAName { got: VariantType::NIL })?;
    let name = match function.get_type() {
        VariantType::STRING => function.to::<GString>().to_string(),
        VariantType::STRING_NAME => function.to::<StringName>().to_string(),
        got => return Err(SandboxError::FunctionNotAName { got }),
    };
    Ok((name, rest))
}

/// `Sandbox.vmcall(function, ...args)`: the node's convention (`unboxed_arguments`).
pub fn vmcall(this: Gd<Sandbox>, args: &[&Variant]) -> Result<Variant, SandboxError> {
    let (name, rest) = split_function(args)?;
    Sandbox::call_guest(&this, Target::Name(&name), rest, None)
}

/// `Sandbox.vmcallv(function, ...args)`: always boxed (arguments as guest Variants).
pub fn vmcallv(this: Gd<Sandbox>, args: &[&Variant]) -> Result<Variant, SandboxError> {
    let (name, rest) = split_function(args)?;
    Sandbox::call_guest(&this, Target::Name(&name), rest, Some(Convention::Boxed))
}
