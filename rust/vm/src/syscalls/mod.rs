//! System calls: the per-machine handler table and the helpers handlers use.
//!
//! The guest puts the number in `a7` and arguments in `a0`-`a5` (or `fa0`-`fa7`), then runs
//! `ecall`. The machine looks the number up in its table; handlers read arguments with
//! [`Machine::sysarg`] and answer with [`Machine::set_result`]. Numbers without a handler return
//! `-ENOSYS` and are counted.

pub(crate) mod linux;
pub(crate) mod native;

use std::io::Write;

use crate::error::{Error, HostError};
use crate::machine::{reg, Machine};

/// A system-call handler. It may read and write guest memory, call back into the guest with
/// [`Machine::preempt`], and [`Machine::stop`] the machine.
pub type SyscallHandler<T> = fn(&mut Machine<T>) -> Result<(), HostError>;

/// System-call numbers a table can hold (Linux uses < 500; Godot host calls start at 500).
pub const SYSCALL_TABLE_SIZE: usize = 1024;

pub(crate) type SyscallTable<T> = Box<[Option<SyscallHandler<T>>; SYSCALL_TABLE_SIZE]>;

/// What every system call costs the budget beyond its `ecall`: a round trip through the host
/// takes as long as a few dozen guest instructions, so a guest that only makes system calls
/// cannot stretch its budget's running time.
pub const SYSTEM_CALL_COST: u64 = 32;

/// How many bytes of host work one instruction of budget pays for (see [`Machine::charge_bytes`]).
pub const BYTES_PER_INSTRUCTION: u64 = 8;

/// Linux's "function not implemented".
pub const ENOSYS: i64 = 38;

/// The default output sink: the host's own standard output and error, at the cost of the
/// bytes alone.
pub(crate) fn host_output(fd: u32, bytes: &[u8]) -> u64 {
    // A host whose stdout is closed loses the guest's output, as a process would.
    let _ = if fd == 2 { std::io::stderr().write_all(bytes) } else { std::io::stdout().write_all(bytes) };
    0
}

impl<T> Machine<T> {
    /// Runs system call `number` for the instruction that just trapped (`pc` is past it).
    /// Inlined into the run loop (`Machine::execute_inner`), which saves 14 host instructions
    /// per host call (callgrind; 0.8 ns). Measure again when the loop changes: when the loop was
    /// a function of its own, inlining this into it made calls without any system call 1.6x
    /// slower.
    #[inline(always)]
    pub(crate) fn system_call(&mut self, number: u64) -> Result<(), Error> {
        self.charge(SYSTEM_CALL_COST);
        let handler = self.syscalls.get(number as usize).copied().flatten();
        match handler {
            Some(handler) => handler(self).map_err(|error| Error::HostCall { number, pc: self.cpu.pc - 4, error }),
            None => {
                self.unknown_syscalls += 1;
                self.set_result(-ENOSYS as u64);
                Ok(())
            }
        }
    }

    /// Installs (or replaces) the handler for system call `number`.
    ///
    /// # Panics
    /// If `number` is not below [`SYSCALL_TABLE_SIZE`] — a programming error in the host.
    pub fn install_syscall_handler(&mut self, number: usize, handler: SyscallHandler<T>) {
        self.syscalls[number] = Some(handler);
    }

    /// Integer system-call argument `n` (`a0` + n).
    pub fn sysarg(&self, n: u8) -> u64 {
        self.cpu.reg(reg::A0 + n)
    }

    /// Floating-point argument `n` (`fa0` + n) as a double.
    pub fn sysarg_f64(&self, n: u8) -> f64 {
        f64::from_bits(self.cpu.freg(10 + n))
    }

    /// Charges the running call `instructions` extra instructions of its budget. Handlers that do
    /// work proportional to a guest-chosen size charge for it, so no guest escapes its
    /// instruction limit by making the host do the work (the budget is checked at the next
    /// block).
    pub fn charge(&mut self, instructions: u64) {
        self.cpu.instructions = self.cpu.instructions.saturating_add(instructions);
    }

    /// Charges for touching `bytes` bytes of guest memory: what a guest loop moving 8 bytes per
    /// instruction would have spent.
    pub fn charge_bytes(&mut self, bytes: u64) {
        self.charge(bytes / BYTES_PER_INSTRUCTION);
    }

    /// Sets the system call's result (`a0`).
    pub fn set_result(&mut self, value: u64) {
        self.cpu.set_reg(reg::A0, value);
    }
}
