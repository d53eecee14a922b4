//! The Godot host calls (system calls 500 and up, docs/guest-abi.md §6), one file per family,
//! and the helpers they share. Every handler validates what the guest passes: pointers through
//! guest memory views, indices through the reference tables, object handles through
//! `Refs::object`; any failure is a `HostError` that ends the vmcall with one engine error.
//!
//! What Godot would do with a guest's request beyond what the handler sees is checked in three
//! modules shared by the handlers: `object_access.rs` (object calls: members reached by name,
//! Callables, connections, files, what needs an unrestricted Sandbox and what no Sandbox may
//! do), `printing.rs` (one bounded walk of nested Variants: printing, deep comparisons and
//! copies, Callables handed over) and `builtin_checks.rs` (builtin methods whose results
//! multiply their input or reach past the restrictions).

mod array;
mod builtin_checks;
mod callable;
mod construct;
mod containers;
mod dictionary;
mod engine;
mod expression;
mod globals;
mod guest_call;
mod indexing;
mod math;
mod node;
mod object;
mod object_access;
mod print;
mod printing;
mod resource;
mod sandbox_add;
mod spatial;
mod string;
mod timer;
mod transforms;
mod utility;
mod variant;
mod vectors;

use godot::prelude::*;
use rvsandbox_vm::HostError;

use crate::abi::{AbiError, GuestVariant};
use crate::host::Host;
use crate::runtime::Vm;

pub use callable::GuestCallable;
pub use expression::clear as release_caches;
pub use printing::{
    check_all_printable, check_format, check_handed_over, check_orderable, check_printable, check_sprintf,
    check_traversable, text_of, Objects,
};
pub use timer::free_timers;

/// What every handler returns.
pub type HostResult = Result<(), HostError>;

/// The Godot host calls: number (godot-sandbox's `ECALL_*`), name, handler.
const TABLE: &[(usize, &str, rvsandbox_vm::SyscallHandler<Host>)] = &[
    (500, "PRINT", print::print),
    (501, "VCALL", variant::vcall),
    (502, "VEVAL", variant::veval),
    (503, "VASSIGN", variant::vassign),
    (504, "GET_OBJ", object::get_obj),
    (505, "OBJ", object::obj),
    (506, "OBJ_CALLP", object::obj_callp),
    (507, "GET_NODE", node::get_node),
    (508, "NODE", node::node_op),
    (509, "NODE2D", spatial::node2d),
    (510, "NODE3D", spatial::node3d),
    (511, "THROW", engine::throw),
    (512, "IS_EDITOR", engine::is_editor),
    (513, "SINCOS", math::sincos),
    (514, "VEC2_LENGTH", math::vec2_length),
    (515, "VEC2_NORMALIZED", math::vec2_normalized),
    (516, "VEC2_ROTATED", math::vec2_rotated),
    (517, "VCREATE", containers::vcreate),
    (518, "VCLONE", variant::vclone),
    (519, "VFETCH", containers::vfetch),
    (520, "VSTORE", containers::vstore),
    (521, "ARRAY_OPS", array::array_ops),
    (522, "ARRAY_AT", array::array_at),
    (523, "ARRAY_SIZE", array::array_size),
    (524, "DICTIONARY_OPS", dictionary::dictionary_ops),
    (525, "STRING_CREATE", string::string_create),
    (526, "STRING_OPS", string::string_ops),
    (527, "STRING_AT", string::string_at),
    (528, "STRING_SIZE", string::string_size),
    (529, "STRING_APPEND", string::string_append),
    (530, "TIMER_PERIODIC", timer::timer_periodic),
    (531, "TIMER_STOP", timer::timer_stop),
    (532, "NODE_CREATE", node::node_create),
    (533, "MATH_OP32", math::math_op32),
    (534, "MATH_OP64", math::math_op64),
    (535, "LERP_OP32", math::lerp_op32),
    (536, "LERP_OP64", math::lerp_op64),
    (537, "VEC3_OPS", vectors::vec3_ops),
    (538, "CALLABLE_CREATE", callable::callable_create),
    (539, "LOAD", resource::load),
    (540, "TRANSFORM_2D_OPS", transforms::transform2d_ops),
    (541, "TRANSFORM_3D_OPS", transforms::transform3d_ops),
    (542, "BASIS_OPS", transforms::basis_ops),
    (543, "VEC2_OPS", vectors::vec2_ops),
    (544, "QUAT_OPS", transforms::quat_ops),
    (545, "OBJ_PROP_GET", object::obj_prop_get),
    (546, "OBJ_PROP_SET", object::obj_prop_set),
    (547, "SANDBOX_ADD", sandbox_add::sandbox_add),
    (548, "PACKED_ARRAY_OPS", construct::packed_array_ops),
    (549, "UTILITY", utility::utility),
    (550, "PRINT_CHANNEL", print::print_channel),
    (551, "BREAKPOINT", engine::breakpoint),
    (554, "CALL_GUEST", guest_call::call_guest),
    (556, "OBJ_RETAIN", globals::obj_retain),
    (558, "VCONSTRUCT", construct::vconstruct),
    (559, "VSTORE_GLOBAL", globals::vstore_global),
    (562, "VARIANT_GET", indexing::variant_get),
];

