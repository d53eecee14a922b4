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

#[cfg(test)]
mod tests {
    use crate::cpu::decode::decode;
    use crate::cpu::Cpu;
    use crate::memory::Memory;

    /// Runs `raw` (destination a0, sources a1, a2) and returns a0.
    fn run(raw: u32, a: u64, b: u64) -> u64 {
        let mut cpu = Cpu::default();
        cpu.set_reg(11, a);
        cpu.set_reg(12, b);
        let insn = decode(raw, 0);
        (insn.handler)(&mut cpu, &mut Memory::new(8), &insn).unwrap();
        cpu.reg(10)
    }

    #[test]
    fn zba() {
        assert_eq!(run(0x08c5_853b, 0xffff_ffff_8000_0000, 1), 0x8000_0001); // add.uw
        assert_eq!(run(0x20c5_a533, 3, 1), 7); // sh1add
        assert_eq!(run(0x20c5_c53b, 0xffff_ffff_0000_0001, 1), 5); // sh2add.uw
        assert_eq!(run(0x20c5_e533, u64::MAX, 0), -8i64 as u64); // sh3add
                                                                 // slli.uw 40
        assert_eq!(run(0x0a85_951b, 0xffff_ffff_ffff_ffff, 0), 0xffff_ff00_0000_0000);
    }

    #[test]
    fn zbb_logic_and_counts() {
        assert_eq!(run(0x40c5_f533, 0b1100, 0b1010), 0b0100); // andn
        assert_eq!(run(0x40c5_e533, 0, 0xff), !0xff); // orn
        assert_eq!(run(0x40c5_c533, 0b1100, 0b1010), !0b0110); // xnor
        assert_eq!(run(0x6005_9513, 0, 0), 64); // clz
        assert_eq!(run(0x6005_9513, 1, 0), 63);
        assert_eq!(run(0x6005_951b, 0xffff_ffff_0000_0000, 0), 32); // clzw ignores the upper half
        assert_eq!(run(0x6005_951b, 0x8000_0000, 0), 0);
        assert_eq!(run(0x6015_9513, 0, 0), 64); // ctz
        assert_eq!(run(0x6015_9513, 1 << 63, 0), 63);
        assert_eq!(run(0x6015_951b, 1 << 32, 0), 32); // ctzw
        assert_eq!(run(0x6015_951b, 1 << 63, 0), 32); // ctzw: only the low word counts
        assert_eq!(run(0x6025_9513, u64::MAX, 0), 64); // cpop
        assert_eq!(run(0x6025_951b, u64::MAX, 0), 32); // cpopw
        assert_eq!(run(0x0ac5_e533, -1i64 as u64, 1), 1); // max
        assert_eq!(run(0x0ac5_f533, -1i64 as u64, 1), u64::MAX); // maxu
        assert_eq!(run(0x0ac5_c533, -1i64 as u64, 1), u64::MAX); // min
        assert_eq!(run(0x0ac5_d533, -1i64 as u64, 1), 1); // minu
        assert_eq!(run(0x6045_9513, 0x80, 0), 0xffff_ffff_ffff_ff80); // sext.b
        assert_eq!(run(0x6055_9513, 0x1_7fff, 0), 0x7fff); // sext.h
        assert_eq!(run(0x6055_9513, 0x8000, 0), 0xffff_ffff_ffff_8000);
        assert_eq!(run(0x0805_c53b, u64::MAX, 0), 0xffff); // zext.h
        assert_eq!(run(0x2875_d513, 0x0001_0000_ff00_8000, 0), 0x00ff_0000_ff00_ff00); // orc.b
        assert_eq!(run(0x2875_d513, 0, 0), 0);
        assert_eq!(run(0x2875_d513, 0x0101_0101_0101_0101, 0), u64::MAX);
        // rev8
        assert_eq!(run(0x6b85_d513, 0x0102_0304_0506_0708, 0), 0x0807_0605_0403_0201);
    }

    #[test]
    fn zbb_rotates() {
        let x = 0x8000_0000_0000_0001;
        assert_eq!(run(0x60c5_9533, x, 65), 3); // rol by 65 = by 1
        assert_eq!(run(0x60c5_d533, x, 0), x); // ror by 0
        assert_eq!(run(0x60c5_d533, x, 1), 0xc000_0000_0000_0000);
        assert_eq!(run(0x63f5_d513, x, 0), 3); // rori 63
        assert_eq!(run(0x60c5_953b, 0x8000_0001, 33), 3); // rolw by 33 = by 1
        assert_eq!(run(0x60c5_953b, 0x4000_0000, 1), 0xffff_ffff_8000_0000); // sign-extended
        assert_eq!(run(0x60c5_d53b, 0xffff_ffff_0000_0001, 1), 0xffff_ffff_8000_0000); // rorw
        assert_eq!(run(0x61f5_d51b, 1, 0), 2); // roriw 31
        assert_eq!(run(0x61f5_d51b, 0x4000_0000, 0), 0xffff_ffff_8000_0000);
    }

    #[test]
    fn zbs() {
        assert_eq!(run(0x48c5_9533, u64::MAX, 64 + 3), !8); // bclr uses rs2 mod 64
        assert_eq!(run(0x4bf5_9513, u64::MAX, 0), u64::MAX >> 1); // bclri 63
        assert_eq!(run(0x48c5_d533, 1 << 40, 40), 1); // bext
        assert_eq!(run(0x4a35_d513, 1 << 35, 0), 1); // bexti 35
        assert_eq!(run(0x4a35_d513, !(1 << 35), 0), 0);
        assert_eq!(run(0x68c5_9533, 0, 63), 1 << 63); // binv
        assert_eq!(run(0x6a15_9513, 1 << 33, 0), 0); // binvi 33
        assert_eq!(run(0x28c5_9533, 0, 5), 32); // bset
        assert_eq!(run(0x2805_9513, 0, 0), 1); // bseti 0
    }

    #[test]
    fn unclaimed_encodings_stay_illegal() {
        use super::super::fields::Word;
        use super::decode;
        // clz with a nonzero rs2-field variant that is not assigned (0x603), and rev8's RV32 form.
        assert!(decode(Word(0x6035_9513)).is_none());
        assert!(decode(Word(0x6985_d513)).is_none());
        // zext.h's RV32 encoding (under OP) and add.uw under OP.
        assert!(decode(Word(0x0805_c533)).is_none());
        assert!(decode(Word(0x08c5_8533)).is_none());
    }
}
