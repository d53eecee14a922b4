//! RV64D: double precision. Doubles fill the registers, so moves, loads and stores are plain bit
//! copies. The arithmetic itself is generic, in `float.rs`.

use super::fields::Word;
use super::float::{self, Fp};
use super::{Cpu, Insn, Trap};
use crate::memory::Memory;

impl Fp for f64 {
    const FRACTION: u32 = 52;
    const EXPONENT: u32 = 11;

    fn to_raw(self) -> u64 {
        self.to_bits()
    }
    fn from_raw(raw: u64) -> Self {
        f64::from_bits(raw)
    }
    #[inline(always)]
    fn read(cpu: &Cpu, r: u8) -> Self {
        f64::from_bits(cpu.freg(r))
    }
    #[inline(always)]
    fn write(cpu: &mut Cpu, r: u8, value: Self) {
        cpu.set_freg(r, value.to_bits());
    }
    fn fma(self, b: Self, c: Self) -> Self {
        self.mul_add(b, c)
    }
    fn root(self) -> Self {
        self.sqrt()
    }
    fn widen(self) -> f64 {
        self
    }
    fn narrow(x: f64) -> Self {
        x
    }
    fn from_int(x: i128) -> Self {
        x as f64
    }
}

/// FLD (and C.FLD, C.FLDSP): `f[rd] = mem[x[rs1] + imm]`.
pub(crate) fn fld(cpu: &mut Cpu, mem: &mut Memory, i: &Insn) -> Result<(), Trap> {
    let addr = cpu.reg(i.rs1).wrapping_add(i.imm as i64 as u64);
    let value = mem.read_u64(addr)?;
    cpu.set_freg(i.rd, value);
    Ok(())
}

/// FSD (and C.FSD, C.FSDSP): `mem[x[rs1] + imm] = f[rs2]`.
pub(crate) fn fsd(cpu: &mut Cpu, mem: &mut Memory, i: &Insn) -> Result<(), Trap> {
    let addr = cpu.reg(i.rs1).wrapping_add(i.imm as i64 as u64);
    mem.write_u64(addr, cpu.freg(i.rs2))?;
    Ok(())
}

/// FMV.X.D: `x[rd] = f[rs1]`.
pub(crate) fn fmv_x_d(cpu: &mut Cpu, _: &mut Memory, i: &Insn) -> Result<(), Trap> {
    cpu.write(i.rd, cpu.freg(i.rs1));
    Ok(())
}

/// FMV.D.X: `f[rd] = x[rs1]`.
pub(crate) fn fmv_d_x(cpu: &mut Cpu, _: &mut Memory, i: &Insn) -> Result<(), Trap> {
    cpu.set_freg(i.rd, cpu.reg(i.rs1));
    Ok(())
}

/// Decodes the double-precision encodings (`float::decode` has checked the format).
pub(crate) fn decode(w: Word) -> Option<Insn> {
    let (rd, rs1, rs2, rm) = (w.rd(), w.rs1(), w.rs2(), w.funct3());
    let insn = match (w.opcode(), w.funct7(), rs2, rm) {
        (0x07, ..) => Insn::plain(fld, rd, rs1, 0, w.imm_i()),
        (0x27, ..) => Insn::plain(fsd, 0, rs1, rs2, w.imm_s()),
        (0x53, 0x71, 0, 0) => Insn::int(fmv_x_d, rd, rs1, 0, 0),
        (0x53, 0x79, 0, 0) => Insn::plain(fmv_d_x, rd, rs1, 0, 0),
        // Exact, but the rounding mode field must still be valid.
        (0x53, 0x21, 0, _) if float::valid_rm(rm) => {
            Insn::plain(float::fcvt_between::<f64, f32>, rd, rs1, 0, rm as i32)
        }
        _ => return float::decode_op::<f64>(w),
    };
    Some(insn)
}
