//! # rvsandbox-vm
//!
//! A RISC-V RV64GC (IMAFDC, Zicsr, Zifencei, Zba/Zbb/Zbs) emulator for Linux user-mode programs,
//! made to be embedded: load a static ELF, run its `main`, then call its functions by name as if
//! it were a shared library. Every guest memory access is bounds-checked, every run has an
//! instruction budget, and nothing the guest does can reach the host beyond the system calls the
//! host installs.
//!
//! ```no_run
//! use rvsandbox_vm::{Arg, Machine, Options, RunOutcome};
//!
//! let elf = std::fs::read("program.elf")?;
//! let mut machine = Machine::new(&elf, Options::default(), ())?;
//! // Run main() until the guest exits (its memory stays as it was).
//! let outcome = machine.run(1_000_000_000)?;
//! assert!(matches!(outcome, RunOutcome::Exited(_) | RunOutcome::Stopped));
//! // Then call `long add(long, long)` inside it.
//! let sum = machine.vmcall("add", &[Arg::Int(1), Arg::Int(2)])?;
//! assert_eq!(sum, 3);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Host calls
//! System calls go to handlers installed per machine by number, with access to guest memory and
//! host data `T`:
//!
//! ```no_run
//! use rvsandbox_vm::{HostError, Machine, Options};
//!
//! /// `long host_add(long a, long b)` as system call 500, counting calls in the host data.
//! fn host_add(m: &mut Machine<u32>) -> Result<(), HostError> {
//!     m.data += 1;
//!     m.set_result(m.sysarg(0).wrapping_add(m.sysarg(1)));
//!     Ok(())
//! }
//!
//! # let elf = Vec::new();
//! let mut machine = Machine::new(&elf, Options::default(), 0u32)?;
//! machine.install_syscall_handler(500, host_add);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A handler can read guest memory without copying ([`Memory::view`], [`Memory::c_string`]),
//! stop the machine ([`Machine::stop`]), and call back into the guest ([`Machine::preempt`]),
//! for example through a function pointer the guest passed in an earlier call.
//!
//! ## Stepwise execution
//! [`Machine::setup_call`] followed by [`Machine::simulate`] runs a call in slices; after each
//! slice, [`Machine::stopped`] or [`Machine::instruction_limit_reached`] says why it returned.

//!
//! ## Native code
//! Code that has run [`Options::compile_after`] times is compiled to native code (x86-64 hosts),
//! which behaves exactly like the interpreter: same results, instruction counts, faults and
//! floating-point flags. [`Program::compile_stats`] tells what was compiled.
//!
//! ## The host thread's floating-point environment
//! Guest floating-point arithmetic assumes the calling thread runs with the default
//! floating-point control (round to nearest, no flush-to-zero), as Rust programs and Godot do.
//! Native code sets it up itself; the interpreter does not check it, because reading the
//! control register on every call cost more (7 ns) than an empty call.

#![warn(missing_docs)]

mod arena;
mod call;
mod cpu;
mod elf;
mod error;
mod heap;
mod jit;
mod machine;
mod memory;
mod native_heap;
mod startup;
mod syscalls;

pub use call::{Arg, CachedAddress, MAX_CALL_DEPTH, MAX_STACK_ARGS};
pub use cpu::{Cpu, REGISTER_NAMES};
pub use elf::{LoadError, Program, LOWEST_ADDRESS, MAX_ADDRESS, PAGE_SIZE};
pub use error::{Error, HostError};
pub use jit::{native_code_supported, CompileStats};
pub use machine::{
    reg, Location, Machine, NativeHeapUsage, Options, OutputSink, RunOutcome, DEFAULT_COMPILE_AFTER,
    DEFAULT_HEAP_ALLOCATIONS_MAX, EXIT_ADDRESS,
};
pub use memory::{AccessKind, Memory, MemoryFault};
pub use syscalls::{SyscallHandler, BYTES_PER_INSTRUCTION, ENOSYS, SYSCALL_TABLE_SIZE, SYSTEM_CALL_COST};
