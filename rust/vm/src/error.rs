//! The errors a running machine reports.

use thiserror::Error;

use crate::memory::MemoryFault;

/// Why a run or call did not complete. Every variant that happens at a guest instruction names
/// its `pc`; look it up with [`crate::Machine::symbol_at`].
#[derive(Debug, Error)]
pub enum Error {
    /// The guest touched memory it may not (including jumping to non-code).
    #[error("{fault} (pc {pc:#x})")]
    Memory {
        /// What was accessed.
        fault: MemoryFault,
        /// The instruction that faulted.
        pc: u64,
    },
    /// The guest executed an encoding that is not RV64GC.
    #[error("illegal instruction {raw:#010x} at pc {pc:#x}")]
    IllegalInstruction {
        /// The encoding.
        raw: u32,
        /// Where it was.
        pc: u64,
    },
    /// The guest executed `ebreak`.
    #[error("breakpoint at pc {pc:#x}")]
    Breakpoint {
        /// Where it was.
        pc: u64,
    },
    /// The instruction budget ran out.
    #[error("instruction limit of {limit} reached at pc {pc:#x}")]
    InstructionLimit {
        /// The budget.
        limit: u64,
        /// Where execution was.
        pc: u64,
    },
    /// A system-call handler failed.
    #[error("system call {number} at pc {pc:#x} failed: {error}")]
    HostCall {
        /// The system-call number.
        number: u64,
        /// The `ecall`'s address.
        pc: u64,
        /// What went wrong.
        error: HostError,
    },
    /// No function of that name exists in the program.
    #[error("unknown function {0:?}")]
    UnknownFunction(String),
    /// More arguments than a call can pass (registers plus [`crate::MAX_STACK_ARGS`] stack words).
    #[error("too many arguments for a call")]
    TooManyArguments,
    /// Host and guest called each other more deeply than allowed.
    #[error("calls between host and guest nested more than {0} deep")]
    TooDeep(u32),
}

impl Error {
    /// The guest address the error happened at, if any.
    pub fn pc(&self) -> Option<u64> {
        match self {
            Error::Memory { pc, .. }
            | Error::IllegalInstruction { pc, .. }
            | Error::Breakpoint { pc }
            | Error::InstructionLimit { pc, .. }
            | Error::HostCall { pc, .. } => Some(*pc),
            Error::UnknownFunction(_) | Error::TooManyArguments | Error::TooDeep(_) => None,
        }
    }
}

/// Why a system-call handler failed. The machine wraps it in [`Error::HostCall`].
#[derive(Debug, Error)]
pub enum HostError {
    /// The guest passed an address the handler could not use.
    #[error(transparent)]
    Memory(#[from] MemoryFault),
    /// A call from the handler back into the guest failed.
    #[error("nested call failed: {0}")]
    Nested(#[from] Box<Error>),
    /// The handler refused the request; the text says why.
    #[error("{0}")]
    Refused(String),
    /// The guest raised an exception through the host (for example Godot's THROW).
    #[error("guest exception: {0}")]
    Exception(String),
}
