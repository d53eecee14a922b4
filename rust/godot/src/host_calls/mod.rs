//! The Godot host calls (system calls 500 and up, docs/guest-abi.md §6), one file per family,
//! and the helpers they share. Every handler validates what the guest passes: pointers through
//! guest memory views, indices through the reference tables, object handles through
//! `Refs::object`; any failure is a `HostError` that ends the vmcall with one engine error.

mod array;
mod callable;
mod containers;
mod dictionary;
mod engine;
mod node;
mod object;
mod print;
mod sandbox_add;
mod spatial;
mod string;
mod utility;
mod variant;

use godot::prelude::*;
use rvsandbox_vm::HostError;

use crate::abi::{AbiError, GuestVariant};
use crate::runtime::Vm;

pub use callable::GuestCallable;

/// What every handler returns.
pub type HostResult = Result<(), HostError>;

/// Host-call numbers (godot-sandbox's `ECALL_*`).
pub mod ecall {
    pub const PRINT: usize = 500;
    pub const VCALL: usize = 501;
    pub const VEVAL: usize = 502;
    pub const VASSIGN: usize = 503;
    pub const GET_OBJ: usize = 504;
    pub const OBJ: usize = 505;
    pub const OBJ_CALLP: usize = 506;
    pub const GET_NODE: usize = 507;
    pub const NODE: usize = 508;
    pub const NODE2D: usize = 509;
    pub const NODE3D: usize = 510;
    pub const THROW: usize = 511;
    pub const IS_EDITOR: usize = 512;
    pub const VCREATE: usize = 517;
    pub const VCLONE: usize = 518;
    pub const VFETCH: usize = 519;
    pub const VSTORE: usize = 520;
    pub const ARRAY_OPS: usize = 521;
    pub const ARRAY_AT: usize = 522;
    pub const ARRAY_SIZE: usize = 523;
    pub const DICTIONARY_OPS: usize = 524;
    pub const STRING_CREATE: usize = 525;
    pub const STRING_OPS: usize = 526;
    pub const STRING_AT: usize = 527;
    pub const STRING_SIZE: usize = 528;
    pub const STRING_APPEND: usize = 529;
    pub const NODE_CREATE: usize = 532;
    pub const CALLABLE_CREATE: usize = 538;
    pub const OBJ_PROP_GET: usize = 545;
    pub const OBJ_PROP_SET: usize = 546;
    pub const SANDBOX_ADD: usize = 547;
    pub const UTILITY: usize = 549;
    pub const PRINT_CHANNEL: usize = 550;
}

/// Installs every Godot host call on `m`.
pub fn install(m: &mut Vm) {
    use ecall::*;
    let table: &[(usize, rvsandbox_vm::SyscallHandler<crate::host::Host>)] = &[
        (PRINT, print::print),
        (VCALL, variant::vcall),
        (VEVAL, variant::veval),
        (VASSIGN, variant::vassign),
        (GET_OBJ, object::get_obj),
        (OBJ, object::obj),
        (OBJ_CALLP, object::obj_callp),
        (GET_NODE, node::get_node),
        (NODE, node::node_op),
        (NODE2D, spatial::node2d),
        (NODE3D, spatial::node3d),
        (NODE_CREATE, node::node_create),
        (UTILITY, utility::utility),
        (PRINT_CHANNEL, print::print_channel),
        (THROW, engine::throw),
        (IS_EDITOR, engine::is_editor),
        (VCREATE, containers::vcreate),
        (VCLONE, variant::vclone),
        (VFETCH, containers::vfetch),
        (VSTORE, containers::vstore),
        (ARRAY_OPS, array::array_ops),
        (ARRAY_AT, array::array_at),
        (ARRAY_SIZE, array::array_size),
        (DICTIONARY_OPS, dictionary::dictionary_ops),
        (STRING_CREATE, string::string_create),
        (STRING_OPS, string::string_ops),
        (STRING_AT, string::string_at),
        (STRING_SIZE, string::string_size),
        (STRING_APPEND, string::string_append),
        (CALLABLE_CREATE, callable::callable_create),
        (OBJ_PROP_GET, object::obj_prop_get),
        (OBJ_PROP_SET, object::obj_prop_set),
        (SANDBOX_ADD, sandbox_add::sandbox_add),
    ];
    for &(number, handler) in table {
        m.install_syscall_handler(number, handler);
    }
}

/// The name of a system call, for error messages.
pub fn name(number: u64) -> &'static str {
    match number as usize {
        ecall::PRINT => "PRINT",
        ecall::VCALL => "VCALL",
        ecall::VEVAL => "VEVAL",
        ecall::VASSIGN => "VASSIGN",
        ecall::GET_OBJ => "GET_OBJ",
        ecall::OBJ => "OBJ",
        ecall::OBJ_CALLP => "OBJ_CALLP",
        ecall::GET_NODE => "GET_NODE",
        ecall::NODE => "NODE",
        ecall::NODE2D => "NODE2D",
        ecall::NODE3D => "NODE3D",
        ecall::NODE_CREATE => "NODE_CREATE",
        ecall::UTILITY => "UTILITY",
        ecall::PRINT_CHANNEL => "PRINT_CHANNEL",
        ecall::THROW => "THROW",
        ecall::IS_EDITOR => "IS_EDITOR",
        ecall::VCREATE => "VCREATE",
        ecall::VCLONE => "VCLONE",
        ecall::VFETCH => "VFETCH",
        ecall::VSTORE => "VSTORE",
        ecall::ARRAY_OPS => "ARRAY_OPS",
        ecall::ARRAY_AT => "ARRAY_AT",
        ecall::ARRAY_SIZE => "ARRAY_SIZE",
        ecall::DICTIONARY_OPS => "DICTIONARY_OPS",
        ecall::STRING_CREATE => "STRING_CREATE",
        ecall::STRING_OPS => "STRING_OPS",
        ecall::STRING_AT => "STRING_AT",
        ecall::STRING_SIZE => "STRING_SIZE",
        ecall::STRING_APPEND => "STRING_APPEND",
        ecall::CALLABLE_CREATE => "CALLABLE_CREATE",
        ecall::OBJ_PROP_GET => "OBJ_PROP_GET",
        ecall::OBJ_PROP_SET => "OBJ_PROP_SET",
        ecall::SANDBOX_ADD => "SANDBOX_ADD",
        _ => "Linux",
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers shared by the handlers.

/// The most bytes of guest text a host call reads at once.
const MAX_STRING: u64 = 4 << 20;

pub fn refused(message: impl Into<String>) -> HostError {
    HostError::Refused(message.into())
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
