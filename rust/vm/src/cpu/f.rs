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
    let addr = cpu.operand(i.rs1).wrapping_add(i.imm as i64 as u64);
    let value = mem.read_u32(addr)?;
    cpu.set_freg(i.rd, BOX | value as u64);
    Ok(())
}

/// FSW: `mem[x[rs1] + imm] = low 32 bits of f[rs2]` (no NaN-box check: bits move unchanged).
pub(crate) fn fsw(cpu: &mut Cpu, mem: &mut Memory, i: &Insn) -> Result<(), Trap> {
    let addr = cpu.operand(i.rs1).wrapping_add(i.imm as i64 as u64);
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
    cpu.set_freg(i.rd, BOX | (cpu.operand(i.rs1) as u32) as u64);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::float::tests::exec;

    const CANONICAL: u64 = BOX | 0x7fc0_0000;

    #[test]
    fn nan_boxing() {
        let mut cpu = Cpu::default();
        // fmv.w.x fa0, a0 boxes the low word.
        cpu.set_reg(10, 0x1234_5678_3f80_0000);
        exec(&mut cpu, 0xf005_0553).unwrap();
        assert_eq!(cpu.freg(10), BOX | 0x3f80_0000);
        // fadd.s fa0, fa1, fa2 with a properly boxed 1.0 and an unboxed 2.0 (reads as NaN).
        cpu.set_freg(11, BOX | 0x3f80_0000);
        cpu.set_freg(12, 0x4000_0000);
        exec(&mut cpu, 0x00c5_f553).unwrap();
        assert_eq!(cpu.freg(10), CANONICAL);
        cpu.set_freg(12, BOX | 0x4000_0000);
        exec(&mut cpu, 0x00c5_f553).unwrap();
        assert_eq!(cpu.freg(10), BOX | 0x4040_0000);
        // fsgnj.s reads through the box check too, but copies NaN payloads otherwise.
        cpu.set_freg(11, 0x0000_0000_3f80_0000);
        cpu.set_freg(12, BOX | 0x8000_0000);
        exec(&mut cpu, 0x20c5_8553).unwrap();
        assert_eq!(cpu.freg(10), BOX | 0xffc0_0000);
        cpu.set_freg(11, BOX | 0x7f80_0001);
        exec(&mut cpu, 0x20c5_8553).unwrap(); // sign of fa2 (negative)
        assert_eq!(cpu.freg(10), BOX | 0xff80_0001);
        exec(&mut cpu, 0x20c5_a553).unwrap(); // fsgnjx.s: sign xor
        assert_eq!(cpu.freg(10), BOX | 0xff80_0001);
        // fclass.s on an unboxed value: a quiet NaN.
        cpu.set_freg(10, 0x3f80_0000);
        exec(&mut cpu, 0xe005_1553).unwrap();
        assert_eq!(cpu.reg(10), 1 << 9);
    }

    #[test]
    fn moves_and_memory() {
        let mut cpu = Cpu::default();
        // fmv.x.w a0, fa0 sign-extends the low word and ignores boxing.
        cpu.set_freg(10, 0x0000_0000_8000_0001);
        exec(&mut cpu, 0xe005_0553).unwrap();
        assert_eq!(cpu.reg(10), 0xffff_ffff_8000_0001);
        // fsw fa0, 12(a1) stores the low word; flw fa0, 8(a1) loads and boxes.
        let mut mem = Memory::new(64);
        cpu.set_reg(11, 16);
        let store = crate::cpu::decode::decode(0x00a5_a627, 0);
        (store.handler)(&mut cpu, &mut mem, &store).unwrap();
        assert_eq!(mem.read_u32(28).unwrap(), 0x8000_0001);
        mem.write_u32(24, 0x7f80_0001).unwrap();
        let load = crate::cpu::decode::decode(0x0085_a507, 0);
        (load.handler)(&mut cpu, &mut mem, &load).unwrap();
        assert_eq!(cpu.freg(10), BOX | 0x7f80_0001);
        cpu.set_reg(11, 62);
        assert!((load.handler)(&mut cpu, &mut mem, &load).is_err());
    }

    #[test]
    fn conversions() {
        let mut cpu = Cpu::default();
        // fcvt.w.s a0, fa0, rtz of -1.5
        cpu.set_freg(10, BOX | (-1.5f32).to_bits() as u64);
        exec(&mut cpu, 0xc005_1553).unwrap();
        assert_eq!((cpu.reg(10), cpu.fcsr), (u64::MAX, float::NX));
        // fcvt.lu.s a0, fa0, rdn of 2^63 (exact) and of NaN (saturates)
        cpu.set_freg(10, BOX | 0x5f00_0000);
        exec(&mut cpu, 0xc035_2553).unwrap();
        assert_eq!(cpu.reg(10), 1 << 63);
        cpu.set_freg(10, CANONICAL);
        exec(&mut cpu, 0xc035_2553).unwrap();
        assert_eq!(cpu.reg(10), u64::MAX);
        // fcvt.s.l fa0, a0, rdn of -(2^24 + 1): rounds away from zero.
        cpu.set_reg(10, (-16777217i64) as u64);
        exec(&mut cpu, 0xd025_2553).unwrap();
        assert_eq!(cpu.freg(10), BOX | (-16777218.0f32).to_bits() as u64);
        // fcvt.s.d fa0, fa1, rup of 1/3 and of a NaN with payload (canonicalised).
        cpu.set_freg(11, (1.0f64 / 3.0).to_bits());
        exec(&mut cpu, 0x4015_b553).unwrap();
        assert_eq!(cpu.freg(10), BOX | 0x3eaa_aaab);
        cpu.set_freg(11, 0x7ff0_0000_0000_1234);
        exec(&mut cpu, 0x4015_b553).unwrap();
        assert_eq!(cpu.freg(10), CANONICAL);
        // fmin.s with one NaN gives the other operand.
        cpu.set_freg(11, CANONICAL);
        cpu.set_freg(12, BOX | 0xc000_0000);
        exec(&mut cpu, 0x28c5_8553).unwrap();
        assert_eq!(cpu.freg(10), BOX | 0xc000_0000);
    }
}
