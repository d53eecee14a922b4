//! The RISC-V hart: registers, the decoded-instruction format, and the dispatch loop.
//!
//! Instructions are decoded once per program (see [`code`]) into [`Insn`] records that carry a
//! handler function and pre-extracted operands. Each ISA extension lives in its own file and
//! provides its handlers and the decoder for its encodings.

// Handler-defining macros come first so every extension module can use them.
/// Defines a handler `rd = f(rs1, rs2)` for register-register operations.
macro_rules! reg_reg {
    ($($name:ident => |$a:ident, $b:ident| $body:expr;)*) => {$(
        pub(crate) fn $name(cpu: &mut Cpu, _: &mut Memory, i: &Insn) -> Result<(), Trap> {
            let $a = cpu.operand(i.rs1);
            let $b = cpu.operand(i.rs2);
            cpu.write(i.rd, $body);
            Ok(())
        }
    )*};
}

/// Defines a handler `rd = f(rs1, imm)` for register-immediate operations.
macro_rules! reg_imm {
    ($($name:ident => |$a:ident, $imm:ident| $body:expr;)*) => {$(
        pub(crate) fn $name(cpu: &mut Cpu, _: &mut Memory, i: &Insn) -> Result<(), Trap> {
            let $a = cpu.operand(i.rs1);
            let $imm = i.imm as i64 as u64;
            cpu.write(i.rd, $body);
            Ok(())
        }
    )*};
}

pub(crate) mod a;
pub(crate) mod c;
pub(crate) mod code;
pub(crate) mod csr;
pub(crate) mod d;
pub(crate) mod decode;
pub(crate) mod dispatch;
pub(crate) mod f;
pub(crate) mod fields;
pub(crate) mod float;
pub(crate) mod i;
pub(crate) mod m;
pub(crate) mod threaded;
pub(crate) mod zb;

use crate::machine::reg;
use crate::memory::{Memory, MemoryFault};

/// Register index that instructions whose destination is `x0` write to, so `x0` stays zero without
/// a check on every write.
pub(crate) const SINK: u8 = 32;

/// The ABI names of the integer registers, for messages and debugging.
pub const REGISTER_NAMES: [&str; 32] = [
    "zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2",
    "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
];

/// Architectural state of one hart. Cache-line aligned.
#[derive(Clone)]
#[repr(align(64))]
pub struct Cpu {
    /// Integer registers; index 32 is the write sink for `x0` and is never read. The array has
    /// an entry for every `u8`, so that decoded register numbers index it without a bounds check
    /// or a mask (this saves three instructions in each interpreted ALU operation).
    x: [u64; 256],
    /// Floating-point registers as raw bits (single-precision values are NaN-boxed).
    f: [u64; 32],
    /// Address of the next instruction to execute.
    pub pc: u64,
    /// The `fcsr` register: accrued exception flags (bits 0-4) and rounding mode (bits 5-7).
    pub fcsr: u32,
    /// The address reserved by the last `lr`, if any.
    pub(crate) reservation: Option<u64>,
    /// Instructions retired since the machine was created.
    pub instructions: u64,
}

impl Default for Cpu {
    fn default() -> Self {
        Cpu { x: [0; 256], f: [0; 32], pc: 0, fcsr: 0, reservation: None, instructions: 0 }
    }
}

impl Cpu {
    /// Integer register `i` (0-31).
    #[inline(always)]
    pub fn reg(&self, i: u8) -> u64 {
        self.x[i as usize & 31]
    }

    /// Sets integer register `i`; writes to `x0` are discarded.
    #[inline(always)]
    pub fn set_reg(&mut self, i: u8, value: u64) {
        if i != 0 {
            self.x[i as usize & 31] = value;
        }
    }

    /// Reads a source register as decoded (always below 32).
    #[inline(always)]
    pub(crate) fn operand(&self, rs: u8) -> u64 {
        self.x[rs as usize]
    }

