//! RV64I: the base integer instruction set (plus FENCE/FENCE.I, which are no-ops for one hart).

use super::d::{fld, fsd};
use super::fields::Word;
use super::m::{div, divu, divuw, divw, mul, mulh, mulhsu, mulhu, mulw, rem, remu, remuw, remw};
use super::{threaded, Cpu, Handler, Insn, Op, Trap, SINK};
use crate::memory::Memory;

/// Sign-extends the low 32 bits (the `*W` instructions' result rule).
#[inline(always)]
pub(crate) fn sext32(v: u64) -> u64 {
    v as i32 as i64 as u64
}

reg_reg! {
    add => |a, b| a.wrapping_add(b);
    sub => |a, b| a.wrapping_sub(b);
    sll => |a, b| a << (b & 63);
    slt => |a, b| ((a as i64) < (b as i64)) as u64;
    sltu => |a, b| (a < b) as u64;
    xor => |a, b| a ^ b;
    srl => |a, b| a >> (b & 63);
    sra => |a, b| ((a as i64) >> (b & 63)) as u64;
    or => |a, b| a | b;
    and => |a, b| a & b;
    addw => |a, b| sext32(a.wrapping_add(b));
    subw => |a, b| sext32(a.wrapping_sub(b));
    sllw => |a, b| sext32(((a as u32) << (b & 31)) as u64);
    srlw => |a, b| sext32(((a as u32) >> (b & 31)) as u64);
    sraw => |a, b| ((a as i32) >> (b & 31)) as i64 as u64;
}

reg_imm! {
    addi => |a, imm| a.wrapping_add(imm);
    slti => |a, imm| ((a as i64) < (imm as i64)) as u64;
    sltiu => |a, imm| (a < imm) as u64;
    xori => |a, imm| a ^ imm;
    ori => |a, imm| a | imm;
    andi => |a, imm| a & imm;
    slli => |a, imm| a << (imm & 63);
    srli => |a, imm| a >> (imm & 63);
    srai => |a, imm| ((a as i64) >> (imm & 63)) as u64;
    addiw => |a, imm| sext32(a.wrapping_add(imm));
    slliw => |a, imm| sext32(((a as u32) << (imm & 31)) as u64);
    srliw => |a, imm| sext32(((a as u32) >> (imm & 31)) as u64);
    sraiw => |a, imm| ((a as i32) >> (imm & 31)) as i64 as u64;
}

/// `rd = imm` (LUI, and compressed LI).
pub(crate) fn lui(cpu: &mut Cpu, _: &mut Memory, i: &Insn) -> Result<(), Trap> {
    cpu.write(i.rd, i.imm as i64 as u64);
    Ok(())
}

/// AUIPC whose result does not fit a 32-bit constant (see [`decode`]); it ends its block
/// so that `cpu.pc` holds its address.
pub(crate) fn auipc(cpu: &mut Cpu, _: &mut Memory, i: &Insn) -> Result<(), Trap> {
    cpu.write(i.rd, cpu.pc.wrapping_add(i.imm as i64 as u64));
    cpu.pc = i.next_pc(cpu);
    Ok(())
}

/// Does nothing (FENCE, FENCE.I, hints, and ALU instructions whose destination is `x0`).
pub(crate) fn nop(_: &mut Cpu, _: &mut Memory, _: &Insn) -> Result<(), Trap> {
    Ok(())
}

/// Defines a load handler: `rd = extend(mem[rs1 + imm])`.
macro_rules! load {
    ($($name:ident => $read:ident as $ty:ty;)*) => {$(
        pub(crate) fn $name(cpu: &mut Cpu, mem: &mut Memory, i: &Insn) -> Result<(), Trap> {
            let addr = cpu.operand(i.rs1).wrapping_add(i.imm as i64 as u64);
            let value = mem.$read(addr)? as $ty;
            cpu.write(i.rd, value as i64 as u64);
            Ok(())
        }
    )*};
}

load! {
    lb => read_u8 as i8;
    lh => read_u16 as i16;
    lw => read_u32 as i32;
    ld => read_u64 as i64;
    lbu => read_u8 as u8;
    lhu => read_u16 as u16;
    lwu => read_u32 as u32;
}

/// Defines a store handler: `mem[rs1 + imm] = truncate(rs2)`.
macro_rules! store {
    ($($name:ident => $write:ident as $ty:ty;)*) => {$(
        pub(crate) fn $name(cpu: &mut Cpu, mem: &mut Memory, i: &Insn) -> Result<(), Trap> {
            let addr = cpu.operand(i.rs1).wrapping_add(i.imm as i64 as u64);
            mem.$write(addr, cpu.operand(i.rs2) as $ty)?;
            Ok(())
        }
    )*};
}

