//! RVC: compressed instructions. Each one expands to the base instruction it abbreviates, so it
//! runs through that instruction's handler with `len = 2`.

use super::i::op;
use super::{i, Insn, Op};

/// Bits `hi..=lo` of `w`, shifted down.
fn bits(w: u16, hi: u32, lo: u32) -> u32 {
    (w as u32 >> lo) & ((1 << (hi - lo + 1)) - 1)
}

/// A register from the 3-bit field starting at bit `lo` (x8-x15).
fn creg(w: u16, lo: u32) -> u8 {
    8 + bits(w, lo + 2, lo) as u8
}

/// Sign-extends the low `width` bits of `v`.
fn sext(v: u32, width: u32) -> i32 {
    ((v << (32 - width)) as i32) >> (32 - width)
}

/// The 6-bit signed immediate of C.ADDI, C.LI, C.ANDI... (bit 12, bits 6:2).
fn imm6(w: u16) -> i32 {
    sext(bits(w, 12, 12) << 5 | bits(w, 6, 2), 6)
}

/// The 6-bit shift amount (bit 12, bits 6:2).
fn shamt(w: u16) -> i32 {
    (bits(w, 12, 12) << 5 | bits(w, 6, 2)) as i32
}

/// The C.J offset.
fn jump_offset(w: u16) -> i32 {
    let v = bits(w, 12, 12) << 11
        | bits(w, 11, 11) << 4
        | bits(w, 10, 9) << 8
        | bits(w, 8, 8) << 10
        | bits(w, 7, 7) << 6
        | bits(w, 6, 6) << 7
        | bits(w, 5, 3) << 1
        | bits(w, 2, 2) << 5;
    sext(v, 12)
}

/// The C.BEQZ/C.BNEZ offset.
fn branch_offset(w: u16) -> i32 {
    let v = bits(w, 12, 12) << 8 | bits(w, 11, 10) << 3 | bits(w, 6, 5) << 6 | bits(w, 4, 3) << 1 | bits(w, 2, 2) << 5;
    sext(v, 9)
}

/// Offsets of doubleword loads and stores relative to a register (C.LD, C.SD, C.FLD, C.FSD).
fn offset_d(w: u16) -> i32 {
    (bits(w, 12, 10) << 3 | bits(w, 6, 5) << 6) as i32
}

/// Offsets of word loads and stores relative to a register (C.LW, C.SW).
fn offset_w(w: u16) -> i32 {
    (bits(w, 12, 10) << 3 | bits(w, 6, 6) << 2 | bits(w, 5, 5) << 6) as i32
}

/// Offsets of doubleword loads relative to `sp` (C.LDSP, C.FLDSP).
fn sp_load_d(w: u16) -> i32 {
    (bits(w, 12, 12) << 5 | bits(w, 6, 5) << 3 | bits(w, 4, 2) << 6) as i32
}

/// Offsets of doubleword stores relative to `sp` (C.SDSP, C.FSDSP).
fn sp_store_d(w: u16) -> i32 {
    (bits(w, 12, 10) << 3 | bits(w, 9, 7) << 6) as i32
}

const SP: u8 = 2;
const RA: u8 = 1;

