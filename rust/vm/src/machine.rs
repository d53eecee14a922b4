//! The [`Machine`]: one guest process — its CPU, memory, heap, system-call table and host data.

use std::sync::Arc;

use crate::cpu::dispatch::{self, Exit};
use crate::cpu::{insn_flags, Cpu, Trap};
use crate::elf::{LoadError, Program, MAX_ADDRESS, PAGE_SIZE};
use crate::error::Error;
use crate::heap::Heap;
use crate::memory::{AccessKind, Memory};
use crate::native_heap::NativeHeap;
pub use crate::native_heap::NativeHeapUsage;
use crate::startup;
use crate::syscalls::{self, SyscallTable};

/// Register numbers of the calling convention, for host code.
pub mod reg {
    /// Return address.
    pub const RA: u8 = 1;
    /// Stack pointer.
    pub const SP: u8 = 2;
    /// Global pointer.
    pub const GP: u8 = 3;
    /// Thread pointer.
    pub const TP: u8 = 4;
    /// First argument / return value.
    pub const A0: u8 = 10;
    /// System-call number.
    pub const A7: u8 = 17;
}

/// Where a call made by the host returns to: no code lives there, so reaching it ends the call.
pub const EXIT_ADDRESS: u64 = 0xffff_ffff_ffff_f000;

/// The default of [`Options::compile_after`]. Compiling a region costs 0.1-2 ms, about what
/// interpreting its code a few thousand times more slowly than native code costs, so code that
/// runs fewer times (start-up code, most of all) is not worth compiling; a hot loop gets here in
/// microseconds.
pub const DEFAULT_COMPILE_AFTER: u32 = 4096;

/// The default [`Options::heap_allocations_max`] (godot-sandbox's).
pub const DEFAULT_HEAP_ALLOCATIONS_MAX: usize = 4000;

/// How to build a [`Machine`].
#[derive(Debug, Clone)]
pub struct Options {
    /// The size of guest memory in bytes (a whole number of pages). Untouched memory costs
    /// nothing on the host.
    pub memory_max: u64,
    /// Bytes reserved for the stack at the top of memory.
    pub stack_size: u64,
    /// The program's arguments, `argv[0]` first.
    pub argv: Vec<String>,
    /// The program's environment, as `NAME=value`.
    pub env: Vec<String>,
    /// The instruction budget of one [`Machine::vmcall`].
    pub call_instruction_limit: u64,
    /// Compile a block of guest code to native code once the interpreter has started it this
    /// many times (`None`: only interpret). Native code behaves exactly as the interpreter does,
    /// faults, budgets and all; it is shared by all machines of a program. `Some(0)` compiles
    /// every block before it first runs and always enters the native code, however short (other
    /// thresholds leave short straight-line code to the interpreter, which runs it faster than a
    /// trip into native code): it is for tests that compare native code with the interpreter.
    /// (A region another machine of the same program compiled first keeps that machine's
    /// choice.)
    pub compile_after: Option<u32>,
    /// Chunks the native `malloc` system calls (480-482) may hand out and not have back at once
    /// (godot-sandbox's `allocations_max`); past it they return null.
    pub heap_allocations_max: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            memory_max: 256 << 20,
            stack_size: 8 << 20,
            argv: vec!["program".into()],
            env: Vec::new(),
            call_instruction_limit: 8_000_000_000,
            compile_after: Some(DEFAULT_COMPILE_AFTER),
            heap_allocations_max: DEFAULT_HEAP_ALLOCATIONS_MAX,
        }
    }
}

/// How [`Machine::run`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunOutcome {
    /// The guest called `exit` or `exit_group` with this status.
    Exited(i32),
    /// A system-call handler called [`Machine::stop`], or the guest returned to the host.
    Stopped,
}

/// Receives what the guest writes to its standard output (fd 1) and error (fd 2), and answers
/// how many instructions beyond the bytes themselves the host's output of them costs the
/// guest's budget (a host that prints each line through a slow log charges for each).
pub type OutputSink = Box<dyn FnMut(u32, &[u8]) -> u64>;