store! {
    sb => write_u8 as u8;
    sh => write_u16 as u16;
    sw => write_u32 as u32;
    sd => write_u64 as u64;
}

/// Defines a conditional branch handler: jump to `pc + imm` when the condition holds.
macro_rules! branch {
    ($($name:ident => |$a:ident, $b:ident| $cond:expr;)*) => {$(
        pub(crate) fn $name(cpu: &mut Cpu, _: &mut Memory, i: &Insn) -> Result<(), Trap> {
            let $a = cpu.operand(i.rs1);
            let $b = cpu.operand(i.rs2);
            cpu.pc = if $cond { cpu.pc.wrapping_add(i.imm as i64 as u64) } else { i.next_pc(cpu) };
            Ok(())
        }
    )*};
}

branch! {
    beq => |a, b| a == b;
    bne => |a, b| a != b;
    blt => |a, b| (a as i64) < (b as i64);
    bge => |a, b| (a as i64) >= (b as i64);
    bltu => |a, b| a < b;
    bgeu => |a, b| a >= b;
}

pub(crate) fn jal(cpu: &mut Cpu, _: &mut Memory, i: &Insn) -> Result<(), Trap> {
    let link = i.next_pc(cpu);
    cpu.pc = cpu.pc.wrapping_add(i.imm as i64 as u64);
    cpu.write(i.rd, link);
    Ok(())
}

pub(crate) fn jalr(cpu: &mut Cpu, _: &mut Memory, i: &Insn) -> Result<(), Trap> {
    let target = cpu.operand(i.rs1).wrapping_add(i.imm as i64 as u64) & !1;
    // Most are returns, which link nothing (`rd` is `x0`).
    if i.rd != SINK {
        cpu.write(i.rd, i.next_pc(cpu));
    }
    cpu.pc = target;
    Ok(())
}

// ECALL, STOP and "dyncall" have no compressed forms: each is 4 bytes long.

pub(crate) fn ecall(cpu: &mut Cpu, _: &mut Memory, _: &Insn) -> Result<(), Trap> {
    cpu.pc = cpu.pc.wrapping_add(4);
    Err(Trap::Ecall)
}

fn stop(cpu: &mut Cpu, _: &mut Memory, _: &Insn) -> Result<(), Trap> {
    cpu.pc = cpu.pc.wrapping_add(4);
    Err(Trap::Stop)
}

fn dyncall(cpu: &mut Cpu, _: &mut Memory, i: &Insn) -> Result<(), Trap> {
    cpu.pc = cpu.pc.wrapping_add(4);
    Err(Trap::DynCall(i.imm as u16))
}

pub(crate) fn ebreak(_: &mut Cpu, _: &mut Memory, _: &Insn) -> Result<(), Trap> {
    Err(Trap::Breakpoint)
}

/// The hottest operations (the base ISA's, and double loads and stores) get an [`Op`] with an
/// inline fast path: their threaded forms (see [`threaded`]) have the operation inlined, and
/// stepping one instruction at a time matches on [`Fast`] and runs them without an indirect call.
/// Each has a second variant for its compressed form, so that the length follows from the
/// variant. Every other instruction runs through its handler.
macro_rules! fast_ops {
    ($($variant:ident, $compressed:ident => $handler:ident),* $(,)?) => {
        /// The operations with an inline fast path.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u8)]
        pub(crate) enum Fast {
            /// No fast path: call the handler.
            Call,
            $($variant, $compressed,)*
        }

        impl Fast {
            /// The variant for the full-length (4-byte) form of the same operation.
            pub(crate) fn uncompressed(self) -> Fast {
                match self {
                    Fast::Call => Fast::Call,
                    $(Fast::$variant | Fast::$compressed => Fast::$variant,)*
                }
            }

            /// The variant for the compressed (2-byte) form of the same operation.
            pub(crate) fn compressed(self) -> Fast {
                match self {
                    Fast::Call => Fast::Call,
                    $(Fast::$variant | Fast::$compressed => Fast::$compressed,)*
                }
            }
        }

        /// Runs one instruction (inline for the fast operations, through its handler otherwise)
        /// and returns its length in 2-byte slots.
        #[inline(always)]
        pub(crate) fn execute(cpu: &mut Cpu, mem: &mut Memory, insn: &Insn) -> Result<usize, Trap> {
            match insn.fast {
                Fast::Call => (insn.handler)(cpu, mem, insn).map(|()| insn.len() as usize / 2),
                $(
                    Fast::$variant => $handler(cpu, mem, insn).map(|()| 2),
                    Fast::$compressed => $handler(cpu, mem, insn).map(|()| 1),
                )*
            }
        }

        /// The threaded forms (see [`super::threaded`]) of the instructions of operation `fast`.
        pub(crate) fn threaded_forms(fast: Fast) -> &'static threaded::Forms {
            /// Indexed by `Fast` (`Call`, then each operation's two variants).
            static FORMS: &[threaded::Forms] = &[
                threaded::forms::<threaded::ByHandler>(),
                $(threaded::forms::<operation::$handler>(), threaded::forms::<operation::$handler>(),)*
            ];
            &FORMS[fast as usize]
        }

        /// The fast operations as [`threaded::Operation`]s.
        mod operation {
            use super::{Cpu, Insn, Memory, Trap};
            $(
                #[allow(non_camel_case_types)]
                pub(crate) struct $handler;
                impl super::threaded::Operation for $handler {
                    #[inline(always)]
                    fn execute(cpu: &mut Cpu, mem: &mut Memory, insn: &Insn) -> Result<(), Trap> {
                        super::$handler(cpu, mem, insn)
                    }
                }
            )*
        }

        /// The decoders' names for the fast operations.
        pub(crate) mod op {
            use super::{Fast, Op};
            $(
                #[allow(non_upper_case_globals)]
                pub(crate) const $handler: Op = Op { handler: super::$handler, fast: Fast::$variant };
            )*
        }
    };
}

