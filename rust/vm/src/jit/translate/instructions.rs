//! What each translated instruction does: the RV64IM operations, loads and stores, and the
//! double-precision operations native code runs itself (see [`float`](super::super::float)).

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::types::{F64, I32, I64};
use cranelift_codegen::ir::{InstBuilder, MemFlagsData, Type, Value};

use super::{guest, trusted, Translator};
use crate::cpu::i::Fast;
use crate::cpu::layout;
use crate::jit::float::{self, FloatOp};

impl Translator<'_> {
    /// One straight-line instruction.
    pub(super) fn instruction(&mut self, slot: usize, uncharged: i64) {
        let insn = *self.code.at(slot);
        let pc = self.code.pc_of(slot);
        let (rd, imm) = (insn.rd, insn.imm as i64);
        use Fast::*;
        let fast = insn.fast.uncompressed();
        let value = match fast {
            Lb | Lh | Lw | Ld | Lbu | Lhu | Lwu => {
                let at = self.address(&insn, pc, false, uncharged);
                let ins = self.b.ins();
                match fast {
                    Lb => ins.sload8(I64, guest(), at, 0),
                    Lh => ins.sload16(I64, guest(), at, 0),
                    Lw => ins.sload32(guest(), at, 0),
                    Lbu => ins.uload8(I64, guest(), at, 0),
                    Lhu => ins.uload16(I64, guest(), at, 0),
                    Lwu => ins.uload32(guest(), at, 0),
                    _ => ins.load(I64, guest(), at, 0),
                }
            }
            Sb | Sh | Sw | Sd => {
                let value = self.reg(insn.rs2);
                let at = self.address(&insn, pc, true, uncharged);
                let ins = self.b.ins();
                match fast {
                    Sb => ins.istore8(guest(), value, at, 0),
                    Sh => ins.istore16(guest(), value, at, 0),
                    Sw => ins.istore32(guest(), value, at, 0),
                    _ => ins.store(guest(), value, at, 0),
                };
                return;
            }
            Fld => {
                let at = self.address(&insn, pc, false, uncharged);
                let value = self.b.ins().load(I64, guest(), at, 0);
                self.b.ins().store(trusted(), value, self.cpu, layout::f(insn.rd));
                return;
            }
            Fsd => {
                let value = self.b.ins().load(I64, trusted(), self.cpu, layout::f(insn.rs2));
                let at = self.address(&insn, pc, true, uncharged);
                self.b.ins().store(guest(), value, at, 0);
                return;
            }
            Lui => self.constant(imm as u64),
            Addi | Slti | Sltiu | Xori | Ori | Andi | Slli | Srli | Srai => {
                let a = self.reg(insn.rs1);
                match fast {
                    Slti => self.flag(IntCC::SignedLessThan, a, imm),
                    Sltiu => self.flag(IntCC::UnsignedLessThan, a, imm),
                    Addi => self.b.ins().iadd_imm_s(a, imm),
                    Xori => self.b.ins().bxor_imm_s(a, imm),
                    Ori => self.b.ins().bor_imm_s(a, imm),
                    Andi => self.b.ins().band_imm_s(a, imm),
                    Slli => self.b.ins().ishl_imm_s(a, imm & 63),
                    Srli => self.b.ins().ushr_imm_s(a, imm & 63),
                    _ => self.b.ins().sshr_imm_s(a, imm & 63),
                }
            }
            Addiw | Slliw | Srliw | Sraiw => {
                let a = self.reg(insn.rs1);
                let a = self.b.ins().ireduce(I32, a);
                let ins = self.b.ins();
                let word = match fast {
                    Addiw => ins.iadd_imm_s(a, imm),
                    Slliw => ins.ishl_imm_s(a, imm & 31),
                    Srliw => ins.ushr_imm_s(a, imm & 31),
                    _ => ins.sshr_imm_s(a, imm & 31),
                };
                self.b.ins().sextend(I64, word)
            }
            Add | Sub | Sll | Slt | Sltu | Xor | Srl | Sra | Or | And | Mul | Mulh | Mulhsu | Mulhu | Div | Divu
            | Rem | Remu => {
                let (a, b) = (self.reg(insn.rs1), self.reg(insn.rs2));
                self.binary(fast, I64, a, b)
            }
            Addw | Subw | Sllw | Srlw | Sraw | Mulw | Divw | Divuw | Remw | Remuw => {
                let (a, b) = (self.reg(insn.rs1), self.reg(insn.rs2));
                let (a, b) = (self.b.ins().ireduce(I32, a), self.b.ins().ireduce(I32, b));
                let word = self.binary(fast, I32, a, b);
                self.b.ins().sextend(I64, word)
            }
            _ => match float::recognise(insn.raw) {
                Some(op) => return self.float(op, slot, uncharged),
                None => return self.call_handler(slot, uncharged),
            },
        };
        self.set(rd, value);
    }

    /// A double-precision operation. Operands are read from and results written to the CPU's
    /// floating-point registers directly.
    fn float(&mut self, op: FloatOp, slot: usize, uncharged: i64) {
        let insn = *self.code.at(slot);
        let (cpu, double) = (self.cpu, |r: u8| layout::f(r));
        let bits = match op {
            FloatOp::BitsToInteger => {
                let value = self.b.ins().load(I64, trusted(), cpu, double(insn.rs1));
                return self.set(insn.rd, value);
            }
            FloatOp::BitsFromInteger => self.reg(insn.rs1),
            FloatOp::SignInject { negate, xor } => {
                let a = self.b.ins().load(I64, trusted(), cpu, double(insn.rs1));
                let b = self.b.ins().load(I64, trusted(), cpu, double(insn.rs2));
                let mut sign = self.b.ins().band_imm_s(b, i64::MIN);
                if negate {
                    sign = self.b.ins().bxor_imm_s(sign, i64::MIN);
                }
                if xor {
                    sign = self.b.ins().bxor(sign, a);
                }
                let sign = self.b.ins().band_imm_s(sign, i64::MIN);
                let magnitude = self.b.ins().band_imm_s(a, i64::MAX);
                self.b.ins().bor(magnitude, sign)
            }
            FloatOp::FromSigned { word } => {
                let mut value = self.reg(insn.rs1);
                if word {
                    value = self.b.ins().ireduce(I32, value);
                }
                let double = self.b.ins().fcvt_from_sint(F64, value);
                self.b.ins().bitcast(I64, MemFlagsData::new(), double)
            }
            FloatOp::MulAdd { .. } if !self.fma => return self.call_handler(slot, uncharged),
            FloatOp::MulAdd { negate_product, negate_addend } => {
                // RISC-V raises "invalid" for ∞ × 0 even when the addend is a quiet NaN; hosts
                // need not, so a NaN addend goes to the handler.
                self.sync();
                let c = self.b.ins().load(F64, trusted(), cpu, double(insn.rs3));
                let is_nan = self.b.ins().fcmp(FloatCC::Unordered, c, c);
                let (handler, native, join) = (self.b.create_block(), self.b.create_block(), self.b.create_block());
                self.b.set_cold_block(handler);
                self.b.ins().brif(is_nan, handler, &[], native, &[]);
                self.b.switch_to_block(handler);
                self.call_handler(slot, uncharged);
                self.b.ins().jump(join, &[]);
                self.b.switch_to_block(native);
                let mut a = self.b.ins().load(F64, trusted(), cpu, double(insn.rs1));
                let b = self.b.ins().load(F64, trusted(), cpu, double(insn.rs2));
                let mut c = c;
                if negate_product {
                    a = self.b.ins().fneg(a);
                }
                if negate_addend {
                    c = self.b.ins().fneg(c);
                }
                let result = self.b.ins().fma(a, b, c);
                self.b.ins().store(trusted(), result, cpu, double(insn.rd));
                self.b.ins().jump(join, &[]);
                self.b.switch_to_block(join);
                return;
            }
            FloatOp::Add | FloatOp::Sub | FloatOp::Mul | FloatOp::Div | FloatOp::Sqrt => {
                let a = self.b.ins().load(F64, trusted(), cpu, double(insn.rs1));
                let b = self.b.ins().load(F64, trusted(), cpu, double(insn.rs2));
                let result = match op {
                    FloatOp::Add => self.b.ins().fadd(a, b),
                    FloatOp::Sub => self.b.ins().fsub(a, b),
                    FloatOp::Mul => self.b.ins().fmul(a, b),
                    FloatOp::Div => self.b.ins().fdiv(a, b),
                    _ => self.b.ins().sqrt(a),
                };
                self.b.ins().bitcast(I64, MemFlagsData::new(), result)
            }
        };
        self.b.ins().store(trusted(), bits, cpu, double(insn.rd));
    }

    /// `1` if `a <cc> imm`, else `0`.
    fn flag(&mut self, cc: IntCC, a: Value, imm: i64) -> Value {
        let flag = self.b.ins().icmp_imm_s(cc, a, imm);
        self.b.ins().uextend(I64, flag)
    }

    /// A register-register operation on `ty` (the `*W` forms use `I32` and the plain names).
    fn binary(&mut self, fast: Fast, ty: Type, a: Value, b: Value) -> Value {
        use Fast::*;
        match fast {
            Add | Addw => self.b.ins().iadd(a, b),
            Sub | Subw => self.b.ins().isub(a, b),
            // Cranelift's shifts take the amount modulo the width, as RISC-V's do.
            Sll | Sllw => self.b.ins().ishl(a, b),
            Srl | Srlw => self.b.ins().ushr(a, b),
            Sra | Sraw => self.b.ins().sshr(a, b),
            Xor => self.b.ins().bxor(a, b),
            Or => self.b.ins().bor(a, b),
            And => self.b.ins().band(a, b),
            Slt => {
                let flag = self.b.ins().icmp(IntCC::SignedLessThan, a, b);
                self.b.ins().uextend(I64, flag)
            }
            Sltu => {
                let flag = self.b.ins().icmp(IntCC::UnsignedLessThan, a, b);
                self.b.ins().uextend(I64, flag)
            }
            Mul | Mulw => self.b.ins().imul(a, b),
            Mulh => self.b.ins().smulhi(a, b),
            Mulhu => self.b.ins().umulhi(a, b),
            Mulhsu => {
                // The unsigned high product, less `b` when `a` is negative.
                let high = self.b.ins().umulhi(a, b);
                let sign = self.b.ins().sshr_imm_s(a, 63);
                let correction = self.b.ins().band(sign, b);
                self.b.ins().isub(high, correction)
            }
            _ => self.division(fast, ty, a, b),
        }
    }

    /// RISC-V division and remainder: no traps; division by zero gives all ones (quotient) or
    /// the dividend (remainder), and signed overflow gives the dividend (quotient) or zero.
    fn division(&mut self, fast: Fast, ty: Type, a: Value, b: Value) -> Value {
        use Fast::*;
        let signed = matches!(fast, Div | Rem | Divw | Remw);
        let by_zero = self.b.ins().icmp_imm_s(IntCC::Equal, b, 0);
        let unusable = if signed {
            let min = if ty == I32 { i32::MIN as i64 } else { i64::MIN };
            let a_min = self.b.ins().icmp_imm_s(IntCC::Equal, a, min);
            let b_minus_one = self.b.ins().icmp_imm_s(IntCC::Equal, b, -1);
            let overflow = self.b.ins().band(a_min, b_minus_one);
            self.b.ins().bor(by_zero, overflow)
        } else {
            by_zero
        };
        // Divide by 1 instead in those cases: the quotient of an overflow is then the dividend
        // and its remainder 0, as specified; division by zero is patched below.
        let one = self.b.ins().iconst(ty, 1);
        let divisor = self.b.ins().select(unusable, one, b);
        match fast {
            Div | Divw | Divu | Divuw => {
                let quotient = if signed { self.b.ins().sdiv(a, divisor) } else { self.b.ins().udiv(a, divisor) };
                let all_ones = self.b.ins().iconst(ty, -1);
                self.b.ins().select(by_zero, all_ones, quotient)
            }
            _ => {
                let remainder = if signed { self.b.ins().srem(a, divisor) } else { self.b.ins().urem(a, divisor) };
                self.b.ins().select(by_zero, a, remainder)
            }
        }
    }
}
