//! Calling guest functions from the host: `vmcall`, stepwise calls, and nested calls from
//! inside system-call handlers (`preempt`).
//!
//! A call sets the argument registers, points `ra` at [`EXIT_ADDRESS`] and jumps to the function;
//! when the function returns there, the machine stops and `a0`/`fa0` hold the result. Nothing is
//! allocated on the host (except, once, a register set for each depth of nested calls): strings
//! and byte blobs are copied onto the guest stack.

use std::sync::OnceLock;

use crate::error::Error;
use crate::machine::{reg, Machine, EXIT_ADDRESS};

/// How many host calls may be active at once (a vmcall, and handlers calling back in).
pub const MAX_CALL_DEPTH: u32 = 8;

/// Arguments a call may pass on the stack, beyond the eight integer and eight floating-point
/// registers.
pub const MAX_STACK_ARGS: usize = 24;

/// Bytes left below the interrupted frame's stack pointer before a nested call's frame, so a
/// leaf function's red zone is never overwritten.
const NESTED_STACK_GAP: u64 = 256;

/// One argument of a guest call.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    /// The next integer register.
    Int(i64),
    /// The next floating-point register, as a double.
    Float(f64),
    /// The next floating-point register, as a NaN-boxed single.
    Float32(f32),
    /// Copied to the guest stack with a NUL; its address goes in the next integer register.
    Str(&'a str),
    /// Copied to the guest stack (16-byte aligned, for plain structs); its address goes in the
    /// next integer register.
    Bytes(&'a [u8]),
}

impl<T> Machine<T> {
    /// Calls the function `name` with `args` and returns `a0`, with the per-call instruction
    /// budget from [`crate::Options::call_instruction_limit`]. Read a floating-point result with
    /// [`Machine::return_f64`] afterwards.
    pub fn vmcall(&mut self, name: &str, args: &[Arg]) -> Result<u64, Error> {
        let addr = self.address_of(name).ok_or_else(|| Error::UnknownFunction(name.to_owned()))?;
        self.vmcall_address(addr, args)
    }

    /// Calls the function at `addr` (a function pointer the guest handed over, for example).
    /// From inside a system-call handler this is a [`Machine::preempt`].
    pub fn vmcall_address(&mut self, addr: u64, args: &[Arg]) -> Result<u64, Error> {
        if self.call_depth > 0 {
            return self.preempt(addr, args);
        }
        self.setup_call(addr, args)?;
        self.run_call()
    }

    /// [`Machine::vmcall_address`] for up to eight integer arguments whose number is known at
    /// compile time: the fastest call, as nothing about the arguments is checked while it runs
    /// (a `&[Arg]` is looked at one argument at a time). Each value fills its register, as with
    /// [`Arg::Int`]: pass 32-bit parameters (`int`, and `unsigned` too, as the RISC-V LP64
    /// calling convention says) sign-extended from 32 bits.
    ///
    /// ```no_run
    /// # let mut machine = rvsandbox_vm::Machine::new(&[], Default::default(), ())?;
    /// // `long add(long, long)`, looked up once.
    /// let add = machine.address_of("add").expect("the program has `add`");
    /// let sum = machine.vmcall_ints(add, [1, 2])?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn vmcall_ints<const N: usize>(&mut self, addr: u64, args: [i64; N]) -> Result<u64, Error> {
        const { assert!(N <= 8, "a0-a7 hold at most eight integer arguments") };
        if self.call_depth > 0 {
            return self.preempt_ints(addr, args);
        }
        for (register, value) in (reg::A0..).zip(args) {
            self.cpu.set_reg(register, value as u64);
        }
        self.enter_at(addr, self.stack_top & !15);
        self.run_call()
    }

    /// [`Machine::preempt`] for [`Machine::vmcall_ints`]. Out of line, which keeps the common
    /// case small enough to inline where it is called.
    #[inline(never)]
    fn preempt_ints<const N: usize>(&mut self, addr: u64, args: [i64; N]) -> Result<u64, Error> {
        self.preempt(addr, &args.map(Arg::Int))
    }

    /// Runs the call set up at the top level, within the per-call instruction budget. A function
    /// whose first block returns (a small leaf function) is run here; any other goes on out of
    /// line.
    #[inline(always)]
    fn run_call(&mut self) -> Result<u64, Error> {
        let limit = self.options.call_instruction_limit;
        self.budget_end = self.cpu.instructions.saturating_add(limit);
        if self.return_quickly() {
            return Ok(self.cpu.reg(reg::A0));
        }
        self.run_call_rest(limit)
    }

    /// The rest of [`Machine::run_call`]: the execution, inlined here rather than behind another
    /// function call.
    #[inline(never)]
    fn run_call_rest(&mut self, limit: u64) -> Result<u64, Error> {
        if self.execute_here()? {
            return Err(self.limit_error(limit));
        }
        Ok(self.cpu.reg(reg::A0))
    }

    /// Prepares a call to `addr` without running it; continue with [`Machine::simulate`] until
    /// [`Machine::stopped`], then read [`Machine::return_value`]. Inside a system-call handler the
    /// new frame goes below the interrupted one.
    #[inline]
    pub fn setup_call(&mut self, addr: u64, args: &[Arg]) -> Result<(), Error> {
        let top =
            if self.call_depth == 0 { self.stack_top } else { self.cpu.reg(reg::SP).saturating_sub(NESTED_STACK_GAP) };
        if self.set_integer_arguments(args) {
            self.enter_at(addr, top & !15);
            Ok(())
        } else {
            self.setup_call_on_stack(addr, top, args)
        }
    }

    /// The common case, kept small enough to inline: up to eight integers, all in registers.
    /// Sets them and returns true, or returns false having set nothing that matters (the general
    /// path sets every argument register again).
    #[inline(always)]
    fn set_integer_arguments(&mut self, args: &[Arg]) -> bool {
        if args.len() > 8 {
            return false;
        }
        for (register, arg) in (reg::A0..).zip(args) {
            let Arg::Int(value) = *arg else { return false };
            self.cpu.set_reg(register, value as u64);
        }
        true
    }

    /// [`Machine::setup_call`] for arguments that are not all integers in registers.
    #[inline(never)]
    fn setup_call_on_stack(&mut self, addr: u64, top: u64, args: &[Arg]) -> Result<(), Error> {
        // First where everything goes: strings and blobs below `top`, and under them the words
        // that do not fit in a0-a7 (floats beyond fa7 travel as integer words, as the RISC-V
        // calling convention says), at the new stack pointer.
        let (mut int_words, mut float_words, mut blob_bytes) = (0usize, 0usize, 0u64);
        for arg in args {
            match arg {
                Arg::Str(s) => blob_bytes += (s.len() as u64 + 1).next_multiple_of(16),
                Arg::Bytes(b) => blob_bytes += (b.len() as u64).next_multiple_of(16),
                Arg::Float(_) | Arg::Float32(_) => {
                    float_words += 1;
                    if float_words <= 8 {
                        continue;
                    }
                }
                Arg::Int(_) => {}
            }
            int_words += 1;
        }
        let stack_words = int_words.saturating_sub(8);
        if stack_words > MAX_STACK_ARGS {
            return Err(Error::TooManyArguments);
        }
        let mut blob_sp = top & !15;
        let sp = blob_sp.saturating_sub(blob_bytes + (8 * stack_words as u64).next_multiple_of(16));
        let (mut ints, mut floats) = (0u64, 0u8);
        for arg in args {
            let word = match *arg {
                Arg::Int(v) => v as u64,
                Arg::Str(s) => {
                    blob_sp = self.push_to_stack(blob_sp, s.as_bytes(), true)?;
                    blob_sp
                }
                Arg::Bytes(b) => {
                    blob_sp = self.push_to_stack(blob_sp, b, false)?;
                    blob_sp
                }
                Arg::Float(_) | Arg::Float32(_) => {
                    let bits = match *arg {
                        Arg::Float32(f) => 0xffff_ffff_0000_0000 | f.to_bits() as u64,
                        Arg::Float(f) => f.to_bits(),
                        _ => unreachable!("a float argument"),
                    };
                    if floats < 8 {
                        self.cpu.set_freg(10 + floats, bits);
                        floats += 1;
                        continue;
                    }
                    bits
                }
            };
            if ints < 8 {
                self.cpu.set_reg(reg::A0 + ints as u8, word);
            } else {
                let at = sp + 8 * (ints - 8);
                self.memory.write_u64(at, word).map_err(|fault| Error::Memory { fault, pc: self.cpu.pc })?;
            }
            ints += 1;
        }
        self.enter_at(addr, sp);
        Ok(())
    }

    /// Points the CPU at `addr` with stack pointer `sp`, returning to the host.
    fn enter_at(&mut self, addr: u64, sp: u64) {
        self.cpu.set_reg(reg::SP, sp);
        self.cpu.set_reg(reg::RA, EXIT_ADDRESS);
        self.cpu.pc = addr;
    }

    /// Copies `bytes` (plus a NUL if asked) below `sp`; returns the new, 16-byte aligned `sp`,
    /// which is where the bytes start.
    fn push_to_stack(&mut self, sp: u64, bytes: &[u8], nul: bool) -> Result<u64, Error> {
        let len = bytes.len() as u64 + nul as u64;
        let fault = |addr| Error::Memory {
            fault: crate::MemoryFault { addr, len, kind: crate::AccessKind::Write },
            pc: self.cpu.pc,
        };
        let start = sp.checked_sub(len).ok_or_else(|| fault(0))? & !15;
        if start < self.stack_top - self.options.stack_size {
            return Err(fault(start));
        }
        self.memory.copy_to_guest(start, bytes).map_err(|f| Error::Memory { fault: f, pc: self.cpu.pc })?;
        if nul {
            self.memory
                .write_u8(start + bytes.len() as u64, 0)
                .map_err(|f| Error::Memory { fault: f, pc: self.cpu.pc })?;
        }
        Ok(start)
    }

    /// `a0` after a call.
    pub fn return_value(&self) -> u64 {
        self.cpu.reg(reg::A0)
    }

    /// `fa0` after a call, as a double.
    pub fn return_f64(&self) -> f64 {
        f64::from_bits(self.cpu.freg(10))
    }

    /// Calls the guest from inside a system-call handler. The interrupted guest code continues as
    /// if nothing happened: the nested call runs on a register set of its own, swapped in for it
    /// (copying the interrupted registers out and back took as long as the rest of the call), and
    /// shares only memory and the instruction count. It runs within what is left of the current
    /// instruction budget.
    ///
    /// The nested function starts with the interrupted code's `sp` (its frame goes below it),
    /// `gp`, `tp` and rounding mode, its arguments, and `ra` returning to the host; every other
    /// register holds what an earlier nested call left there (the calling convention does not
    /// let a function read them). The first nested call at each depth allocates its register
    /// set, once.
    pub fn preempt(&mut self, addr: u64, args: &[Arg]) -> Result<u64, Error> {
        if self.call_depth >= MAX_CALL_DEPTH {
            return Err(Error::TooDeep(MAX_CALL_DEPTH));
        }
        let mut nested = self.spare_cpus.pop().unwrap_or_default();
        nested.prepare_nested_call(&self.cpu);
        std::mem::swap(&mut self.cpu, &mut nested);
        let (saved_stopped, budget_end) = (self.stopped, self.budget_end);
        let budget = budget_end.saturating_sub(self.cpu.instructions);
        // Cleared so that an exit inside the nested call is visible; put back if none happens.
        let status_before = self.exit_status.take();
        let result = self.setup_call(addr, args).and_then(|()| self.execute());
        let value = self.cpu.reg(reg::A0);
        let instructions = self.cpu.instructions;
        std::mem::swap(&mut self.cpu, &mut nested);
        self.spare_cpus.push(nested);
        self.cpu.instructions = instructions;
        // A guest that exits inside the nested call ends the interrupted run too.
        let exited = self.exit_status.is_some();
        if !exited {
            self.exit_status = status_before;
        }
        self.stopped = saved_stopped || exited;
        self.budget_end = budget_end;
        if result? {
            return Err(self.limit_error(budget));
        }
        Ok(value)
    }
}

/// A guest address looked up by name once and remembered: for functions the host calls often.
#[derive(Debug)]
pub struct CachedAddress {
    name: &'static str,
    addr: OnceLock<Option<u64>>,
}

impl CachedAddress {
    /// A lookup of `name`, made on first use.
    pub const fn new(name: &'static str) -> CachedAddress {
        CachedAddress { name, addr: OnceLock::new() }
    }

    /// The address in `machine`'s program. Use one `CachedAddress` per program.
    pub fn get<T>(&self, machine: &Machine<T>) -> Option<u64> {
        *self.addr.get_or_init(|| machine.address_of(self.name))
    }
}