fast_ops! {
    // Doubles are loaded and stored as often as integers in floating-point code.
    Fld, FldC => fld,
    Fsd, FsdC => fsd,
    Add, AddC => add,
    Sub, SubC => sub,
    Sll, SllC => sll,
    Slt, SltC => slt,
    Sltu, SltuC => sltu,
    Xor, XorC => xor,
    Srl, SrlC => srl,
    Sra, SraC => sra,
    Or, OrC => or,
    And, AndC => and,
    Addw, AddwC => addw,
    Subw, SubwC => subw,
    Sllw, SllwC => sllw,
    Srlw, SrlwC => srlw,
    Sraw, SrawC => sraw,
    Addi, AddiC => addi,
    Slti, SltiC => slti,
    Sltiu, SltiuC => sltiu,
    Xori, XoriC => xori,
    Ori, OriC => ori,
    Andi, AndiC => andi,
    Slli, SlliC => slli,
    Srli, SrliC => srli,
    Srai, SraiC => srai,
    Addiw, AddiwC => addiw,
    Slliw, SlliwC => slliw,
    Srliw, SrliwC => srliw,
    Sraiw, SraiwC => sraiw,
    Lui, LuiC => lui,
    Lb, LbC => lb,
    Lh, LhC => lh,
    Lw, LwC => lw,
    Ld, LdC => ld,
    Lbu, LbuC => lbu,
    Lhu, LhuC => lhu,
    Lwu, LwuC => lwu,
    Sb, SbC => sb,
    Sh, ShC => sh,
    Sw, SwC => sw,
    Sd, SdC => sd,
    Beq, BeqC => beq,
    Bne, BneC => bne,
    Blt, BltC => blt,
    Bge, BgeC => bge,
    Bltu, BltuC => bltu,
    Bgeu, BgeuC => bgeu,
    Jal, JalC => jal,
    Jalr, JalrC => jalr,
    // RV64M has no compressed forms; the second variants are never decoded.
    Mul, MulC => mul,
    Mulh, MulhC => mulh,
    Mulhsu, MulhsuC => mulhsu,
    Mulhu, MulhuC => mulhu,
    Div, DivC => div,
    Divu, DivuC => divu,
    Rem, RemC => rem,
    Remu, RemuC => remu,
    Mulw, MulwC => mulw,
    Divw, DivwC => divw,
    Divuw, DivuwC => divuw,
    Remw, RemwC => remw,
    Remuw, RemuwC => remuw,
    // Every host call starts with one (RV64I has no compressed form either).
    Ecall, EcallC => ecall,
}

/// Picks the handler for an ALU instruction, replacing it with `nop` when it writes `x0`
/// (such encodings are hints and have no effect).
fn alu(op: Op, rd: u8) -> Op {
    if rd == 0 {
        Op::from(nop as Handler)
    } else {
        op
    }
}

