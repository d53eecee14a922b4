//! RV64F: single precision. Singles live NaN-boxed in the 64-bit registers: writes set the upper 32
//! bits to ones, and reads of a register whose upper half is not all ones see the canonical NaN.
//! The arithmetic itself is generic, in `float.rs`.

use super::fields::Word;
use super::float::{self, Fp};
use super::{Cpu, Insn, Trap};
use crate::memory::Memory;

/// The upper half of a NaN-boxed single.
const BOX: u64 = 0xffff_ffff_0000_0000;

impl Fp for f32 {
    const FRACTION: u32 = 23;
    const EXPONENT: u32 = 8;

    fn to_raw(self) -> u64 {
        self.to_bits() as u64
    }
    fn from_raw(raw: u64) -> Self {
        f32::from_bits(raw as u32)
    }
    #[inline(always)]
    fn read(cpu: &Cpu, r: u8) -> Self {
        let bits = cpu.freg(r);
        if bits & BOX == BOX {
            f32::from_bits(bits as u32)
        } else {
            f32::from_bits(Self::CANONICAL as u32)
        }
    }
    #[inline(always)]
    fn write(cpu: &mut Cpu, r: u8, value: Self) {
        cpu.set_freg(r, BOX | value.to_bits() as u64);
    }
    fn fma(self, b: Self, c: Self) -> Self {
        self.mul_add(b, c)
    }
    fn root(self) -> Self {
        self.sqrt()
    }
    fn widen(self) -> f64 {
        self as f64
    }
    fn narrow(x: f64) -> Self {
        x as f32
    }
    fn from_int(x: i128) -> Self {
        x as f32
    }
}

/// FLW: `f[rd] = box(mem[x[rs1] + imm])`.
pub(crate) fn flw(cpu: &mut Cpu, mem: &mut Memory, i: &Insn) -> Result<(), Trap> {
    let addr = cpu.reg(i.rs1).wrapping_add(i.imm as i64 as u64);
    let value = mem.read_u32(addr)?;
    cpu.set_freg(i.rd, BOX | value as u64);
    Ok(())
}

/// FSW: `mem[x[rs1] + imm] = low 32 bits of f[rs2]` (no NaN-box check: bits move unchanged).
pub(crate) fn fsw(cpu: &mut Cpu, mem: &mut Memory, i: &Insn) -> Result<(), Trap> {
    let addr = cpu.reg(i.rs1).wrapping_add(i.imm as i64 as u64);
    mem.write_u32(addr, cpu.freg(i.rs2) as u32)?;
    Ok(())
}

/// FMV.X.W: `x[rd] = sext(low 32 bits of f[rs1])`.
pub(crate) fn fmv_x_w(cpu: &mut Cpu, _: &mut Memory, i: &Insn) -> Result<(), Trap> {
    cpu.write(i.rd, cpu.freg(i.rs1) as u32 as i32 as i64 as u64);
    Ok(())
}

/// FMV.W.X: `f[rd] = box(low 32 bits of x[rs1])`.
pub(crate) fn fmv_w_x(cpu: &mut Cpu, _: &mut Memory, i: &Insn) -> Result<(), Trap> {
    cpu.set_freg(i.rd, BOX | (cpu.reg(i.rs1) as u32) as u64);
    Ok(())
}

/// Decodes the single-precision encodings (`float::decode` has checked the format).
pub(crate) fn decode(w: Word) -> Option<Insn> {
    let (rd, rs1, rs2, rm) = (w.rd(), w.rs1(), w.rs2(), w.funct3());
    let insn = match (w.opcode(), w.funct7(), rs2, rm) {
        (0x07, ..) => Insn::plain(flw, rd, rs1, 0, w.imm_i()),
        (0x27, ..) => Insn::plain(fsw, 0, rs1, rs2, w.imm_s()),
        (0x53, 0x70, 0, 0) => Insn::int(fmv_x_w, rd, rs1, 0, 0),
        (0x53, 0x78, 0, 0) => Insn::plain(fmv_w_x, rd, rs1, 0, 0),
        (0x53, 0x20, 1, _) if float::valid_rm(rm) => {
            Insn::plain(float::fcvt_between::<f32, f64>, rd, rs1, 0, rm as i32)
        }
        _ => return float::decode_op::<f32>(w),
    };
    Some(insn)
}