    /// Writes a destination register as decoded (`x0` already replaced by [`SINK`]).
    #[inline(always)]
    pub(crate) fn write(&mut self, rd: u8, value: u64) {
        self.x[rd as usize] = value;
    }

    /// Floating-point register `i` as raw bits.
    #[inline(always)]
    pub fn freg(&self, i: u8) -> u64 {
        self.f[i as usize & 31]
    }

    /// Sets floating-point register `i` to raw bits.
    #[inline(always)]
    pub fn set_freg(&mut self, i: u8, bits: u64) {
        self.f[i as usize & 31] = bits;
    }

    /// All integer registers (`x0` first).
    pub fn registers(&self) -> [u64; 32] {
        let mut out = [0; 32];
        out.copy_from_slice(&self.x[..32]);
        out
    }

    /// All floating-point registers as raw bits.
    pub fn float_registers(&self) -> [u64; 32] {
        self.f
    }

    /// Replaces all integer registers (`x0` is kept zero) and floating-point registers.
    pub fn restore(&mut self, x: &[u64; 32], f: &[u64; 32]) {
        self.x[..32].copy_from_slice(x);
        self.x[0] = 0;
        self.f = *f;
    }
}

impl Cpu {
    /// Prepares this (spare) hart to run a call nested in `outer`'s execution: the registers a
    /// function may expect to find set (`gp`, `tp`, `sp`), the rounding mode and the instruction
    /// count are `outer`'s; the call's own arguments and return address are set afterwards. The
    /// other registers keep whatever an earlier nested call left: a function must not read them.
    /// `pc` is `outer`'s until the call starts, so that an error setting up the call's arguments
    /// names the interrupted code.
    pub(crate) fn prepare_nested_call(&mut self, outer: &Cpu) {
        for r in [reg::SP, reg::GP, reg::TP] {
            self.x[r as usize] = outer.x[r as usize];
        }
        self.pc = outer.pc;
        self.fcsr = outer.fcsr;
        self.reservation = None;
        self.instructions = outer.instructions;
    }
}

/// Byte offsets of [`Cpu`] fields, for generated code that reads and writes them directly.
pub(crate) mod layout {
    use super::Cpu;
    use std::mem::offset_of;

    /// The offset of integer register `r` (0-31).
    pub fn x(r: u8) -> i32 {
        (offset_of!(Cpu, x) + 8 * (r as usize & 31)) as i32
    }
    /// The offset of floating-point register `r` (0-31).
    pub fn f(r: u8) -> i32 {
        (offset_of!(Cpu, f) + 8 * (r as usize & 31)) as i32
    }
    pub const PC: i32 = offset_of!(Cpu, pc) as i32;
    pub const INSTRUCTIONS: i32 = offset_of!(Cpu, instructions) as i32;
}

/// Why an instruction did not complete normally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trap {
    /// A load or store outside allowed memory. What was accessed is [`Memory::last_fault`]: kept
    /// there, it leaves a handler's `Result` eight bytes, which returns in one register (with
    /// the fault's fields it took 16, which return through memory).
    Memory,
    /// An encoding this hart does not implement.
    IllegalInstruction(u32),
    /// An `ecall`: the machine runs the system call in `a7`.
    Ecall,
    /// The custom "dyncall" instruction (opcode 0x5b, `imm` = system-call number): a system call
    /// whose number is part of the instruction.
    DynCall(u16),
    /// The STOP instruction (`0x7ff00073`, also WFI): the guest hands control back to the host.
    Stop,
    /// An `ebreak`.
    Breakpoint,
}

impl Trap {
    /// Whether the trapping instruction completed (it asked the host for something) rather than
    /// faulted; the dispatch loop then counts it and leaves `pc` past it.
    pub fn completed(self) -> bool {
        matches!(self, Trap::Ecall | Trap::DynCall(_) | Trap::Stop)
    }
}

impl From<MemoryFault> for Trap {
    /// The fault itself is in [`Memory::last_fault`], which made it.
    fn from(_: MemoryFault) -> Self {
        Trap::Memory
    }
}

