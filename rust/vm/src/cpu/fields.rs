//! Field extraction for 32-bit encodings, and the constructors decoders use to build [`Insn`]s.

use super::{threaded, Handler, Insn, Op, SINK};

/// A 32-bit instruction word with accessors for its fields.
#[derive(Clone, Copy)]
pub(crate) struct Word(pub u32);

impl Word {
    pub fn opcode(self) -> u32 {
        self.0 & 0x7f
    }
    pub fn rd(self) -> u8 {
        ((self.0 >> 7) & 31) as u8
    }
    pub fn rs1(self) -> u8 {
        ((self.0 >> 15) & 31) as u8
    }
    pub fn rs2(self) -> u8 {
        ((self.0 >> 20) & 31) as u8
    }
    pub fn rs3(self) -> u8 {
        (self.0 >> 27) as u8
    }
    pub fn funct3(self) -> u32 {
        (self.0 >> 12) & 7
    }
    pub fn funct7(self) -> u32 {
        self.0 >> 25
    }
    /// I-type immediate.
    pub fn imm_i(self) -> i32 {
        (self.0 as i32) >> 20
    }
    /// S-type immediate.
    pub fn imm_s(self) -> i32 {
        ((self.0 as i32) >> 25 << 5) | ((self.0 >> 7) & 31) as i32
    }
    /// B-type immediate.
    pub fn imm_b(self) -> i32 {
        let w = self.0;
        (((w as i32) >> 31) << 12)
            | (((w >> 7) & 1) << 11) as i32
            | (((w >> 25) & 0x3f) << 5) as i32
            | (((w >> 8) & 0xf) << 1) as i32
    }
    /// U-type immediate (already shifted).
    pub fn imm_u(self) -> i32 {
        (self.0 & 0xffff_f000) as i32
    }
    /// J-type immediate.
    pub fn imm_j(self) -> i32 {
        let w = self.0;
        (((w as i32) >> 31) << 20)
            | (w & 0xff000) as i32
            | (((w >> 20) & 1) << 11) as i32
            | (((w >> 21) & 0x3ff) << 1) as i32
    }
}

/// Maps an integer destination of `x0` to the write sink.
pub(crate) fn int_rd(rd: u8) -> u8 {
    if rd == 0 {
        SINK
    } else {
        rd
    }
}

impl Insn {
    /// A straight-line instruction with an integer destination.
    pub fn int(handler: Handler, rd: u8, rs1: u8, rs2: u8, imm: i32) -> Insn {
        Insn::int_op(Op::from(handler), rd, rs1, rs2, imm)
    }

    /// [`Insn::int`] for an operation that may have a fast path.
    pub fn int_op(op: Op, rd: u8, rs1: u8, rs2: u8, imm: i32) -> Insn {
        let Op { handler, fast } = op;
        Insn {
            handler,
            // Chosen by `code` once the instruction's place in its block is known.
            run: threaded::UNPLACED,
            fast,
            imm,
            rd: int_rd(rd),
            rs1,
            rs2,
            rs3: 0,
            flags: 0,
            block_len: 1,
            to_block_end: 0,
            raw: 0,
        }
    }

    /// A straight-line instruction whose `rd` is used as given (float destinations, stores).
    pub fn plain(handler: Handler, rd: u8, rs1: u8, rs2: u8, imm: i32) -> Insn {
        Insn::plain_op(Op::from(handler), rd, rs1, rs2, imm)
    }

    /// [`Insn::plain`] for an operation that may have a fast path.
    pub fn plain_op(op: Op, rd: u8, rs1: u8, rs2: u8, imm: i32) -> Insn {
        Insn { rd, ..Insn::int_op(op, 0, rs1, rs2, imm) }
    }

    /// Marks an instruction as one that may change control flow.
    pub fn ending_block(mut self) -> Insn {
        self.flags |= super::insn_flags::ENDS_BLOCK;
        self
    }

    /// Sets the third source register (fused multiply-add).
    pub fn with_rs3(mut self, rs3: u8) -> Insn {
        self.rs3 = rs3;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::Word;

    #[test]
    fn immediates_decode_with_sign() {
        // addi a0, a0, -1
        assert_eq!(Word(0xfff50513).imm_i(), -1);
        // sd ra, 8(sp)
        assert_eq!(Word(0x00113423).imm_s(), 8);
        // beq zero, zero, -4
        assert_eq!(Word(0xfe000ee3).imm_b(), -4);
        // jal ra, 2048
        assert_eq!(Word(0x001000ef).imm_j(), 2048);
        // lui a0, 0xfffff
        assert_eq!(Word(0xfffff537).imm_u(), -4096);
    }
}