/// Installs every Godot host call on `m`.
pub fn install(m: &mut Vm) {
    for &(number, _, handler) in TABLE {
        m.install_syscall_handler(number, handler);
    }
}

/// The name of a system call, for error messages: a Godot host call's own, or the family of
/// the emulator core's (480-499 are the guest library's native libc functions).
pub fn name(number: u64) -> &'static str {
    let core = if (480..500).contains(&number) { "native libc" } else { "Linux" };
    TABLE.iter().find(|e| e.0 as u64 == number).map_or(core, |e| e.1)
}

// ---------------------------------------------------------------------------------------------
// Helpers shared by the handlers.

/// The most bytes of guest text a host call reads at once.
const MAX_STRING: u64 = 4 << 20;

/// The size of a Godot Variant, in bytes.
pub const VARIANT_BYTES: u64 = 24;

/// The most elements (or characters) of any container or string a guest may have the host build,
/// so that no guest can exhaust the host's memory through host calls.
pub const MAX_ELEMENTS: u64 = 1 << 24;

pub use crate::host::ENGINE_MESSAGE_COST;

/// Logs an engine error from the guest (`log_error!(m, "format", args...)`), charging
/// [`ENGINE_MESSAGE_COST`]. A macro, so that the error names the host call's own source line.
macro_rules! log_error {
    ($m:expr, $($message:tt)*) => {{
        $m.charge($crate::host_calls::ENGINE_MESSAGE_COST);
        godot::global::godot_error!($($message)*);
    }};
}
pub(crate) use log_error;

/// An integer argument as Godot's methods read it: an int, a float (truncated toward zero) or
/// a bool. Checks on sizes and types must read them so: `"ab".repeat(1e12)` is a repeat.
pub fn integer_of(value: &Variant) -> Option<i64> {
    match value.get_type() {
        VariantType::INT => value.try_to::<i64>().ok(),
        // Saturating: a float past the integers counts as the largest.
        VariantType::FLOAT => value.try_to::<f64>().ok().map(|float| float as i64),
        VariantType::BOOL => Some(value.booleanize() as i64),
        _ => None,
    }
}

/// The characters of a string or the elements of a container; `None` for other values.
pub fn length(value: &Variant) -> Option<u64> {
    let ty = value.get_type();
    let method = match ty {
        VariantType::STRING | VariantType::STRING_NAME => "length",
        VariantType::ARRAY | VariantType::DICTIONARY => "size",
        _ if ty.ord() >= VariantType::PACKED_BYTE_ARRAY.ord() => "size",
        _ => return None,
    };
    Some(value.call(method, &[]).try_to::<i64>().unwrap_or(0).max(0) as u64)
}

/// Refuses `value` if it is a string or container over [`MAX_ELEMENTS`] (checked on results of
/// operations whose output size the guest controls: builtin methods and operators); otherwise
/// gives its length, if it has one.
pub fn check_size(value: &Variant) -> Result<Option<u64>, HostError> {
    match length(value) {
        Some(size) if size > MAX_ELEMENTS => {
            Err(refused(format!("a {:?} of {size} elements is too large (at most {MAX_ELEMENTS})", value.get_type())))
        }
        size => Ok(size),
    }
}

/// Host memory one element of a container of type `ty` takes, by Godot's layouts: a UTF-32
/// character, a 24-byte Variant, a Dictionary entry (key, value and links), a packed element.
pub fn element_bytes(ty: VariantType) -> u64 {
    match ty {
        VariantType::STRING | VariantType::STRING_NAME => 4,
        VariantType::ARRAY => VARIANT_BYTES,
        VariantType::DICTIONARY => 3 * VARIANT_BYTES,
        // The String itself; its characters are counted where they are read.
        VariantType::PACKED_STRING_ARRAY => 16,
        ty => containers::packed_element_bytes(ty).unwrap_or(0),
    }
}

/// Host memory `value`'s characters or elements take; 0 for values held inline.
pub fn host_bytes(value: &Variant) -> u64 {
    length(value).map_or(0, |n| n.saturating_mul(element_bytes(value.get_type())))
}

/// Counts `bytes` of host memory that a host call builds for the guest against
/// `host_memory_max`, and refuses the host call that would pass it. Called before building
/// wherever the size is known first, so that a refused request never allocates. What one call
/// builds is released when it ends, unless the guest keeps it in a permanent Variant: those
/// count until they are released, so the allowance of a call is what the guest keeps plus what
/// the call builds.
pub fn hold(m: &mut Vm, bytes: u64) -> HostResult {
    if bytes == 0 {
        return Ok(());
    }
    let kept = m.data.refs.permanent_bytes();
    // While main() runs, every Variant it is given is permanent, and counted as kept once
    // stored: counting it as built too would count it twice.
    let building_for_main = m.data.refs.level() == 0;
    let memory = &mut m.data.host_memory;
    let used = if building_for_main { 0 } else { memory.used }.saturating_add(bytes);
    if used.saturating_add(kept) > memory.max {
        return Err(refused(format!(
            "host calls would build more than host_memory_max ({} MiB) in one call ({} MiB of it kept in permanent Variants)",
            memory.max >> 20,
            kept >> 20
        )));
    }
    if !building_for_main {
        memory.used = used;
    }
    Ok(())
}

