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
use crate::program::SandboxProgram;
use crate::restrictions::{Kind, Restrictions};
use crate::runtime::Settings;
use crate::state::{self, SandboxState};
pub use crate::state::{SandboxError, Target};

mod calls;
mod monitors;
mod native_code;
mod rules;

pub use calls::{vmcall, vmcallable, vmcallable_address, vmcallv};

/// Default `memory_max`, MiB (godot-sandbox's `MAX_VMEM`).
const DEFAULT_MEMORY_MAX: i64 = 32;
/// Default `execution_timeout`, in units of 2^20 instructions (godot-sandbox's
/// `MAX_INSTRUCTIONS`).
const DEFAULT_EXECUTION_TIMEOUT: i64 = 8000;
/// Default `references_max` (godot-sandbox's `MAX_REFS`).
const DEFAULT_REFERENCES_MAX: i64 = 100;
/// Default `host_memory_max`, MiB: room for an Array of ten million elements.
const DEFAULT_HOST_MEMORY_MAX: i64 = 256;
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
    #[var(set = set_execution_timeout)]
    execution_timeout: i64,
    /// The most scoped Variants (and objects) the guest may hold per call.
    #[export]
    #[var(set = set_references_max)]
    references_max: i64,
    /// What host calls may build for the guest in one call (Arrays, Strings, Dictionaries,
    /// packed arrays), in MiB; beyond it the call fails.
    #[export]
    #[var(set = set_host_memory_max)]
    host_memory_max: i64,
    /// Chunks the guest's native `malloc` may hand out and not have back at once (takes effect
    /// when a program is loaded); past it, `malloc` returns null.
    #[export]
    #[var(set = set_allocations_max)]
    allocations_max: i64,
    /// `vmcall` passes arguments in registers by type ("native types") instead of as Variants.
    #[export]
    #[var(set = set_unboxed_arguments)]
    unboxed_arguments: bool,
    /// Restricts what the guest may reach (classes, objects, methods, properties,
    /// resources); see `set_*_allowed_callback` and `add_allowed_object`.
    #[allow(dead_code)]
    #[export]
    #[var(get = get_restrictions, set = set_restrictions)]
    restrictions: bool,
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
    #[allow(dead_code)]
    #[var(get = get_monitor_native_regions, no_set)]
    monitor_native_regions: i64,
    // The guest's native heap (`malloc` through host calls 480-484).
    #[allow(dead_code)]
    #[var(get = get_heap_usage, no_set)]
    monitor_heap_usage: i64,
    #[allow(dead_code)]
    #[var(get = get_heap_chunk_count, no_set)]
    monitor_heap_chunk_count: i64,
    #[allow(dead_code)]
    #[var(get = get_heap_allocation_counter, no_set)]
    monitor_heap_allocation_counter: i64,
    #[allow(dead_code)]
    #[var(get = get_heap_deallocation_counter, no_set)]
    monitor_heap_deallocation_counter: i64,
    // Counters over every Sandbox (godot-sandbox's global monitors; see `monitors.rs`).
    #[allow(dead_code)]
    #[var(get = get_monitor_global_calls_made, no_set)]
    monitor_global_calls_made: i64,
    #[allow(dead_code)]
    #[var(get = get_monitor_global_exceptions, no_set)]
    monitor_global_exceptions: i64,
    #[allow(dead_code)]
    #[var(get = get_monitor_global_execution_timeouts, no_set)]
    monitor_global_execution_timeouts: i64,
    #[allow(dead_code)]
    #[var(get = get_monitor_global_instance_count, no_set)]
    monitor_global_instance_count: i64,
    #[allow(dead_code)]
    #[var(get = get_monitor_accumulated_startup_time, no_set)]
    monitor_accumulated_startup_time: f64,

    state: Rc<SandboxState>,
    /// What the guest may reach, shared with the machine's host data.
    rules: Rc<Restrictions>,
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
        let state = Rc::<SandboxState>::default();
        state.set_budget(budget_of(DEFAULT_EXECUTION_TIMEOUT));
        state.set_convention(convention_of(unboxed));
        Sandbox {
            base,
            memory_max: DEFAULT_MEMORY_MAX,
            execution_timeout: DEFAULT_EXECUTION_TIMEOUT,
            references_max: DEFAULT_REFERENCES_MAX,
            host_memory_max: DEFAULT_HOST_MEMORY_MAX,
            allocations_max: rvsandbox_vm::DEFAULT_HEAP_ALLOCATIONS_MAX as i64,
            unboxed_arguments: unboxed,
            program: None,
            monitor_calls_made: 0,
            monitor_exceptions: 0,
            monitor_execution_timeouts: 0,
            monitor_instructions_executed: 0,
            monitor_scoped_references: 0,
            monitor_permanent_references: 0,
            monitor_native_regions: 0,
            monitor_heap_usage: 0,
            monitor_heap_chunk_count: 0,
            monitor_heap_allocation_counter: 0,
            monitor_heap_deallocation_counter: 0,
            monitor_global_calls_made: 0,
            monitor_global_exceptions: 0,
            monitor_global_execution_timeouts: 0,
            monitor_global_instance_count: 0,
            monitor_accumulated_startup_time: 0.0,
            state,
            restrictions: false,
            rules: Rc::default(),
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
            PropertyStorage::Accessors { getter, .. } => self.state.while_node_bound(|| {
                self.state.call(id, Target::Address(getter, &p.name), &[], Convention::Boxed, self.budget())
            }),
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
            PropertyStorage::Accessors { setter, .. } => self.state.while_node_bound(|| {
                self.state
                    .call(id, Target::Address(setter, &p.name), &[&value], Convention::Boxed, self.budget())
                    .map(|_| Ok(()))
            }),
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
        if off_main_thread("set_program") {
            return;
        }
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
        if off_main_thread("load_buffer") {
            return;
        }
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
        if off_main_thread("reset") {
            return;
        }
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
        if off_main_thread("has_program_loaded") {
            return false;
        }
        self.state.is_loaded()
    }

    /// Whether `function` can be called (a public function or a symbol of the program).
    #[func]
    fn has_function(&self, function: StringName) -> bool {
        if off_main_thread("has_function") {
            return false;
        }
        self.state.address_of(&function.to_string()).is_some()
    }

    /// The program's public functions (those its `main()` registered), or, if it registered
    /// none, all function symbols.
    #[func]
    fn get_functions(&self) -> PackedStringArray {
        if off_main_thread("get_functions") {
            return PackedStringArray::new();
        }
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
        if off_main_thread("address_of") {
            return 0;
        }
        self.state.address_of(&symbol.to_string()).unwrap_or(0) as i64
    }

    /// The name of the function containing guest `address` ("" if unknown).
    #[func]
    fn lookup_address(&self, address: i64) -> GString {
        if off_main_thread("lookup_address") {
            return GString::new();
        }
        let program = self.state.program();
        let name = program.as_ref().and_then(|p| p.symbol_at(address as u64)).map(|(n, _)| n.to_string());
        GString::from(&name.unwrap_or_default())
    }

    /// Sends what the guest prints (host-call prints of every channel, and its standard output
    /// and error) to `callback`, one line at a time as a String, instead of Godot's output.
    /// An invalid Callable (`Callable()`) restores Godot's output.
    #[func]
    fn set_redirect_stdout(&mut self, callback: Callable) {
        if off_main_thread("set_redirect_stdout") {
            return;
        }
        self.state.redirect_output(callback.is_valid().then_some(callback));
    }

    /// Calls made so far (nested ones included). Same as `monitor_calls_made`.
    #[func]
    fn get_calls_made(&self) -> i64 {
        self.monitor("get_calls_made", |m| m.calls_made)
    }

    /// Calls made so far (nested ones included).
    #[func]
    fn get_monitor_calls_made(&self) -> i64 {
        self.monitor("get_monitor_calls_made", |m| m.calls_made)
    }

    /// Calls that failed with an exception (a guest fault, an unknown function...).
    #[func]
    fn get_monitor_exceptions(&self) -> i64 {
        self.monitor("get_monitor_exceptions", |m| m.exceptions)
    }

    /// Calls that ran out of instructions.
    #[func]
    fn get_monitor_execution_timeouts(&self) -> i64 {
        self.monitor("get_monitor_execution_timeouts", |m| m.timeouts)
    }

    /// Guest instructions run so far.
    #[func]
    fn get_monitor_instructions_executed(&self) -> i64 {
        self.monitor("get_monitor_instructions_executed", |m| m.instructions)
    }

    /// Regions of the program compiled to native code so far (by any Sandbox of the program).
    #[func]
    fn get_monitor_native_regions(&self) -> i64 {
        if off_main_thread("get_monitor_native_regions") {
            return 0;
        }
        self.state.program().map_or(0, |program| program.compile_stats().regions as i64)
    }

    /// Scoped Variants and objects held for the guest (0 between calls).
    #[func]
    fn get_monitor_scoped_references(&self) -> i64 {
        self.monitor("get_monitor_scoped_references", |m| m.scoped_references)
    }

    /// Permanent Variants held for the guest.
    #[func]
    fn get_monitor_permanent_references(&self) -> i64 {
        self.monitor("get_monitor_permanent_references", |m| m.permanent_references)
    }

    /// Bytes the guest holds in native heap chunks.
    #[func]
    fn get_heap_usage(&self) -> i64 {
        self.heap_monitor("get_heap_usage", |h| h.bytes_used)
    }

    /// Native heap chunks the guest holds.
    #[func]
    fn get_heap_chunk_count(&self) -> i64 {
        self.heap_monitor("get_heap_chunk_count", |h| h.chunks)
    }

    /// Native heap chunks handed out since the program was loaded.
    #[func]
    fn get_heap_allocation_counter(&self) -> i64 {
        self.heap_monitor("get_heap_allocation_counter", |h| h.allocations)
    }

    /// Native heap chunks given back since the program was loaded.
    #[func]
    fn get_heap_deallocation_counter(&self) -> i64 {
        self.heap_monitor("get_heap_deallocation_counter", |h| h.deallocations)
    }

    /// Calls made by every Sandbox so far (see `get_global_calls_made`).
    #[func]
    fn get_monitor_global_calls_made(&self) -> i64 {
        monitors::global("get_monitor_global_calls_made", |g| g.calls_made as i64)
    }

    /// Calls of every Sandbox that failed with an exception (see `get_global_exceptions`).
    #[func]
    fn get_monitor_global_exceptions(&self) -> i64 {
        monitors::global("get_monitor_global_exceptions", |g| g.exceptions as i64)
    }

    /// Calls of every Sandbox that ran out of instructions (see `get_global_timeouts`).
    #[func]
    fn get_monitor_global_execution_timeouts(&self) -> i64 {
        monitors::global("get_monitor_global_execution_timeouts", |g| g.timeouts as i64)
    }

    /// Sandbox nodes alive (see `get_global_instance_count`).
    #[func]
    fn get_monitor_global_instance_count(&self) -> i64 {
        monitors::global("get_monitor_global_instance_count", |g| g.instances as i64)
    }

    /// Seconds every Sandbox has spent loading programs (see `get_accumulated_startup_time`).
    #[func]
    fn get_monitor_accumulated_startup_time(&self) -> f64 {
        monitors::global("get_monitor_accumulated_startup_time", |g| g.startup_seconds)
    }

    #[func]
    fn set_memory_max(&mut self, mib: i64) {
        if off_main_thread("set_memory_max") {
            return;
        }
        self.memory_max = mib.clamp(1, 65536);
    }

    #[func]
    fn set_execution_timeout(&mut self, timeout: i64) {
        if off_main_thread("set_execution_timeout") {
            return;
        }
        self.execution_timeout = timeout;
        self.state.set_budget(budget_of(timeout));
    }

    #[func]
    fn set_unboxed_arguments(&mut self, unboxed: bool) {
        if off_main_thread("set_unboxed_arguments") {
            return;
        }
        self.unboxed_arguments = unboxed;
        self.state.set_convention(convention_of(unboxed));
    }

    #[func]
    fn set_references_max(&mut self, max: i64) {
        if off_main_thread("set_references_max") {
            return;
        }
        self.references_max = max.clamp(1, 65536);
        let limit = self.references_max as usize;
        // Applies to the loaded program too (no-op while it is running).
        let _ = self.state.with_machine(self.base().instance_id(), |m| m.data.refs.max_refs = limit);
    }

    /// godot-sandbox's name for setting `execution_timeout`.
    #[func]
    fn set_instructions_max(&mut self, max: i64) {
        self.set_execution_timeout(max);
    }

    /// godot-sandbox's name for reading `execution_timeout`.
    #[func]
    fn get_instructions_max(&self) -> i64 {
        self.execution_timeout
    }

    /// godot-sandbox's name for setting `references_max`.
    #[func]
    fn set_max_refs(&mut self, #[opt(default = DEFAULT_REFERENCES_MAX)] max: i64) {
        self.set_references_max(max);
    }

    /// godot-sandbox's name for reading `references_max`.
    #[func]
    fn get_max_refs(&self) -> i64 {
        self.references_max
    }

    /// Sets `allocations_max` (clamped to 1..=1048576; takes effect when a program is loaded).
    #[func]
    fn set_allocations_max(&mut self, max: i64) {
        if off_main_thread("set_allocations_max") {
            return;
        }
        self.allocations_max = max.clamp(1, 1 << 20);
    }

    #[func]
    fn set_host_memory_max(&mut self, mib: i64) {
        if off_main_thread("set_host_memory_max") {
            return;
        }
        self.host_memory_max = mib.clamp(1, 65536);
        let bytes = mib_to_bytes(self.host_memory_max);
        // Applies to the loaded program too, from its next call.
        let _ = self.state.with_machine(self.base().instance_id(), |m| m.data.host_memory.max = bytes);
    }

    #[func]
    fn get_restrictions(&self) -> bool {
        if off_main_thread("get_restrictions") {
            return false;
        }
        self.rules.enabled()
    }

    /// `true`: every kind of access without a callback of yours is refused. `false`: all
    /// restrictions (your callbacks included) are removed.
    #[func]
    fn set_restrictions(&mut self, enabled: bool) {
        if off_main_thread("set_restrictions") {
            return;
        }
        if self.refuse_while_running("change restrictions") {
            return;
        }
        self.rules.set_enabled(enabled);
    }
}

