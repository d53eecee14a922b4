//! The double-precision instructions native code runs itself, and the host state that makes
//! their exception flags exact.
//!
//! Native double arithmetic rounds to nearest-even, which is what RISC-V code runs with
//! (a region that runs them does not start under any other `frm`, and CSR instructions always
//! leave native code). The IEEE flags come from the host: x86-64 accrues them in MXCSR, whose
//! five flags map one to one onto `fflags`. Results that are NaN are made canonical by Cranelift
//! (its canonical NaN is RISC-V's). Everything else of the F and D extensions (single precision,
//! min/max, comparisons, conversions to integers) runs through the interpreter's handlers.

/// A double-precision operation native code runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FloatOp {
    Add,
    Sub,
    Mul,
    Div,
    Sqrt,
    /// `±(rs1 × rs2) ± rs3` (FMADD, FMSUB, FNMSUB, FNMADD).
    MulAdd {
        negate_product: bool,
        negate_addend: bool,
    },
    /// FCVT.D.L and FCVT.D.W: a signed integer register to a double.
    FromSigned {
        word: bool,
    },
    /// FSGNJ.D, FSGNJN.D, FSGNJX.D (FMV.D, FNEG.D, FABS.D).
    SignInject {
        negate: bool,
        xor: bool,
    },
    /// FMV.X.D: the bits of a double register to an integer register.
    BitsToInteger,
    /// FMV.D.X: the bits of an integer register to a double register.
    BitsFromInteger,
}

/// Rounding-mode fields that mean round-to-nearest-even here: RNE itself, and "dynamic" (`frm`,
/// which is RNE whenever native code runs).
fn rounds_to_nearest(raw: u32) -> bool {
    matches!((raw >> 12) & 7, 0 | 7)
}

/// The native operation for the 32-bit encoding `raw`, if there is one.
pub(crate) fn recognise(raw: u32) -> Option<FloatOp> {
    if !cfg!(target_arch = "x86_64") || raw & 3 != 3 {
        return None;
    }
    let (opcode, funct7, rs2, funct3) = (raw & 0x7f, raw >> 25, (raw >> 20) & 31, (raw >> 12) & 7);
    let fused_double = (raw >> 25) & 3 == 1;
    let op = match opcode {
        0x43 | 0x47 | 0x4b | 0x4f if fused_double && rounds_to_nearest(raw) => FloatOp::MulAdd {
            negate_product: matches!(opcode, 0x4b | 0x4f),
            negate_addend: matches!(opcode, 0x47 | 0x4f),
        },
        0x53 => match (funct7, rs2, funct3) {
            (0x01, _, _) if rounds_to_nearest(raw) => FloatOp::Add,
            (0x05, _, _) if rounds_to_nearest(raw) => FloatOp::Sub,
            (0x09, _, _) if rounds_to_nearest(raw) => FloatOp::Mul,
            (0x0d, _, _) if rounds_to_nearest(raw) => FloatOp::Div,
            (0x2d, 0, _) if rounds_to_nearest(raw) => FloatOp::Sqrt,
            (0x69, 0, _) if rounds_to_nearest(raw) => FloatOp::FromSigned { word: true },
            (0x69, 2, _) if rounds_to_nearest(raw) => FloatOp::FromSigned { word: false },
            (0x11, _, 0) => FloatOp::SignInject { negate: false, xor: false },
            (0x11, _, 1) => FloatOp::SignInject { negate: true, xor: false },
            (0x11, _, 2) => FloatOp::SignInject { negate: false, xor: true },
            (0x71, 0, 0) => FloatOp::BitsToInteger,
            (0x79, 0, 0) => FloatOp::BitsFromInteger,
            _ => return None,
        },
        _ => return None,
    };
    Some(op)
}

/// The host's floating-point control and status while native code runs: round to nearest-even,
/// no exceptions trapping, no flush-to-zero, flags clear.
#[cfg(target_arch = "x86_64")]
const NATIVE_MXCSR: u32 = 0x1f80;

/// Saves the host's floating-point state and sets the one native code runs with.
#[cfg(target_arch = "x86_64")]
pub(crate) fn enter() -> u32 {
    let saved = read_mxcsr();
    write_mxcsr(NATIVE_MXCSR);
    saved
}

/// Restores the host's state saved by [`enter`]; returns the `fflags` native code raised.
#[cfg(target_arch = "x86_64")]
pub(crate) fn leave(saved: u32) -> u32 {
    let raised = read_mxcsr();
    write_mxcsr(saved);
    // MXCSR: IE DE ZE OE UE PE (bits 0-5); fflags: NX UF OF DZ NV (bits 0-4). DE (a denormal
    // operand) is no RISC-V exception.
    let bit = |mxcsr: u32, fflag: u32| if raised & (1 << mxcsr) != 0 { 1 << fflag } else { 0 };
    bit(0, 4) | bit(2, 3) | bit(3, 2) | bit(4, 1) | bit(5, 0)
}

/// Runs `f` without letting the host flags it raises reach the guest: handlers compute their
/// own flags in software, but use host arithmetic on the way.
#[cfg(target_arch = "x86_64")]
pub(crate) fn isolated<R>(f: impl FnOnce() -> R) -> R {
    let saved = read_mxcsr();
    let result = f();
    write_mxcsr(saved);
    result
}

#[cfg(target_arch = "x86_64")]
fn read_mxcsr() -> u32 {
    let mut value = 0u32;
    // SAFETY: STMXCSR stores the 4-byte MXCSR register to the given address, which is a live,
    // aligned, writable u32 on this stack frame; it has no other effect.
    unsafe { std::arch::asm!("stmxcsr [{}]", in(reg) &mut value, options(nostack, preserves_flags)) };
    value
}

#[cfg(target_arch = "x86_64")]
fn write_mxcsr(value: u32) {
    // SAFETY: LDMXCSR loads MXCSR from a live, aligned u32. The values written are the host's own
    // saved state or NATIVE_MXCSR (all exceptions masked, reserved bits zero), so no fault is
    // possible and no exception becomes unmasked.
    unsafe { std::arch::asm!("ldmxcsr [{}]", in(reg) &value, options(nostack, preserves_flags, readonly)) };
}

#[cfg(not(target_arch = "x86_64"))]
pub(crate) fn enter() -> u32 {
    0
}

#[cfg(not(target_arch = "x86_64"))]
pub(crate) fn leave(_: u32) -> u32 {
    0
}

#[cfg(not(target_arch = "x86_64"))]
pub(crate) fn isolated<R>(f: impl FnOnce() -> R) -> R {
    f()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_double_arithmetic_in_round_to_nearest_only() {
        if !cfg!(target_arch = "x86_64") {
            return;
        }
        assert_eq!(recognise(0x02b57553), Some(FloatOp::Add)); // fadd.d fa0, fa0, fa1 (rm = dyn)
        assert_eq!(recognise(0x02b50553), Some(FloatOp::Add)); // fadd.d fa0, fa0, fa1, rne
        assert_eq!(recognise(0x02b51553), None); // fadd.d fa0, fa0, fa1, rtz
        assert_eq!(recognise(0x00b57553), None); // fadd.s
                                                 // fcvt.d.l fa0, a0; fmv.d fa0, fa0
        assert_eq!(recognise(0xd2257553), Some(FloatOp::FromSigned { word: false }));
        assert_eq!(recognise(0x22a50553), Some(FloatOp::SignInject { negate: false, xor: false }));
    }
}