/// A RISC-V guest process. `T` is host data that system-call handlers can reach as
/// [`Machine::data`].
pub struct Machine<T = ()> {
    /// The hart's registers: those of the call running now. A nested call (see
    /// [`Machine::preempt`]) runs on a spare set, swapped in for it.
    pub cpu: Box<Cpu>,
    /// Register sets for nested calls, one per nesting level reached so far. Boxed: a nested
    /// call swaps one in for `cpu`, a pointer swap instead of a copy of each.
    #[allow(clippy::vec_box)]
    pub(crate) spare_cpus: Vec<Box<Cpu>>,
    /// Guest memory.
    pub memory: Memory,
    /// Host data for system-call handlers.
    pub data: T,
    pub(crate) program: Arc<Program>,
    pub(crate) syscalls: SyscallTable<T>,
    pub(crate) heap: Heap,
    /// The allocator behind the native `malloc` system calls, once the guest first uses it.
    pub(crate) native_heap: Option<NativeHeap>,
    pub(crate) output: OutputSink,
    pub(crate) options: Options,
    /// The top of the stack; host calls start their frames here.
    pub(crate) stack_top: u64,
    /// The instruction count at which the current run must stop.
    pub(crate) budget_end: u64,
    pub(crate) stopped: bool,
    pub(crate) limit_reached: bool,
    pub(crate) exit_status: Option<i32>,
    /// [`Options::compile_after`] as the dispatch loop takes it (see `Jit::threshold`).
    compile_threshold: Option<u32>,
    /// Whether short blocks may run without the dispatch loop (see
    /// [`Machine::run_short_blocks`]): not with `compile_after: Some(0)`. Kept apart from
    /// `compile_threshold` because every call tests it, and a `bool` is one test.
    short_blocks: bool,
    /// How many executions are active: 1 while the guest runs, more while handlers call back in.
    pub(crate) call_depth: u32,
    pub(crate) unknown_syscalls: u64,
    pub(crate) random_state: u64,
}

impl<T> Machine<T> {
    /// Loads `elf` and prepares it to run `main` (with [`Machine::run`]).
    pub fn new(elf: &[u8], options: Options, data: T) -> Result<Machine<T>, LoadError> {
        Machine::from_program(Program::parse(elf)?, options, data)
    }

    /// Prepares a machine for an already-parsed program; machines of one program share its
    /// decoded code and symbols.
    pub fn from_program(program: Arc<Program>, options: Options, data: T) -> Result<Machine<T>, LoadError> {
        if !options.memory_max.is_multiple_of(PAGE_SIZE) || options.memory_max > MAX_ADDRESS {
            return Err(LoadError::InvalidOptions("memory_max must be a whole number of pages, at most 64 GiB"));
        }
        let stack_size = options.stack_size.div_ceil(PAGE_SIZE) * PAGE_SIZE;
        // The heap needs room to grow: at least a few pages beyond the image.
        let needed = program.image_end + stack_size + 16 * PAGE_SIZE;
        if needed > options.memory_max {
            return Err(LoadError::TooLarge { needed, limit: options.memory_max });
        }
        let mut memory = Memory::with_image(options.memory_max, &program.segments, program.image_file.as_ref())
            .ok_or(LoadError::OutOfHostMemory(options.memory_max))?;
        memory.protect(program.image_start, program.writable_start);
        let stack_top = options.memory_max;
        let heap = Heap::new(program.image_end, stack_top - stack_size);
        let random_state = startup::seed();
        let compile_threshold = crate::jit::Jit::threshold(options.compile_after);
        let mut machine = Machine {
            cpu: Box::default(),
            spare_cpus: Vec::with_capacity(crate::call::MAX_CALL_DEPTH as usize),
            memory,
            data,
            program,
            syscalls: syscalls::linux::table(),
            heap,
            native_heap: None,
            output: Box::new(syscalls::host_output),
            options,
            stack_top,
            budget_end: 0,
            stopped: false,
            limit_reached: false,
            exit_status: None,
            compile_threshold,
            short_blocks: compile_threshold != Some(0),
            call_depth: 0,
            unknown_syscalls: 0,
            random_state,
        };
        let sp = startup::build_stack(&mut machine)
            .map_err(|_| LoadError::InvalidOptions("argv and env do not fit on the stack"))?;
        machine.cpu.set_reg(reg::SP, sp);
        machine.cpu.pc = machine.program.entry;
        Ok(machine)
    }

    /// Runs from the current `pc` (at first, the entry point) until the guest exits, a handler
    /// stops it, or `max_instructions` have run ([`Error::InstructionLimit`]).
    pub fn run(&mut self, max_instructions: u64) -> Result<RunOutcome, Error> {
        self.budget_end = self.cpu.instructions.saturating_add(max_instructions);
        if self.execute()? {
            return Err(self.limit_error(max_instructions));
        }
        Ok(match self.exit_status {
            Some(status) => RunOutcome::Exited(status),
            None => RunOutcome::Stopped,
        })
    }

    /// Runs at most `max_instructions` from the current `pc`, for stepwise execution. Afterwards
    /// [`Machine::stopped`] or [`Machine::instruction_limit_reached`] tells why it returned.
    pub fn simulate(&mut self, max_instructions: u64) -> Result<(), Error> {
        self.budget_end = self.cpu.instructions.saturating_add(max_instructions);
        self.limit_reached = self.execute()?;
        Ok(())
    }