impl Sandbox {
    /// One monitor counter for the `#[func]` getter `method`: read on the main thread only (0
    /// and one engine error elsewhere).
    fn monitor(&self, method: &str, counter: fn(&state::Monitors) -> u64) -> i64 {
        if off_main_thread(method) {
            return 0;
        }
        counter(&self.state.monitors()) as i64
    }

    /// One counter of the native heap, for the `#[func]` getter `method`: read on the main thread
    /// only, 0 with no program (or while its machine is in use elsewhere).
    fn heap_monitor(&self, method: &str, counter: fn(&rvsandbox_vm::NativeHeapUsage) -> u64) -> i64 {
        if off_main_thread(method) {
            return 0;
        }
        let usage = self.state.with_machine(self.base().instance_id(), |m| m.native_heap_usage());
        usage.map_or(0, |usage| counter(&usage) as i64)
    }

    /// One engine error and `true` if a call is running (restrictions may not change then).
    fn refuse_while_running(&self, what: &'static str) -> bool {
        let running = self.state.is_running();
        if running {
            godot_error!("Sandbox: {}", SandboxError::Running(what));
        }
        running
    }

    fn set_rule(&mut self, kind: Kind, callback: Callable) {
        if !self.refuse_while_running("change restriction callbacks") {
            self.rules.set_callback(kind, callback);
        }
    }