/// Decodes a 16-bit encoding into the instruction it expands to; `None` if reserved or unknown.
pub(crate) fn decode(w: u16) -> Option<Insn> {
    let rd = bits(w, 11, 7) as u8;
    let rs2 = bits(w, 6, 2) as u8;
    let insn = match (w & 3, bits(w, 15, 13)) {
        // Quadrant 0: register-based loads and stores on x8-x15.
        (0, 0) => {
            let imm = bits(w, 12, 11) << 4 | bits(w, 10, 7) << 6 | bits(w, 6, 6) << 2 | bits(w, 5, 5) << 3;
            if imm == 0 {
                return None;
            }
            Insn::int_op(op::addi, creg(w, 2), SP, 0, imm as i32)
        }
        (0, 1) => Insn::plain_op(op::fld, creg(w, 2), creg(w, 7), 0, offset_d(w)),
        (0, 2) => Insn::int_op(op::lw, creg(w, 2), creg(w, 7), 0, offset_w(w)),
        (0, 3) => Insn::int_op(op::ld, creg(w, 2), creg(w, 7), 0, offset_d(w)),
        (0, 5) => Insn::plain_op(op::fsd, 0, creg(w, 7), creg(w, 2), offset_d(w)),
        (0, 6) => Insn::plain_op(op::sw, 0, creg(w, 7), creg(w, 2), offset_w(w)),
        (0, 7) => Insn::plain_op(op::sd, 0, creg(w, 7), creg(w, 2), offset_d(w)),
        // Quadrant 1: immediates, arithmetic on x8-x15, jumps and branches.
        (1, 0) => Insn::int_op(op::addi, rd, rd, 0, imm6(w)),
        (1, 1) if rd != 0 => Insn::int_op(op::addiw, rd, rd, 0, imm6(w)),
        (1, 2) => Insn::int_op(op::addi, rd, 0, 0, imm6(w)),
        (1, 3) if rd == SP => {
            let v = bits(w, 12, 12) << 9
                | bits(w, 6, 6) << 4
                | bits(w, 5, 5) << 6
                | bits(w, 4, 3) << 7
                | bits(w, 2, 2) << 5;
            if v == 0 {
                return None;
            }
            Insn::int_op(op::addi, SP, SP, 0, sext(v, 10))
        }
        (1, 3) => {
            if imm6(w) == 0 {
                return None;
            }
            Insn::int_op(op::lui, rd, 0, 0, imm6(w) << 12)
        }
        (1, 4) => {
            let r = creg(w, 7);
            let r2 = creg(w, 2);
            match (bits(w, 11, 10), bits(w, 12, 12), bits(w, 6, 5)) {
                (0, _, _) => Insn::int_op(op::srli, r, r, 0, shamt(w)),
                (1, _, _) => Insn::int_op(op::srai, r, r, 0, shamt(w)),
                (2, _, _) => Insn::int_op(op::andi, r, r, 0, imm6(w)),
                (3, bit12, funct2) => {
                    let handler: Op = match (bit12, funct2) {
                        (0, 0) => op::sub,
                        (0, 1) => op::xor,
                        (0, 2) => op::or,
                        (0, 3) => op::and,
                        (1, 0) => op::subw,
                        (1, 1) => op::addw,
                        _ => return None,
                    };
                    Insn::int_op(handler, r, r, r2, 0)
                }
                _ => return None,
            }
        }
        (1, 5) => Insn::int_op(op::jal, 0, 0, 0, jump_offset(w)).ending_block(),
        (1, 6) => Insn::int_op(op::beq, 0, creg(w, 7), 0, branch_offset(w)).ending_block(),
        (1, 7) => Insn::int_op(op::bne, 0, creg(w, 7), 0, branch_offset(w)).ending_block(),
        // Quadrant 2: sp-relative loads and stores, moves, register jumps.
        (2, 0) => Insn::int_op(op::slli, rd, rd, 0, shamt(w)),
        (2, 1) => Insn::plain_op(op::fld, rd, SP, 0, sp_load_d(w)),
        (2, 2) if rd != 0 => {
            let imm = bits(w, 12, 12) << 5 | bits(w, 6, 4) << 2 | bits(w, 3, 2) << 6;
            Insn::int_op(op::lw, rd, SP, 0, imm as i32)
        }
        (2, 3) if rd != 0 => Insn::int_op(op::ld, rd, SP, 0, sp_load_d(w)),
        (2, 4) => match (bits(w, 12, 12), rd, rs2) {
            (0, 0, 0) => return None,
            (0, _, 0) => Insn::int_op(op::jalr, 0, rd, 0, 0).ending_block(),
            (0, _, _) => Insn::int_op(op::add, rd, 0, rs2, 0),
            (1, 0, 0) => Insn::int(i::ebreak, 0, 0, 0, 0).ending_block(),
            (1, _, 0) => Insn::int_op(op::jalr, RA, rd, 0, 0).ending_block(),
            (_, _, _) => Insn::int_op(op::add, rd, rd, rs2, 0),
        },
        (2, 5) => Insn::plain_op(op::fsd, 0, SP, rs2, sp_store_d(w)),
        (2, 6) => {
            let imm = bits(w, 12, 9) << 2 | bits(w, 8, 7) << 6;
            Insn::plain_op(op::sw, 0, SP, rs2, imm as i32)
        }
        (2, 7) => Insn::plain_op(op::sd, 0, SP, rs2, sp_store_d(w)),
        _ => return None,
    };
    Some(insn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_common_encodings() {
        // c.addi a0, -1  (0x157d)
        let insn = decode(0x157d).unwrap();
        assert_eq!((insn.rd, insn.rs1, insn.imm), (10, 10, -1));
        // c.li a0, 5 (0x4515)
        let insn = decode(0x4515).unwrap();
        assert_eq!((insn.rd, insn.rs1, insn.imm), (10, 0, 5));
        // c.ldsp ra, 8(sp) (0x60a2)
        let insn = decode(0x60a2).unwrap();
        assert_eq!((insn.rd, insn.rs1, insn.imm), (1, 2, 8));
        // c.sdsp ra, 8(sp) (0xe406)
        let insn = decode(0xe406).unwrap();
        assert_eq!((insn.rs1, insn.rs2, insn.imm), (2, 1, 8));
        // c.j -2 (0xbffd)
        assert_eq!(decode(0xbffd).unwrap().imm, -2);
        // c.beqz a0, +8 (0xc501)
        let insn = decode(0xc501).unwrap();
        assert_eq!((insn.rs1, insn.imm), (10, 8));
        // c.addi16sp sp, -64 (0x7139)
        assert_eq!(decode(0x7139).unwrap().imm, -64);
        // c.addi4spn a0, sp, 16 (0x0808)
        let insn = decode(0x0808).unwrap();
        assert_eq!((insn.rd, insn.rs1, insn.imm), (10, 2, 16));
    }

    #[test]
    fn reserved_encodings_are_rejected() {
        assert!(decode(0x0000).is_none());
        // c.jr x0
        assert!(decode(0x8002).is_none());
    }
}