    /// Executes until stopped (`Ok(false)`), out of budget (`Ok(true)`), or an error.
    #[inline(never)]
    pub(crate) fn execute(&mut self) -> Result<bool, Error> {
        self.execute_here()
    }

    /// [`Machine::execute`], inlined where it is called (see `run_call`): short blocks first,
    /// then the dispatch loop, out of line.
    #[inline(always)]
    pub(crate) fn execute_here(&mut self) -> Result<bool, Error> {
        self.stopped = false;
        self.limit_reached = false;
        self.call_depth += 1;
        let short = self.run_short_blocks();
        // The common outcome returns on its own: merged with the others, it was copied around
        // as an error-sized value.
        if let Some(Ok(budget_spent)) = short {
            self.call_depth -= 1;
            return Ok(budget_spent);
        }
        let result = short.unwrap_or_else(|| self.execute_loop());
        self.call_depth -= 1;
        result
    }

    /// The dispatch loop and the system calls it stops for, in one function.
    #[inline(never)]
    fn execute_loop(&mut self) -> Result<bool, Error> {
        loop {
            let jit = self.compile_threshold.map(|threshold| (&self.program.jit, threshold));
            match dispatch::run(&mut self.cpu, &mut self.memory, &self.program.code, jit, self.budget_end) {
                Exit::Trap(Trap::Ecall) => self.system_call(self.cpu.reg(reg::A7))?,
                Exit::Trap(Trap::DynCall(number)) => self.system_call(number as u64)?,
                // The guest handed control back (STOP), or returned to the host's exit address.
                Exit::Trap(Trap::Stop) => return Ok(self.hand_back()),
                Exit::OutsideCode if self.cpu.pc == EXIT_ADDRESS => return Ok(self.hand_back()),
                Exit::BudgetSpent => return Ok(true),
                exit @ (Exit::OutsideCode | Exit::Trap(_)) => return Err(self.fault(exit)),
            }
            if self.stopped {
                return Ok(false);
            }
        }
    }

    /// Runs the guest while it is in short blocks (see [`dispatch::run_short_block`]) that end in
    /// a system call, serving each, until one that returns to the host: a small leaf function, or
    /// one that makes a host call and returns what it got, runs without the dispatch loop.
    /// Returns how the execution ended (a fault as the dispatch loop reports it), or `None` to go
    /// on in the loop from `pc` (after a block that went elsewhere, or before one that is not
    /// short or does not fit in the budget). Only where an execution starts: called in the loop
    /// after each system call, it cost the loop registers, and interpreted code 3% of its speed.
    ///
    /// Not with `compile_after: Some(0)`, which promises native code for every block.
    #[inline(always)]
    fn run_short_blocks(&mut self) -> Option<Result<bool, Error>> {
        if !self.short_blocks {
            return None;
        }
        loop {
            let ends = insn_flags::SHORT_RETURN | insn_flags::SHORT_SYSTEM_CALL;
            match dispatch::run_short_block(&mut self.cpu, &mut self.memory, &self.program.code, self.budget_end, ends)?
            {
                Ok(()) => return self.returned_to_host().then_some(Ok(false)),
                Err(Trap::Ecall) => {
                    if let Err(error) = self.system_call(self.cpu.reg(reg::A7)) {
                        return Some(Err(error));
                    }
                    if self.stopped {
                        return Some(Ok(false));
                    }
                }
                // A fault, reported as the dispatch loop would.
                Err(trap) => return Some(Err(self.short_block_fault(trap))),
            }
        }
    }

    /// For the first block of a call from the host: if it is a short one that returns to the host
    /// (all of a small leaf function), runs it and returns true, the machine stopped. Otherwise
    /// the call goes on with [`Machine::execute_here`] from where this left `pc`: after a block
    /// that went elsewhere, at a block that is not short, or at an instruction that faulted,
    /// which then runs again and reports its fault (a faulting instruction changes nothing, see
    /// `cpu::Handler`). Small enough to inline into `vmcall`; reporting the fault here instead
    /// made it too large for that.
    #[inline(always)]
    pub(crate) fn return_quickly(&mut self) -> bool {
        let code = &self.program.code;
        self.short_blocks
            && dispatch::run_short_block(
                &mut self.cpu,
                &mut self.memory,
                code,
                self.budget_end,
                insn_flags::SHORT_RETURN,
            ) == Some(Ok(()))
            && self.returned_to_host()
    }