/// Decodes the RV64I encodings at address `pc`; `None` for anything else.
pub(crate) fn decode(w: Word, pc: u64) -> Option<Insn> {
    let (rd, rs1, rs2, f3, f7) = (w.rd(), w.rs1(), w.rs2(), w.funct3(), w.funct7());
    let insn = match w.opcode() {
        0x37 => Insn::int_op(alu(op::lui, rd), rd, 0, 0, w.imm_u()),
        // AUIPC's result is a constant at a known address: a LUI of it, when it fits in 32 bits.
        0x17 => match i32::try_from(pc.wrapping_add(w.imm_u() as i64 as u64) as i64) {
            Ok(value) => Insn::int_op(alu(op::lui, rd), rd, 0, 0, value),
            // With `x0` as destination it computes nothing (and ending a block, it would never
            // move `pc` on).
            Err(_) if rd == 0 => Insn::int(nop, 0, 0, 0, 0),
            Err(_) => Insn::int_op(Op::from(auipc as Handler), rd, 0, 0, w.imm_u()).ending_block(),
        },
        0x6f => Insn::int_op(op::jal, rd, 0, 0, w.imm_j()).ending_block(),
        0x67 if f3 == 0 => Insn::int_op(op::jalr, rd, rs1, 0, w.imm_i()).ending_block(),
        0x63 => {
            let handler: Op = match f3 {
                0 => op::beq,
                1 => op::bne,
                4 => op::blt,
                5 => op::bge,
                6 => op::bltu,
                7 => op::bgeu,
                _ => return None,
            };
            Insn::int_op(handler, 0, rs1, rs2, w.imm_b()).ending_block()
        }
        0x03 => {
            let handler: Op = match f3 {
                0 => op::lb,
                1 => op::lh,
                2 => op::lw,
                3 => op::ld,
                4 => op::lbu,
                5 => op::lhu,
                6 => op::lwu,
                _ => return None,
            };
            Insn::int_op(handler, rd, rs1, 0, w.imm_i())
        }
        0x23 => {
            let handler: Op = match f3 {
                0 => op::sb,
                1 => op::sh,
                2 => op::sw,
                3 => op::sd,
                _ => return None,
            };
            Insn::plain_op(handler, 0, rs1, rs2, w.imm_s())
        }
        0x13 => {
            let shamt_ok = (w.0 >> 26) & 0x3f;
            let handler: Op = match (f3, shamt_ok) {
                (0, _) => op::addi,
                (2, _) => op::slti,
                (3, _) => op::sltiu,
                (4, _) => op::xori,
                (6, _) => op::ori,
                (7, _) => op::andi,
                (1, 0) => op::slli,
                (5, 0) => op::srli,
                (5, 0x10) => op::srai,
                _ => return None,
            };
            let imm = if f3 == 1 || f3 == 5 { (w.0 >> 20) as i32 & 63 } else { w.imm_i() };
            Insn::int_op(alu(handler, rd), rd, rs1, 0, imm)
        }
        0x1b => {
            let handler: Op = match (f3, f7) {
                (0, _) => op::addiw,
                (1, 0) => op::slliw,
                (5, 0) => op::srliw,
                (5, 0x20) => op::sraiw,
                _ => return None,
            };
            let imm = if f3 == 0 { w.imm_i() } else { rs2 as i32 };
            Insn::int_op(alu(handler, rd), rd, rs1, 0, imm)
        }
        0x33 => {
            let handler: Op = match (f7, f3) {
                (0, 0) => op::add,
                (0x20, 0) => op::sub,
                (0, 1) => op::sll,
                (0, 2) => op::slt,
                (0, 3) => op::sltu,
                (0, 4) => op::xor,
                (0, 5) => op::srl,
                (0x20, 5) => op::sra,
                (0, 6) => op::or,
                (0, 7) => op::and,
                _ => return None,
            };
            Insn::int_op(alu(handler, rd), rd, rs1, rs2, 0)
        }
        0x3b => {
            let handler: Op = match (f7, f3) {
                (0, 0) => op::addw,
                (0x20, 0) => op::subw,
                (0, 1) => op::sllw,
                (0, 5) => op::srlw,
                (0x20, 5) => op::sraw,
                _ => return None,
            };
            Insn::int_op(alu(handler, rd), rd, rs1, rs2, 0)
        }
        // FENCE and FENCE.I: one hart, and code is never written after decoding.
        0x0f if f3 <= 1 => Insn::int(nop, 0, 0, 0, 0),
        0x73 if w.0 == 0x0000_0073 => Insn::int_op(op::ecall, 0, 0, 0, 0).ending_block(),
        0x73 if w.0 == 0x0010_0073 => Insn::int(ebreak, 0, 0, 0, 0).ending_block(),
        // STOP (a custom SYSTEM encoding) and WFI both hand control back to the host.
        0x73 if w.0 == 0x7ff0_0073 || w.0 == 0x1050_0073 => Insn::int(stop, 0, 0, 0, 0).ending_block(),
        // "dyncall": a system call whose number is the immediate (rd = rs1 = x0).
        0x5b if f3 == 0 && rd == 0 && rs1 == 0 && w.imm_i() >= 0 => {
            Insn::int(dyncall, 0, 0, 0, w.imm_i()).ending_block()
        }
        _ => return None,
    };
    Some(insn)
}
