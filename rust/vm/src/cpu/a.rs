//! RV64A: atomics. With one hart every atomic is simply a read-modify-write; LR/SC keep a
//! reservation that any SC consumes, so SC succeeds only after an LR of the same address.

use super::fields::Word;
use super::{Cpu, Handler, Insn, Trap};
use crate::memory::Memory;

/// Defines an AMO handler: `rd = mem[rs1]; mem[rs1] = op(mem[rs1], rs2)`.
macro_rules! amo {
    ($name:ident: $ty:ty, $read:ident, $write:ident, |$old:ident, $src:ident| $new:expr) => {
        fn $name(cpu: &mut Cpu, mem: &mut Memory, i: &Insn) -> Result<(), Trap> {
            let addr = cpu.operand(i.rs1);
            let $old = mem.$read(addr)? as $ty;
            let $src = cpu.operand(i.rs2) as $ty;
            mem.$write(addr, $new as _)?;
            cpu.write(i.rd, $old as i64 as u64);
            Ok(())
        }
    };
}

/// Defines each AMO in its word (`_w`) and doubleword (`_d`) form.
macro_rules! amo_both_widths {
    ($($word:ident, $double:ident => |$old:ident, $src:ident| $new:expr;)*) => {$(
        amo!($word: i32, read_u32, write_u32, |$old, $src| $new);
        amo!($double: i64, read_u64, write_u64, |$old, $src| $new);
    )*};
}

amo_both_widths! {
    amoswap_w, amoswap_d => |_old, src| src;
    amoadd_w, amoadd_d => |old, src| old.wrapping_add(src);
    amoxor_w, amoxor_d => |old, src| old ^ src;
    amoand_w, amoand_d => |old, src| old & src;
    amoor_w, amoor_d => |old, src| old | src;
    amomin_w, amomin_d => |old, src| old.min(src);
    amomax_w, amomax_d => |old, src| old.max(src);
    amominu_w, amominu_d => |old, src| old.cast_unsigned().min(src.cast_unsigned());
    amomaxu_w, amomaxu_d => |old, src| old.cast_unsigned().max(src.cast_unsigned());
}

/// Defines the LR/SC pair for one width.
macro_rules! lr_sc {
    ($lr:ident, $sc:ident: $ty:ty, $read:ident, $write:ident) => {
        fn $lr(cpu: &mut Cpu, mem: &mut Memory, i: &Insn) -> Result<(), Trap> {
            let addr = cpu.operand(i.rs1);
            let value = mem.$read(addr)? as $ty as i64 as u64;
            cpu.reservation = Some(addr);
            cpu.write(i.rd, value);
            Ok(())
        }

        fn $sc(cpu: &mut Cpu, mem: &mut Memory, i: &Insn) -> Result<(), Trap> {
            let addr = cpu.operand(i.rs1);
            let held = cpu.reservation == Some(addr);
            if held {
                // A store that faults leaves the reservation as it was: a faulting instruction
                // changes nothing (see `Handler`).
                mem.$write(addr, cpu.operand(i.rs2) as _)?;
            }
            cpu.reservation = None;
            cpu.write(i.rd, !held as u64);
            Ok(())
        }
    };
}

lr_sc!(lr_w, sc_w: i32, read_u32, write_u32);
lr_sc!(lr_d, sc_d: i64, read_u64, write_u64);

/// Decodes the AMO opcode (0x2f).
pub(crate) fn decode(w: Word) -> Option<Insn> {
    let funct5 = w.funct7() >> 2;
    let handler: Handler = match (w.funct3(), funct5) {
        (2, 0b00010) if w.rs2() == 0 => lr_w,
        (2, 0b00011) => sc_w,
        (2, 0b00001) => amoswap_w,
        (2, 0b00000) => amoadd_w,
        (2, 0b00100) => amoxor_w,
        (2, 0b01100) => amoand_w,
        (2, 0b01000) => amoor_w,
        (2, 0b10000) => amomin_w,
        (2, 0b10100) => amomax_w,
        (2, 0b11000) => amominu_w,
        (2, 0b11100) => amomaxu_w,
        (3, 0b00010) if w.rs2() == 0 => lr_d,
        (3, 0b00011) => sc_d,
        (3, 0b00001) => amoswap_d,
        (3, 0b00000) => amoadd_d,
        (3, 0b00100) => amoxor_d,
        (3, 0b01100) => amoand_d,
        (3, 0b01000) => amoor_d,
        (3, 0b10000) => amomin_d,
        (3, 0b10100) => amomax_d,
        (3, 0b11000) => amominu_d,
        (3, 0b11100) => amomaxu_d,
        _ => return None,
    };
    Some(Insn::int(handler, w.rd(), w.rs1(), w.rs2(), 0))
}