    /// After a short block that ran to its end: whether it returned to the host, which ends the
    /// execution as a stop.
    #[inline(always)]
    fn returned_to_host(&mut self) -> bool {
        if self.cpu.pc != EXIT_ADDRESS {
            return false;
        }
        self.hand_back();
        self.limit_reached = false;
        true
    }

    /// The error that ends an execution when an instruction of a short block faults (`pc` and
    /// the count are already those of the faulting instruction), as the dispatch loop makes it.
    #[inline(never)]
    #[cold]
    fn short_block_fault(&self, trap: Trap) -> Error {
        debug_assert!(!trap.completed(), "only a fault ends a short block early");
        self.fault(Exit::Trap(trap))
    }

    /// The error for an exit from the dispatch loop that ends the execution with a fault. Kept
    /// out of line: building errors in the loop's function costs every call instructions.
    #[inline(never)]
    #[cold]
    fn fault(&self, exit: Exit) -> Error {
        let pc = self.cpu.pc;
        // Execution ran outside the code (system calls and returns to the host never get here).
        let outside_code = crate::MemoryFault { addr: pc, len: 2, kind: AccessKind::Execute };
        let fault = match exit {
            Exit::Trap(Trap::IllegalInstruction(raw)) => return Error::IllegalInstruction { raw, pc },
            Exit::Trap(Trap::Breakpoint) => return Error::Breakpoint { pc },
            // Every memory trap comes from an access that recorded its fault.
            Exit::Trap(Trap::Memory) => self.memory.last_fault().unwrap_or(outside_code),
            _ => outside_code,
        };
        Error::Memory { fault, pc }
    }

    /// Ends the current execution as a stop; returns the "budget spent" answer (no).
    fn hand_back(&mut self) -> bool {
        self.stopped = true;
        false
    }

    pub(crate) fn limit_error(&self, limit: u64) -> Error {
        Error::InstructionLimit { limit, pc: self.cpu.pc }
    }

    /// Stops the machine after the current system call returns. For use in handlers.
    pub fn stop(&mut self) {
        self.stopped = true;
    }

    /// Whether the last run ended because the guest stopped (exit, [`Machine::stop`], or a
    /// return to the host).
    pub fn stopped(&self) -> bool {
        self.stopped
    }

    /// Whether the last [`Machine::simulate`] ran out of instructions.
    pub fn instruction_limit_reached(&self) -> bool {
        self.limit_reached
    }

    /// The status the guest passed to `exit`, once it has exited.
    pub fn exit_status(&self) -> Option<i32> {
        self.exit_status
    }

    /// Instructions executed since the machine was created.
    pub fn instruction_count(&self) -> u64 {
        self.cpu.instructions
    }

    /// System calls the guest made that no handler implements (each returned `-ENOSYS`).
    pub fn unknown_syscalls(&self) -> u64 {
        self.unknown_syscalls
    }

    /// The loaded program.
    pub fn program(&self) -> &Arc<Program> {
        &self.program
    }

    /// The address of the symbol `name`.
    pub fn address_of(&self, name: &str) -> Option<u64> {
        self.program.address_of(name)
    }

    /// The function containing `addr`, and the offset into it.
    pub fn symbol_at(&self, addr: u64) -> Option<(&str, u64)> {
        self.program.symbol_at(addr)
    }

    /// Sends the guest's standard output and error to `sink` instead of the host's (see
    /// [`OutputSink`]).
    pub fn set_output(&mut self, sink: impl FnMut(u32, &[u8]) -> u64 + 'static) {
        self.output = Box::new(sink);
    }

    /// The native heap (system calls 480-484) as it stands: all zero until the guest first
    /// allocates from it.
    pub fn native_heap_usage(&self) -> NativeHeapUsage {
        self.native_heap.as_ref().map_or_else(NativeHeapUsage::default, NativeHeap::usage)
    }

    /// The options the machine was built with.
    pub fn options(&self) -> &Options {
        &self.options
    }
}

/// A guest address with the function it falls in, for messages: `0x10a2c (main+0x1c)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location<'a> {
    /// The address.
    pub pc: u64,
    /// The containing function and the offset into it, if the symbol table knows it.
    pub symbol: Option<(&'a str, u64)>,
}

impl std::fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#x}", self.pc)?;
        match self.symbol {
            Some((name, 0)) => write!(f, " ({name})"),
            Some((name, offset)) => write!(f, " ({name}+{offset:#x})"),
            None => Ok(()),
        }
    }
}

impl<T> Machine<T> {
    /// `pc` with its function name, for error messages.
    pub fn location(&self, pc: u64) -> Location<'_> {
        Location { pc, symbol: self.symbol_at(pc) }
    }
}
