//! RV64M: multiplication and division. Division by zero and signed overflow do not trap; they
//! produce the values the specification lists (all ones / the dividend for division by zero, the
//! dividend / zero for overflow), which is exactly what Rust's `checked_*` fallbacks below spell out.

use super::fields::Word;
use super::i::op;
use super::i::sext32;
use super::{Cpu, Insn, Op, Trap};
use crate::memory::Memory;

reg_reg! {
    mul => |a, b| a.wrapping_mul(b);
    mulh => |a, b| ((a as i64 as i128 * b as i64 as i128) >> 64) as u64;
    mulhsu => |a, b| ((a as i64 as i128 * b as i128) >> 64) as u64;
    mulhu => |a, b| ((a as u128 * b as u128) >> 64) as u64;
    div => |a, b| match b {
        0 => u64::MAX,
        _ => (a as i64).wrapping_div(b as i64) as u64,
    };
    divu => |a, b| a.checked_div(b).unwrap_or(u64::MAX);
    rem => |a, b| match b {
        0 => a,
        _ => (a as i64).wrapping_rem(b as i64) as u64,
    };
    remu => |a, b| a.checked_rem(b).unwrap_or(a);
    mulw => |a, b| sext32(a.wrapping_mul(b));
    divw => |a, b| match b as i32 {
        0 => u64::MAX,
        d => (a as i32).wrapping_div(d) as i64 as u64,
    };
    divuw => |a, b| sext32((a as u32).checked_div(b as u32).unwrap_or(u32::MAX) as u64);
    remw => |a, b| match b as i32 {
        0 => a as i32 as i64 as u64,
        d => (a as i32).wrapping_rem(d) as i64 as u64,
    };
    remuw => |a, b| sext32((a as u32).checked_rem(b as u32).unwrap_or(a as u32) as u64);
}

/// Decodes the RV64M encodings (funct7 = 1 under OP and OP-32).
pub(crate) fn decode(w: Word) -> Option<Insn> {
    if w.funct7() != 1 {
        return None;
    }
    let handler: Op = match (w.opcode(), w.funct3()) {
        (0x33, 0) => op::mul,
        (0x33, 1) => op::mulh,
        (0x33, 2) => op::mulhsu,
        (0x33, 3) => op::mulhu,
        (0x33, 4) => op::div,
        (0x33, 5) => op::divu,
        (0x33, 6) => op::rem,
        (0x33, 7) => op::remu,
        (0x3b, 0) => op::mulw,
        (0x3b, 4) => op::divw,
        (0x3b, 5) => op::divuw,
        (0x3b, 6) => op::remw,
        (0x3b, 7) => op::remuw,
        _ => return None,
    };
    Some(Insn::int_op(handler, w.rd(), w.rs1(), w.rs2(), 0))
}
