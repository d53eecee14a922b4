//! RV64D: double precision. Doubles fill the registers, so moves, loads and stores are plain bit
//! copies. The arithmetic itself is generic, in `float.rs`.

use super::fields::Word;
use super::float::{self, Fp};
use super::i::op;
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
    let addr = cpu.operand(i.rs1).wrapping_add(i.imm as i64 as u64);
    let value = mem.read_u64(addr)?;
    cpu.set_freg(i.rd, value);
    Ok(())
}

/// FSD (and C.FSD, C.FSDSP): `mem[x[rs1] + imm] = f[rs2]`.
pub(crate) fn fsd(cpu: &mut Cpu, mem: &mut Memory, i: &Insn) -> Result<(), Trap> {
    let addr = cpu.operand(i.rs1).wrapping_add(i.imm as i64 as u64);
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
    cpu.set_freg(i.rd, cpu.operand(i.rs1));
    Ok(())
}

/// Decodes the double-precision encodings (`float::decode` has checked the format).
pub(crate) fn decode(w: Word) -> Option<Insn> {
    let (rd, rs1, rs2, rm) = (w.rd(), w.rs1(), w.rs2(), w.funct3());
    let insn = match (w.opcode(), w.funct7(), rs2, rm) {
        (0x07, ..) => Insn::plain_op(op::fld, rd, rs1, 0, w.imm_i()),
        (0x27, ..) => Insn::plain_op(op::fsd, 0, rs1, rs2, w.imm_s()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::decode::decode;
    use crate::cpu::float::tests::exec;

    #[test]
    fn loads_stores_and_moves_copy_bits() {
        let mut cpu = Cpu::default();
        let mut mem = Memory::new(64);
        let nan = 0x7ff4_0000_dead_beef;
        cpu.set_reg(11, 24);
        cpu.set_freg(10, nan);
        // fsd fa0, 16(a1); fld fa0, -8(a1) (after moving the data there)
        let store = decode(0x00a5_b827, 0);
        (store.handler)(&mut cpu, &mut mem, &store).unwrap();
        assert_eq!(mem.read_u64(40).unwrap(), nan);
        mem.write_u64(16, 0x4000_0000_0000_0000).unwrap();
        let load = decode(0xff85_b507, 0);
        (load.handler)(&mut cpu, &mut mem, &load).unwrap();
        assert_eq!(cpu.freg(10), 0x4000_0000_0000_0000);
        // fmv.x.d a0, fa0 / fmv.d.x fa0, a0
        cpu.set_freg(10, nan);
        exec(&mut cpu, 0xe205_0553).unwrap();
        assert_eq!(cpu.reg(10), nan);
        cpu.set_reg(10, 0xfff0_0000_0000_0001);
        exec(&mut cpu, 0xf205_0553).unwrap();
        assert_eq!(cpu.freg(10), 0xfff0_0000_0000_0001);
        // fsgnjn.d fa0, fa1, fa2 keeps the NaN payload.
        cpu.set_freg(11, nan);
        cpu.set_freg(12, 0);
        exec(&mut cpu, 0x22c5_9553).unwrap();
        assert_eq!(cpu.freg(10), nan | (1 << 63));
        assert_eq!(cpu.fcsr, 0);
    }

    #[test]
    fn arithmetic_and_conversions() {
        let mut cpu = Cpu::default();
        cpu.set_freg(11, 1.0f64.to_bits());
        cpu.set_freg(12, 3.0f64.to_bits());
        // fdiv.d then fmul.d fa0, fa1, fa2, rdn
        exec(&mut cpu, (0x0d << 25) | 0x00c5_f553).unwrap();
        assert_eq!(cpu.freg(10), (1.0f64 / 3.0).to_bits());
        exec(&mut cpu, 0x12c5_a553).unwrap();
        assert_eq!(cpu.freg(10), 3.0f64.to_bits());
        // fsqrt.d fa0, fa1, rup / rdn of 2: one ulp apart (nearest is the upper one).
        cpu.set_freg(11, 2.0f64.to_bits());
        exec(&mut cpu, 0x5a05_b553).unwrap();
        assert_eq!(cpu.freg(10), 2f64.sqrt().to_bits());
        exec(&mut cpu, 0x5a05_a553).unwrap();
        assert_eq!(cpu.freg(10), 2f64.sqrt().to_bits() - 1);
        // fcvt.d.s fa0, fa1: exact, NaN canonicalised, an unboxed single reads as NaN.
        cpu.set_freg(11, 0xffff_ffff_3e80_0000);
        exec(&mut cpu, 0x4205_8553).unwrap();
        assert_eq!(cpu.freg(10), 0.25f64.to_bits());
        cpu.set_freg(11, 0x3e80_0000);
        exec(&mut cpu, 0x4205_8553).unwrap();
        assert_eq!(cpu.freg(10), 0x7ff8_0000_0000_0000);
        // fcvt.wu.d a0, fa0, rup of 0.1 -> 1; fcvt.l.d a0, fa0, rmm of -2.5 -> -3
        cpu.set_freg(10, 0.1f64.to_bits());
        exec(&mut cpu, 0xc215_3553).unwrap();
        assert_eq!(cpu.reg(10), 1);
        cpu.set_freg(10, (-2.5f64).to_bits());
        exec(&mut cpu, 0xc225_4553).unwrap();
        assert_eq!(cpu.reg(10), -3i64 as u64);
        // fmax.d of -0 and +0
        cpu.set_freg(11, 1 << 63);
        cpu.set_freg(12, 0);
        exec(&mut cpu, 0x2ac5_9553).unwrap();
        assert_eq!(cpu.freg(10), 0);
        // Integer destination x0 is discarded.
        let mut zero = Cpu::default();
        exec(&mut zero, 0xe205_0053).unwrap(); // fmv.x.d zero, fa0
        assert_eq!(zero.reg(0), 0);
    }
}