/// An instruction handler. `cpu.pc` is kept up to date only at block ends: handlers of
/// straight-line instructions must not read it; an instruction that ends its block finds its own
/// address in `cpu.pc` and must leave the next one there. A handler that faults (returns a trap
/// that does not [complete](Trap::completed)) must have changed nothing, registers, memory or
/// reservation: the host may run the instruction again (it does when the first block of a call
/// from the host faults, see `Machine::return_quickly`).
pub(crate) type Handler = fn(&mut Cpu, &mut Memory, &Insn) -> Result<(), Trap>;

/// What a decoder chose to run: a handler, and the inline fast path for the same operation if
/// the base ISA has one.
#[derive(Clone, Copy)]
pub(crate) struct Op {
    pub handler: Handler,
    pub fast: i::Fast,
}

impl From<Handler> for Op {
    fn from(handler: Handler) -> Op {
        Op { handler, fast: i::Fast::Call }
    }
}

/// One decoded instruction: what to run, and its operands pre-extracted.
#[derive(Clone, Copy)]
pub(crate) struct Insn {
    pub handler: Handler,
    /// Its threaded form, which the dispatch loop starts a block with: `threaded::UNPLACED`
    /// when decoded, then what `threaded::pick` chooses, set by `code` and nowhere else. The
    /// unsafe code in `threaded::chain` relies on a chain form meaning that another
    /// instruction of the same block follows.
    pub run: threaded::Run,
    /// Sign-extended immediate, or the rounding mode for floating-point instructions.
    pub imm: i32,
    /// Destination register (`x0` as [`SINK`] for integer destinations).
    pub rd: u8,
    pub rs1: u8,
    pub rs2: u8,
    pub rs3: u8,
    /// Which base-ISA operation the dispatch loop runs inline, if any (otherwise `handler`).
    pub fast: i::Fast,
    /// Facts about the instruction and the block it starts: the bits of [`insn_flags`].
    pub flags: u8,
    /// Instructions from this one to the end of its block, inclusive (set by `code`; at most
    /// [`threaded::MAX_BLOCK_LEN`]).
    pub block_len: u8,
    /// 2-byte slots from this instruction to the last of its block (set by `code`).
    pub to_block_end: u8,
    /// The raw encoding, for diagnostics.
    pub raw: u32,
}

/// The bits of [`Insn::flags`].
pub(crate) mod insn_flags {
    /// The instruction may change control flow, which ends its block (set by the decoder).
    pub const ENDS_BLOCK: u8 = 1;
    /// The block from this instruction is at most [`SHORT_BLOCK_MAX`] instructions long and ends
    /// in a `jalr` (set by `code`).
    pub const SHORT_RETURN: u8 = 2;
    /// The block from this instruction is at most [`SHORT_BLOCK_MAX`] instructions long and ends
    /// in an `ecall` (set by `code`).
    pub const SHORT_SYSTEM_CALL: u8 = 4;
    /// The longest block that counts as short. The host runs short blocks without the dispatch
    /// loop where it meets them most (see `dispatch::run_short_block`); longer blocks are left to
    /// the loop, whose JIT may run them natively.
    pub const SHORT_BLOCK_MAX: u8 = 8;
}

impl Insn {
    /// Whether this instruction may change control flow (ends a block).
    #[inline(always)]
    pub fn ends_block(&self) -> bool {
        self.flags & insn_flags::ENDS_BLOCK != 0
    }

    /// Encoded length in bytes: 2 or 4 (a 32-bit encoding's low bits are `0b11`).
    #[inline(always)]
    pub fn len(&self) -> u64 {
        if self.raw & 3 == 3 {
            4
        } else {
            2
        }
    }

    /// The address after this instruction, given that `cpu.pc` holds its own.
    #[inline(always)]
    pub fn next_pc(&self, cpu: &Cpu) -> u64 {
        cpu.pc.wrapping_add(self.len())
    }
}