/// Stores `value` in a permanent Variant for the guest (VCLONE without a destination,
/// VSTORE_GLOBAL). From now on it counts as kept, also in the current call, which may still hold
/// it under a scoped index too: what the call counted for building it stays counted.
pub fn keep(m: &mut Vm, value: Variant) -> Result<i32, HostError> {
    Ok(m.data.refs.add_permanent(value)?)
}

/// [`hold`] for a value already built (the result of a builtin method, operator or
/// constructor), after checking it against [`MAX_ELEMENTS`].
pub fn hold_value(m: &mut Vm, value: &Variant) -> HostResult {
    let elements = check_size(value)?.unwrap_or(0);
    hold(m, elements.saturating_mul(element_bytes(value.get_type())))
}

pub fn refused(message: impl Into<String>) -> HostError {
    HostError::Refused(message.into())
}

/// `text` as a NodePath; refused where Godot's parser would log an error of its own (an empty
/// subname, as in `a::b`), or would stop early (at a NUL).
pub fn node_path(text: &str) -> Result<NodePath, HostError> {
    let empty_subname = text.split_once(':').is_some_and(|(_, subnames)| {
        let mut names: Vec<&str> = subnames.split(':').collect();
        // A path may end in ':'.
        names.pop();
        names.contains(&"")
    });
    if empty_subname || text.contains('\0') {
        return Err(refused(format!("invalid NodePath '{text}'")));
    }
    Ok(NodePath::from(text))
}

/// A String, StringName or NodePath (per `ty`) from `text`.
pub fn text_of_type(ty: VariantType, text: &str) -> Result<Variant, HostError> {
    Ok(match ty {
        VariantType::STRING_NAME => StringName::from(text).to_variant(),
        VariantType::NODE_PATH => node_path(text)?.to_variant(),
        _ => GString::from(text).to_variant(),
    })
}

/// UTF-8 text at (`ptr`, `len`) in guest memory.
pub fn read_str(m: &Vm, ptr: u64, len: u64) -> Result<String, HostError> {
    if len > MAX_STRING {
        return Err(refused(format!("string of {len} bytes is too long")));
    }
    Ok(String::from_utf8_lossy(m.memory.view(ptr, len)?).into_owned())
}

/// The Godot value of the guest Variant at `addr`.
pub fn read_variant(m: &Vm, addr: u64) -> Result<Variant, HostError> {
    Ok(GuestVariant::read(&m.memory, addr)?.to_variant(&m.data.refs)?)
}

/// `count` guest Variants starting at `addr`.
pub fn read_variants(m: &Vm, addr: u64, count: u64) -> Result<Vec<Variant>, HostError> {
    (0..count).map(|i| read_variant(m, addr + 24 * i)).collect()
}

/// Stores `value` into the guest Variant at `addr`.
pub fn write_variant(m: &mut Vm, addr: u64, value: &Variant) -> Result<(), HostError> {
    let gv = GuestVariant::from_variant(value, &mut m.data.refs)?;
    gv.write(&mut m.memory, addr)?;
    Ok(())
}

/// The Variant behind a scoped or permanent index.
pub fn indexed(m: &Vm, index: i32) -> Result<Variant, HostError> {
    Ok(m.data.refs.get(index)?.clone())
}

/// Godot's builtin `method` of `value` with `args`.
pub fn godot_method(value: impl ToGodot, method: &str, args: &[Variant]) -> Result<Variant, HostError> {
    variant::call_builtin(&mut value.to_variant(), method, args).map_err(refused)
}

/// Writes a double to `addr` in guest memory.
pub fn write_f64(m: &mut Vm, addr: u64, value: f64) -> HostResult {
    Ok(m.memory.write_u64(addr, value.to_bits())?)
}

/// The object behind a guest handle (validated).
pub fn object(m: &Vm, handle: u64) -> Result<Gd<Object>, HostError> {
    Ok(m.data.refs.object(handle)?)
}

/// A typed value from a Variant, or a guest-facing error.
pub fn expect<T: FromGodot>(value: &Variant, what: &'static str) -> Result<T, HostError> {
    value
        .try_to::<T>()
        .map_err(|_| HostError::from(AbiError::WrongType { expected: what, got: format!("{:?}", value.get_type()) }))
}

/// Refuses `address` unless it is the start of an instruction in the program's code: what a
/// guest function pointer must be before the host calls it or hands it to Godot.
pub fn check_function(m: &Vm, address: u64) -> Result<(), HostError> {
    if address & 1 != 0 || !m.program().is_executable(address) {
        return Err(AbiError::NotCode(address).into());
    }
    Ok(())
}
