//! Zba (address generation), Zbb (basic bit manipulation) and Zbs (single-bit operations), RV64
//! encodings. They share the OP, OP-32, OP-IMM and OP-IMM-32 major opcodes with RV64I/M, whose
//! decoders run first.

use super::fields::Word;
use super::i::sext32;
use super::{Cpu, Handler, Insn, Trap};
use crate::memory::Memory;

/// The low 32 bits, zero-extended (the `.uw` operand rule).
#[inline(always)]
fn uw(v: u64) -> u64 {
    v & 0xffff_ffff
}

reg_reg! {
    add_uw => |a, b| b.wrapping_add(uw(a));
    sh1add => |a, b| b.wrapping_add(a << 1);
    sh2add => |a, b| b.wrapping_add(a << 2);
    sh3add => |a, b| b.wrapping_add(a << 3);
    sh1add_uw => |a, b| b.wrapping_add(uw(a) << 1);
    sh2add_uw => |a, b| b.wrapping_add(uw(a) << 2);
    sh3add_uw => |a, b| b.wrapping_add(uw(a) << 3);
    andn => |a, b| a & !b;
    orn => |a, b| a | !b;
    xnor => |a, b| !(a ^ b);
    max => |a, b| (a as i64).max(b as i64) as u64;
    maxu => |a, b| a.max(b);
    min => |a, b| (a as i64).min(b as i64) as u64;
    minu => |a, b| a.min(b);
    rol => |a, b| a.rotate_left((b & 63) as u32);
    ror => |a, b| a.rotate_right((b & 63) as u32);
    rolw => |a, b| sext32((a as u32).rotate_left((b & 31) as u32) as u64);
    rorw => |a, b| sext32((a as u32).rotate_right((b & 31) as u32) as u64);
    bclr => |a, b| a & !(1 << (b & 63));
    bext => |a, b| (a >> (b & 63)) & 1;
    binv => |a, b| a ^ (1 << (b & 63));
    bset => |a, b| a | (1 << (b & 63));
}

reg_imm! {
    slli_uw => |a, imm| uw(a) << (imm & 63);
    rori => |a, imm| a.rotate_right((imm & 63) as u32);
    roriw => |a, imm| sext32((a as u32).rotate_right((imm & 31) as u32) as u64);
    bclri => |a, imm| a & !(1 << (imm & 63));
    bexti => |a, imm| (a >> (imm & 63)) & 1;
    binvi => |a, imm| a ^ (1 << (imm & 63));
    bseti => |a, imm| a | (1 << (imm & 63));
    // Unary operations (the immediate field selects the operation).
    clz => |a, _imm| a.leading_zeros() as u64;
    clzw => |a, _imm| (a as u32).leading_zeros() as u64;
    ctz => |a, _imm| a.trailing_zeros() as u64;
    ctzw => |a, _imm| (a as u32).trailing_zeros() as u64;
    cpop => |a, _imm| a.count_ones() as u64;
    cpopw => |a, _imm| (a as u32).count_ones() as u64;
    sext_b => |a, _imm| a as i8 as i64 as u64;
    sext_h => |a, _imm| a as i16 as i64 as u64;
    zext_h => |a, _imm| a & 0xffff;
    rev8 => |a, _imm| a.swap_bytes();
    // Each byte's top bit ends up set exactly when the byte is nonzero; then spread it to the byte.
    orc_b => |a, _imm| {
        const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
        (((((a & LOW7) + LOW7) | a) & !LOW7) >> 7) * 0xff
    };
}

/// Decodes the Zba/Zbb/Zbs encodings; `None` for anything else.
pub(crate) fn decode(w: Word) -> Option<Insn> {
    let (rd, rs1, rs2, f3, f7) = (w.rd(), w.rs1(), w.rs2(), w.funct3(), w.funct7());
    // The immediate forms: the whole 12-bit field (unary operations), and funct6 plus a 6-bit shamt.
    let (imm12, funct6, shamt) = (w.0 >> 20, w.0 >> 26, (w.0 >> 20) as i32 & 63);
    let (handler, rs2, imm): (Handler, u8, i32) = match w.opcode() {
        0x33 => {
            let handler: Handler = match (f7, f3) {
                (0x10, 2) => sh1add,
                (0x10, 4) => sh2add,
                (0x10, 6) => sh3add,
                (0x20, 4) => xnor,
                (0x20, 6) => orn,
                (0x20, 7) => andn,
                (0x05, 4) => min,
                (0x05, 5) => minu,
                (0x05, 6) => max,
                (0x05, 7) => maxu,
                (0x30, 1) => rol,
                (0x30, 5) => ror,
                (0x24, 1) => bclr,
                (0x24, 5) => bext,
                (0x34, 1) => binv,
                (0x14, 1) => bset,
                _ => return None,
            };
            (handler, rs2, 0)
        }
        0x3b => {
            let handler: Handler = match (f7, f3, rs2) {
                (0x04, 0, _) => add_uw,
                (0x04, 4, 0) => zext_h,
                (0x10, 2, _) => sh1add_uw,
                (0x10, 4, _) => sh2add_uw,
                (0x10, 6, _) => sh3add_uw,
                (0x30, 1, _) => rolw,
                (0x30, 5, _) => rorw,
                _ => return None,
            };
            (handler, rs2, 0)
        }
        0x13 => match (f3, funct6, imm12) {
            (1, _, 0x600) => (clz as Handler, 0, 0),
            (1, _, 0x601) => (ctz, 0, 0),
            (1, _, 0x602) => (cpop, 0, 0),
            (1, _, 0x604) => (sext_b, 0, 0),
            (1, _, 0x605) => (sext_h, 0, 0),
            (1, 0x12, _) => (bclri, 0, shamt),
            (1, 0x1a, _) => (binvi, 0, shamt),
            (1, 0x0a, _) => (bseti, 0, shamt),
            (5, _, 0x287) => (orc_b, 0, 0),
            (5, _, 0x6b8) => (rev8, 0, 0),
            (5, 0x12, _) => (bexti, 0, shamt),
            (5, 0x18, _) => (rori, 0, shamt),
            _ => return None,
        },
        0x1b => match (f3, funct6, imm12) {
            (1, _, 0x600) => (clzw as Handler, 0, 0),
            (1, _, 0x601) => (ctzw, 0, 0),
            (1, _, 0x602) => (cpopw, 0, 0),
            (1, 0x02, _) => (slli_uw, 0, shamt),
            (5, _, _) if f7 == 0x30 => (roriw, 0, rs2 as i32),
            _ => return None,
        },
        _ => return None,
    };
    Some(Insn::int(handler, rd, rs1, rs2, imm))
}
