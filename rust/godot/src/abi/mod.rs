//! The guest ABI of godot-sandbox (docs/guest-abi.md): the guest Variant layout, the tables
//! its indices and handles refer to, and how call arguments are laid out.

pub mod args;
pub mod raw;
pub mod refs;
pub mod variant;

use rvsandbox_vm::{HostError, MemoryFault};
use thiserror::Error;

pub use args::Convention;
pub use refs::Refs;
pub use variant::GuestVariant;

/// Why a guest Variant, index, handle or argument list could not be used.
#[derive(Debug, Clone, Error)]
pub enum AbiError {
    #[error(transparent)]
    Memory(#[from] MemoryFault),
    #[error("unknown Variant type {0}")]
    UnknownType(u32),
    #[error("Variant index {0} is not known in this call")]
    UnknownIndex(i32),
    #[error("stale or invalid permanent Variant index {0}")]
    StalePermanent(i32),
    #[error("maximum number of scoped Variants reached ({0})")]
    TooManyRefs(usize),
    #[error("maximum number of scoped objects reached ({0})")]
    TooManyObjects(usize),
    #[error("no free permanent Variant slot")]
    PermanentFull,
    #[error("{0:#x} is not the address of guest code")]
    NotCode(u64),
    #[error("object is null")]
    NullObject,
    #[error("{0:#x} is not an object handle")]
    NotAnObjectHandle(u64),
    #[error("object {0:#x} was never given to the guest")]
    ObjectNotScoped(u64),
    #[error("object {0:#x} is not allowed: it was not given to the guest in this call and is not an allowed object")]
    ObjectNotAllowed(u64),
    #[error("object {0:#x} no longer exists")]
    ObjectGone(u64),
    #[error("expected {expected}, got {got}")]
    WrongType { expected: &'static str, got: String },
    #[error("too many VM calls in progress (at most {0} nested)")]
    TooManyLevels(usize),
    #[error("too many arguments: {got} (at most {max})")]
    TooManyArguments { max: usize, got: usize },
    #[error("too many register arguments for the unboxed convention: {0}")]
    RegisterOverflow(&'static str),
}

impl From<AbiError> for HostError {
    fn from(e: AbiError) -> HostError {
        match e {
            AbiError::Memory(fault) => HostError::Memory(fault),
            other => HostError::Refused(other.to_string()),
        }
    }
}
