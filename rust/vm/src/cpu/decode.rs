//! The top-level decoder: routes an encoding to the extension that owns it.

use super::fields::Word;
use super::{a, c, csr, float, i, m, zb, Cpu, Insn, Trap};
use crate::memory::Memory;

/// Raised by every encoding no extension claims. Decoding never fails, so data in the text segment
/// (or the second half of a 4-byte instruction) becomes this, and traps only if it is executed.
fn illegal(_: &mut Cpu, _: &mut Memory, i: &Insn) -> Result<(), Trap> {
    Err(Trap::IllegalInstruction(i.raw))
}

/// Decodes the instruction at `pc`. `raw` holds a compressed encoding in its low 16 bits when
/// those do not end in `0b11`.
pub(crate) fn decode(raw: u32, pc: u64) -> Insn {
    let decoded = if raw & 3 != 3 {
        c::decode(raw as u16).map(|insn| Insn { fast: insn.fast.compressed(), ..insn })
    } else {
        decode_32(Word(raw), pc)
    };
    decoded.map_or_else(|| illegal_insn(raw), |insn| Insn { raw, ..insn })
}

/// The instruction at a slot holding the first half of a 4-byte encoding (`low`) whose second
/// half lies past the end of the code: illegal, as nothing past the end can be fetched.
pub(crate) fn cut_off(low: u16) -> Insn {
    illegal_insn(low as u32)
}

fn illegal_insn(raw: u32) -> Insn {
    Insn { raw, ..Insn::int(illegal, 0, 0, 0, 0).ending_block() }
}

fn decode_32(w: Word, pc: u64) -> Option<Insn> {
    match w.opcode() {
        0x33 | 0x3b => m::decode(w).or_else(|| i::decode(w, pc)).or_else(|| zb::decode(w)),
        0x13 | 0x1b => i::decode(w, pc).or_else(|| zb::decode(w)),
        0x2f => a::decode(w),
        0x73 => i::decode(w, pc).or_else(|| csr::decode(w)),
        0x07 | 0x27 | 0x43 | 0x47 | 0x4b | 0x4f | 0x53 => float::decode(w),
        _ => i::decode(w, pc),
    }
}