    /// Instructions per call.
    fn budget(&self) -> u64 {
        self.state.budget()
    }

    fn convention(&self) -> Convention {
        self.state.convention()
    }

    fn load(&mut self, program: std::sync::Arc<rvsandbox_vm::Program>, method: &str) {
        crate::restrictions::register(self.base().instance_id(), &self.rules);
        // So calls find the state without binding the node (see `state::state_of`).
        state::register(self.base().instance_id(), &self.state);
        let settings = Settings {
            memory_max_mib: self.memory_max as u64,
            budget: self.budget(),
            references_max: self.references_max as usize,
            host_memory_max: mib_to_bytes(self.host_memory_max),
            heap_allocations_max: self.allocations_max as usize,
            node: self.base().instance_id(),
            output: self.state.output(),
        };
        if let Err(e) = self.state.while_node_bound(|| self.state.load(program, &settings)) {
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
        if !on_main_thread() {
            return Err(SandboxError::NotMainThread);
        }
        let node = this.instance_id();
        let state = state::state_of(node, || this.bind().state.clone());
        let convention = convention.unwrap_or(state.convention());
        state.call(node, target, args, convention, state.budget())
    }

    /// The program `this` has loaded, without binding the node.
    pub fn program_of(this: &Gd<Sandbox>) -> Option<std::sync::Arc<rvsandbox_vm::Program>> {
        state::state_of(this.instance_id(), || this.bind().state.clone()).program()
    }
}

/// A MiB count (already clamped to 1..=65536) in bytes.
fn mib_to_bytes(mib: i64) -> u64 {
    (mib as u64) << 20
}

/// Instructions per call for an `execution_timeout` (units of 2^20; 0 or less: unlimited).
fn budget_of(execution_timeout: i64) -> u64 {
    if execution_timeout <= 0 {
        u64::MAX
    } else {
        (execution_timeout as u64).saturating_mul(1 << 20)
    }
}

fn convention_of(unboxed_arguments: bool) -> Convention {
    if unboxed_arguments {
        Convention::Unboxed
    } else {
        Convention::Boxed
    }
}

thread_local! {
    static MAIN_THREAD: bool = godot::sys::is_main_thread();
}

/// Whether this is Godot's main thread. A Sandbox's state is single-threaded (the machine runs on
/// the caller's stack, unbound), so every entry point checks this: the extension enables gdext's
/// `experimental-threads` only so that `.elf` resources can load on worker threads.
fn on_main_thread() -> bool {
    MAIN_THREAD.with(|main| *main)
}

/// Pushes an engine error and returns true when `method` is called off the main thread.
fn off_main_thread(method: &str) -> bool {
    let off = !on_main_thread();
    if off {
        godot_error!("Sandbox.{method}: {}", SandboxError::NotMainThread);
    }
    off
}
