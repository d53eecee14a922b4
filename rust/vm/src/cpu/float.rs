//! Floating-point machinery shared by RV64F ([`super::f`]) and RV64D ([`super::d`]).
//!
//! Everything here is generic over the [`Fp`] trait, which `f32` (in `f.rs`, with NaN-boxing) and
//! `f64` (in `d.rs`) implement, so each operation is written once for both formats. The decoder for
//! the encodings both formats share is [`decode_op`]; `f.rs` and `d.rs` add their own loads, stores,
//! moves and cross-format conversions on top of it.
//!
//! Results follow the RISC-V rules: every NaN an operation produces is the canonical NaN, fmin/fmax
//! are IEEE 754-2019 `minimumNumber`/`maximumNumber`, float-to-integer conversions saturate.
//!
//! Rounding: the host computes each operation in round-to-nearest-even, and [`finish`] then moves
//! the result one step to honour the instruction's rounding mode, from an exact comparison of the
//! true result with the rounded one (TwoSum for additions, exact integer products for
//! multiplication, division, square root and conversions, the Boldo-Muller error of an FMA for fused
//! multiply-adds). The same comparison yields NX/UF/OF, so rounding modes and flags are exact for
//! everything except these known limitations:
//! - fused multiply-adds whose intermediate terms underflow (a product or error below the smallest
//!   normal number) or overflow while the result does not: the error term is then not exact, so a
//!   directed rounding mode or NX may be off by one step;
//! - UF uses "tiny after rounding" as `|result| < smallest normal`; a result rounded up to exactly the
//!   smallest normal number never reports UF.

use std::cmp::Ordering;
use std::ops::{Add, Div, Mul, Neg, Sub};

use super::fields::Word;
use super::{d, f, Cpu, Handler, Insn, Trap};
use crate::memory::Memory;

/// Inexact.
pub(crate) const NX: u32 = 1;
/// Underflow.
pub(crate) const UF: u32 = 2;
/// Overflow.
pub(crate) const OF: u32 = 4;
/// Division by zero.
pub(crate) const DZ: u32 = 8;
/// Invalid operation.
pub(crate) const NV: u32 = 16;

/// A rounding mode an instruction runs with (the `rm` field, or `frm` when it is dynamic).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rm {
    /// Round to nearest, ties to even.
    Rne,
    /// Round towards zero.
    Rtz,
    /// Round down (towards negative infinity).
    Rdn,
    /// Round up (towards positive infinity).
    Rup,
    /// Round to nearest, ties away from zero.
    Rmm,
}

/// Whether a static `rm` field is allowed: 5 and 6 are reserved (7 means "use `frm`", which is checked
/// when the instruction runs).
pub(crate) fn valid_rm(rm: u32) -> bool {
    rm != 5 && rm != 6
}

/// The rounding mode of an instruction whose decoder stored its `rm` field in `imm`. A dynamic mode
/// with an invalid `frm` is an illegal instruction.
#[inline(always)]
pub(crate) fn rounding(cpu: &Cpu, i: &Insn) -> Result<Rm, Trap> {
    let rm = if i.imm == 7 { (cpu.fcsr >> 5) & 7 } else { i.imm as u32 };
    match rm {
        0 => Ok(Rm::Rne),
        1 => Ok(Rm::Rtz),
        2 => Ok(Rm::Rdn),
        3 => Ok(Rm::Rup),
        4 => Ok(Rm::Rmm),
        _ => Err(Trap::IllegalInstruction(i.raw)),
    }
}

/// An IEEE 754 binary format as the host implements it (round-to-nearest-even arithmetic).
pub(crate) trait Fp:
    Copy
    + PartialOrd
    + Neg<Output = Self>
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
{
    /// Width of the fraction field.
    const FRACTION: u32;
    /// Width of the exponent field.
    const EXPONENT: u32;
    /// The sign bit.
    const SIGN: u64 = 1 << (Self::FRACTION + Self::EXPONENT);
    /// Positive infinity's bits.
    const INF: u64 = ((1 << Self::EXPONENT) - 1) << Self::FRACTION;
    /// The quiet bit of a NaN.
    const QUIET: u64 = 1 << (Self::FRACTION - 1);
    /// The canonical NaN's bits.
    const CANONICAL: u64 = Self::INF | Self::QUIET;
    /// The smallest positive normal number's bits.
    const MIN_NORMAL: u64 = 1 << Self::FRACTION;

    /// The value's bits, zero-extended.
    fn to_raw(self) -> u64;
    /// The value with these bits (the low ones of `raw`).
    fn from_raw(raw: u64) -> Self;
    /// Reads floating-point register `r` (through the NaN-box check for singles).
    fn read(cpu: &Cpu, r: u8) -> Self;
    /// Writes floating-point register `r` (NaN-boxing singles).
    fn write(cpu: &mut Cpu, r: u8, value: Self);
    /// `self * b + c` with one rounding.
    fn fma(self, b: Self, c: Self) -> Self;
    fn root(self) -> Self;
    /// The value as an `f64` (exact).
    fn widen(self) -> f64;
    /// `x` rounded to this format, to nearest even.
    fn narrow(x: f64) -> Self;
    /// `x` rounded to this format, to nearest even.
    fn from_int(x: i128) -> Self;

    fn nan(self) -> bool {
        self.to_raw() & !Self::SIGN > Self::INF
    }
    fn snan(self) -> bool {
        self.nan() && self.to_raw() & Self::QUIET == 0
    }
    fn finite(self) -> bool {
        self.to_raw() & !Self::SIGN < Self::INF
    }
    fn infinite(self) -> bool {
        self.to_raw() & !Self::SIGN == Self::INF
    }
    fn is_zero(self) -> bool {
        self.to_raw() & !Self::SIGN == 0
    }
    fn negative(self) -> bool {
        self.to_raw() & Self::SIGN != 0
    }
    fn abs(self) -> Self {
        Self::from_raw(self.to_raw() & !Self::SIGN)
    }
}

/// The canonical NaN, raising NV when `invalid`.
fn nan_result<F: Fp>(invalid: bool) -> (F, u32) {
    (F::from_raw(F::CANONICAL), if invalid { NV } else { 0 })
}

/// A non-negative dyadic rational `m * 2^e`: exact magnitudes of operands and products.
#[derive(Clone, Copy, Debug)]
struct Dyadic {
    m: u128,
    e: i32,
}

impl Dyadic {
    /// `|x|` for finite `x`, with `m` the full significand (so `m + 1` is the next magnitude up).
    fn of<F: Fp>(x: F) -> Dyadic {
        let raw = x.to_raw() & !F::SIGN;
        let field = (raw >> F::FRACTION) as i32;
        let fraction = (raw & (F::MIN_NORMAL - 1)) as u128;
        let bias = (1 << (F::EXPONENT - 1)) - 1;
        if field == 0 {
            Dyadic { m: fraction, e: 1 - bias - F::FRACTION as i32 }
        } else {
            Dyadic { m: fraction | (F::MIN_NORMAL as u128), e: field - bias - F::FRACTION as i32 }
        }
    }

    /// The midpoint between `|x|` and the next representable magnitude above it.
    fn mid<F: Fp>(x: F) -> Dyadic {
        let d = Dyadic::of(x);
        Dyadic { m: 2 * d.m + 1, e: d.e - 1 }
    }

    /// The exact product (significands of at most 55 bits, so it fits).
    fn mul(self, o: Dyadic) -> Dyadic {
        Dyadic { m: self.m * o.m, e: self.e + o.e }
    }

    fn cmp(self, o: Dyadic) -> Ordering {
        match (self.m == 0, o.m == 0) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => {
                let (za, zb) = (self.m.leading_zeros(), o.m.leading_zeros());
                // Compare the leading bits' weights, then the significands aligned to bit 127.
                (self.e - za as i32).cmp(&(o.e - zb as i32)).then((self.m << za).cmp(&(o.m << zb)))
            }
        }
    }
}

/// Applies the rounding mode to `r`, the host's round-to-nearest-even result of an operation on
/// finite operands (infinite only by overflow). `dir` compares the exact result's magnitude with
/// `|r|`; `tie` says whether the exact result lies halfway between `|r|` and the next magnitude up
/// (asked only when it is above `|r|` in mode RMM). Returns the result and the NX/UF/OF flags.
#[inline]
fn finish<F: Fp>(r: F, rm: Rm, dir: impl FnOnce() -> Ordering, tie: impl FnOnce() -> bool) -> (F, u32) {
    let overflow = r.infinite();
    let dir = if overflow { Ordering::Less } else { dir() };
    if dir == Ordering::Equal {
        return (r, 0);
    }
    let (above, below) = (dir == Ordering::Greater, dir == Ordering::Less);
    // +1: the next magnitude up, -1: the next magnitude down (both by the bits, sign-magnitude).
    let step = match rm {
        Rm::Rne => 0,
        Rm::Rtz => -(below as i64),
        Rm::Rdn if r.negative() => above as i64,
        Rm::Rdn => -(below as i64),
        Rm::Rup if r.negative() => -(below as i64),
        Rm::Rup => above as i64,
        Rm::Rmm => (above && tie()) as i64,
    };
    let out = F::from_raw(r.to_raw().wrapping_add_signed(step));
    let mut flags = NX;
    if overflow || out.infinite() {
        flags |= OF;
    }
    if out.to_raw() & !F::SIGN < F::MIN_NORMAL {
        flags |= UF;
    }
    (out, flags)
}

/// `a + b = s + err` exactly (Knuth's TwoSum; exact unless it overflows).
fn two_sum<F: Fp>(a: F, b: F) -> (F, F) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

/// How `|r + err|` compares with `|r|`, for an error term `err` smaller than half an ulp of `r`.
fn error_direction<F: Fp>(r: F, err: F) -> Ordering {
    if err.is_zero() {
        Ordering::Equal
    } else if r.is_zero() || err.negative() == r.negative() {
        Ordering::Greater
    } else {
        Ordering::Less
    }
}

/// Whether an error term `err` (with `|r + err| > |r|`) is exactly half the gap to the next magnitude.
fn error_is_tie<F: Fp>(r: F, err: F) -> bool {
    let up = F::from_raw(r.to_raw() + 1).abs();
    (err + err).abs() == up - r.abs()
}

/// The sign of an exact zero sum `x + y` (both operands zero or exactly cancelling): negative when
/// both are negative zeros, or in mode RDN unless both are positive zeros.
fn zero_sum<F: Fp>(x_negative: bool, y: F, rm: Rm) -> F {
    let negative = if rm == Rm::Rdn { x_negative || y.negative() } else { x_negative && y.negative() };
    F::from_raw(if negative { F::SIGN } else { 0 })
}

pub(crate) fn add<F: Fp>(a: F, b: F, rm: Rm) -> (F, u32) {
    let r = a + b;
    if r.nan() {
        return nan_result(a.snan() || b.snan() || !(a.nan() || b.nan()));
    }
    if a.infinite() || b.infinite() {
        return (r, 0);
    }
    if r.is_zero() {
        // Additions never underflow to zero: this is exact.
        return (zero_sum(a.negative(), b, rm), 0);
    }
    let (_, err) = two_sum(a, b);
    finish(r, rm, || error_direction(r, err), || error_is_tie(r, err))
}

pub(crate) fn mul<F: Fp>(a: F, b: F, rm: Rm) -> (F, u32) {
    let r = a * b;
    if r.nan() {
        return nan_result(a.snan() || b.snan() || !(a.nan() || b.nan()));
    }
    if a.infinite() || b.infinite() || a.is_zero() || b.is_zero() {
        return (r, 0);
    }
    let exact = Dyadic::of(a).mul(Dyadic::of(b));
    finish(r, rm, || exact.cmp(Dyadic::of(r)), || exact.cmp(Dyadic::mid(r)).is_eq())
}

pub(crate) fn div<F: Fp>(a: F, b: F, rm: Rm) -> (F, u32) {
    let r = a / b;
    if r.nan() {
        return nan_result(a.snan() || b.snan() || !(a.nan() || b.nan()));
    }
    if b.is_zero() && !a.infinite() {
        return (r, DZ);
    }
    if a.infinite() || b.infinite() || a.is_zero() {
        return (r, 0);
    }
    // |a / b| against |q| is |a| against |q * b|.
    let (na, nb) = (Dyadic::of(a), Dyadic::of(b));
    finish(r, rm, || na.cmp(Dyadic::of(r).mul(nb)), || na.cmp(Dyadic::mid(r).mul(nb)).is_eq())
}

pub(crate) fn sqrt<F: Fp>(a: F, rm: Rm) -> (F, u32) {
    if a.nan() {
        return nan_result(a.snan());
    }
    if a.is_zero() || (a.infinite() && !a.negative()) {
        return (a, 0);
    }
    if a.negative() {
        return nan_result(true);
    }
    let r = a.root();
    let na = Dyadic::of(a);
    let (nr, mid) = (Dyadic::of(r), Dyadic::mid(r));
    finish(r, rm, || na.cmp(nr.mul(nr)), || na.cmp(mid.mul(mid)).is_eq())
}

/// `a * b + c` with one rounding (the other fused forms negate operands first).
pub(crate) fn fma<F: Fp>(a: F, b: F, c: F, rm: Rm) -> (F, u32) {
    let r = a.fma(b, c);
    if r.nan() {
        // Infinity times zero is invalid even when the addend is a quiet NaN.
        let inf_zero = (a.infinite() && b.is_zero()) || (a.is_zero() && b.infinite());
        return nan_result(a.snan() || b.snan() || c.snan() || inf_zero || !(a.nan() || b.nan() || c.nan()));
    }
    if a.infinite() || b.infinite() || c.infinite() {
        return (r, 0);
    }
    if a.is_zero() || b.is_zero() {
        // The product is an exact zero; the sum is `c`, or a zero whose sign follows the sum rule.
        return if c.is_zero() { (zero_sum(a.negative() != b.negative(), c, rm), 0) } else { (r, 0) };
    }
    if c.is_zero() {
        return mul(a, b, rm);
    }
    // Boldo-Muller: a*b + c = r + r2 + r3 exactly, with |r3| at most half an ulp of r2.
    let u1 = a * b;
    let u2 = a.fma(b, -u1);
    let (alpha1, alpha2) = two_sum(c, u2);
    let (beta1, beta2) = two_sum(u1, alpha1);
    let gamma = (beta1 - r) + beta2;
    let (r2, r3) = two_sum(gamma, alpha2);
    let dir = if !(r2.finite() && r3.finite()) {
        // An intermediate overflowed: the error is unknown, keep the nearest result.
        Ordering::Equal
    } else {
        error_direction(r, r2)
    };
    if dir.is_eq() && r.is_zero() {
        // The product and the addend cancel exactly.
        return (zero_sum(a.negative() != b.negative(), c, rm), 0);
    }
    finish(r, rm, || dir, || r3.is_zero() && error_is_tie(r, r2))
}

/// IEEE 754-2019 minimumNumber / maximumNumber, with -0 below +0.
pub(crate) fn min_max<F: Fp>(a: F, b: F, max: bool) -> (F, u32) {
    let flags = if a.snan() || b.snan() { NV } else { 0 };
    let r = match (a.nan(), b.nan()) {
        (true, true) => F::from_raw(F::CANONICAL),
        (true, false) => b,
        (false, true) => a,
        (false, false) => {
            let pick_a = if a.is_zero() && b.is_zero() {
                a.negative() != max
            } else if max {
                a > b
            } else {
                a < b
            };
            if pick_a {
                a
            } else {
                b
            }
        }
    };
    (r, flags)
}

/// The FCLASS bit of `x`.
pub(crate) fn classify<F: Fp>(x: F) -> u64 {
    let negative = x.negative();
    let magnitude = x.to_raw() & !F::SIGN;
    let bit = if x.nan() {
        if x.snan() {
            8
        } else {
            9
        }
    } else if magnitude == F::INF {
        if negative {
            0
        } else {
            7
        }
    } else if magnitude >= F::MIN_NORMAL {
        if negative {
            1
        } else {
            6
        }
    } else if magnitude != 0 {
        if negative {
            2
        } else {
            5
        }
    } else if negative {
        3
    } else {
        4
    };
    1 << bit
}

/// Converts `x` to an integer in `lo..=hi`, rounding per `rm` and saturating (NaN gives `hi`).
pub(crate) fn to_int(x: f64, rm: Rm, lo: i128, hi: i128) -> (i128, u32) {
    if x.is_nan() {
        return (hi, NV);
    }
    let r = match rm {
        Rm::Rne => x.round_ties_even(),
        Rm::Rtz => x.trunc(),
        Rm::Rdn => x.floor(),
        Rm::Rup => x.ceil(),
        Rm::Rmm => x.round(),
    };
    // `as` saturates infinities and huge values, which then fall outside the range.
    let v = r as i128;
    if v < lo {
        (lo, NV)
    } else if v > hi {
        (hi, NV)
    } else {
        (v, if r != x { NX } else { 0 })
    }
}

/// Converts the integer `v` to a float, rounding per `rm`.
pub(crate) fn from_int<F: Fp>(v: i128, rm: Rm) -> (F, u32) {
    let r = F::from_int(v);
    let exact = Dyadic { m: v.unsigned_abs(), e: 0 };
    finish(r, rm, || exact.cmp(Dyadic::of(r)), || exact.cmp(Dyadic::mid(r)).is_eq())
}

/// Converts between formats, rounding per `rm`.
pub(crate) fn convert<T: Fp, S: Fp>(x: S, rm: Rm) -> (T, u32) {
    if x.nan() {
        return nan_result(x.snan());
    }
    let r = T::narrow(x.widen());
    if x.infinite() || x.is_zero() {
        return (r, 0);
    }
    let exact = Dyadic::of(x);
    finish(r, rm, || exact.cmp(Dyadic::of(r)), || exact.cmp(Dyadic::mid(r)).is_eq())
}

/// Defines handlers with a floating-point destination: `f[rd], fflags |= body`.
macro_rules! float_op {
    ($($name:ident => |$cpu:ident, $i:ident| $body:expr;)*) => {$(
        pub(crate) fn $name<F: Fp>($cpu: &mut Cpu, _: &mut Memory, $i: &Insn) -> Result<(), Trap> {
            let (value, flags): (F, u32) = $body;
            F::write($cpu, $i.rd, value);
            $cpu.fcsr |= flags;
            Ok(())
        }
    )*};
}

/// Defines handlers with an integer destination: `x[rd], fflags |= body`.
macro_rules! int_op {
    ($($name:ident => |$cpu:ident, $i:ident| $body:expr;)*) => {$(
        pub(crate) fn $name<F: Fp>($cpu: &mut Cpu, _: &mut Memory, $i: &Insn) -> Result<(), Trap> {
            let (value, flags): (u64, u32) = $body;
            $cpu.write($i.rd, value);
            $cpu.fcsr |= flags;
            Ok(())
        }
    )*};
}

/// The two source operands.
#[inline(always)]
fn sources<F: Fp>(cpu: &Cpu, i: &Insn) -> (F, F) {
    (F::read(cpu, i.rs1), F::read(cpu, i.rs2))
}

/// The three source operands of a fused multiply-add.
#[inline(always)]
fn sources3<F: Fp>(cpu: &Cpu, i: &Insn) -> (F, F, F) {
    (F::read(cpu, i.rs1), F::read(cpu, i.rs2), F::read(cpu, i.rs3))
}

/// Sign injection: the magnitude of `a` with the sign bit `sign`.
fn with_sign<F: Fp>(a: F, sign: u64) -> (F, u32) {
    (F::from_raw((a.to_raw() & !F::SIGN) | (sign & F::SIGN)), 0)
}

float_op! {
    fadd => |cpu, i| { let (a, b) = sources::<F>(cpu, i); add(a, b, rounding(cpu, i)?) };
    fsub => |cpu, i| { let (a, b) = sources::<F>(cpu, i); add(a, -b, rounding(cpu, i)?) };
    fmul => |cpu, i| { let (a, b) = sources::<F>(cpu, i); mul(a, b, rounding(cpu, i)?) };
    fdiv => |cpu, i| { let (a, b) = sources::<F>(cpu, i); div(a, b, rounding(cpu, i)?) };
    fsqrt => |cpu, i| sqrt(F::read(cpu, i.rs1), rounding(cpu, i)?);
    fmadd => |cpu, i| { let (a, b, c) = sources3::<F>(cpu, i); fma(a, b, c, rounding(cpu, i)?) };
    fmsub => |cpu, i| { let (a, b, c) = sources3::<F>(cpu, i); fma(a, b, -c, rounding(cpu, i)?) };
    fnmsub => |cpu, i| { let (a, b, c) = sources3::<F>(cpu, i); fma(-a, b, c, rounding(cpu, i)?) };
    fnmadd => |cpu, i| { let (a, b, c) = sources3::<F>(cpu, i); fma(-a, b, -c, rounding(cpu, i)?) };
    fsgnj => |cpu, i| { let (a, b) = sources::<F>(cpu, i); with_sign(a, b.to_raw()) };
    fsgnjn => |cpu, i| { let (a, b) = sources::<F>(cpu, i); with_sign(a, !b.to_raw()) };
    fsgnjx => |cpu, i| { let (a, b) = sources::<F>(cpu, i); with_sign(a, a.to_raw() ^ b.to_raw()) };
    fmin => |cpu, i| { let (a, b) = sources::<F>(cpu, i); min_max(a, b, false) };
    fmax => |cpu, i| { let (a, b) = sources::<F>(cpu, i); min_max(a, b, true) };
    fcvt_f_w => |cpu, i| from_int((cpu.reg(i.rs1) as i32).into(), rounding(cpu, i)?);
    fcvt_f_wu => |cpu, i| from_int((cpu.reg(i.rs1) as u32).into(), rounding(cpu, i)?);
    fcvt_f_l => |cpu, i| from_int((cpu.reg(i.rs1) as i64).into(), rounding(cpu, i)?);
    fcvt_f_lu => |cpu, i| from_int(cpu.reg(i.rs1).into(), rounding(cpu, i)?);
}

/// `x[rd] = f[rs1]` converted to an integer in `lo..=hi`, then `$extend`ed to 64 bits.
macro_rules! to_int_op {
    ($($name:ident => $lo:expr, $hi:expr, |$v:ident| $extend:expr;)*) => {
        int_op! {$(
            $name => |cpu, i| {
                let (value, flags) = to_int(F::read(cpu, i.rs1).widen(), rounding(cpu, i)?, $lo, $hi);
                let $v = value;
                ($extend, flags)
            };
        )*}
    };
}

to_int_op! {
    fcvt_w_f => i32::MIN.into(), i32::MAX.into(), |v| v as i64 as u64;
    // The unsigned word result is sign-extended too.
    fcvt_wu_f => 0, u32::MAX.into(), |v| v as u32 as i32 as i64 as u64;
    fcvt_l_f => i64::MIN.into(), i64::MAX.into(), |v| v as i64 as u64;
    fcvt_lu_f => 0, u64::MAX.into(), |v| v as u64;
}

int_op! {
    // FEQ is a quiet comparison: only signalling NaNs are invalid.
    feq => |cpu, i| {
        let (a, b) = sources::<F>(cpu, i);
        ((a == b) as u64, if a.snan() || b.snan() { NV } else { 0 })
    };
    // FLT and FLE are signalling: any NaN is invalid.
    flt => |cpu, i| {
        let (a, b) = sources::<F>(cpu, i);
        ((a < b) as u64, if a.nan() || b.nan() { NV } else { 0 })
    };
    fle => |cpu, i| {
        let (a, b) = sources::<F>(cpu, i);
        ((a <= b) as u64, if a.nan() || b.nan() { NV } else { 0 })
    };
    fclass => |cpu, i| (classify(F::read(cpu, i.rs1)), 0);
}

/// FCVT between formats: `f[rd]` (format `T`) = `f[rs1]` (format `S`).
pub(crate) fn fcvt_between<T: Fp, S: Fp>(cpu: &mut Cpu, _: &mut Memory, i: &Insn) -> Result<(), Trap> {
    let (value, flags) = convert::<T, S>(S::read(cpu, i.rs1), rounding(cpu, i)?);
    T::write(cpu, i.rd, value);
    cpu.fcsr |= flags;
    Ok(())
}

/// Decodes the LOAD-FP, STORE-FP, fused multiply-add and OP-FP encodings, sending single precision
/// to `f.rs` and double precision to `d.rs`.
pub(crate) fn decode(w: Word) -> Option<Insn> {
    let double = match w.opcode() {
        0x07 | 0x27 => match w.funct3() {
            2 => false,
            3 => true,
            _ => return None,
        },
        _ => match (w.0 >> 25) & 3 {
            0 => false,
            1 => true,
            _ => return None,
        },
    };
    if double {
        d::decode(w)
    } else {
        f::decode(w)
    }
}

/// Decodes the fused multiply-add and OP-FP encodings both formats share, for format `F`.
pub(crate) fn decode_op<F: Fp>(w: Word) -> Option<Insn> {
    let (rd, rs1, rs2, rm) = (w.rd(), w.rs1(), w.rs2(), w.funct3());
    let rm_ok = valid_rm(rm);
    // `imm` carries the rounding mode (or, for instructions without one, the unused funct3).
    let float = |handler: Handler| Some(Insn::plain(handler, rd, rs1, rs2, rm as i32));
    let int = |handler: Handler| Some(Insn::int(handler, rd, rs1, rs2, rm as i32));
    let fused = |handler: Handler| float(handler).map(|insn| insn.with_rs3(w.rs3()));
    match w.opcode() {
        0x43 if rm_ok => fused(fmadd::<F>),
        0x47 if rm_ok => fused(fmsub::<F>),
        0x4b if rm_ok => fused(fnmsub::<F>),
        0x4f if rm_ok => fused(fnmadd::<F>),
        0x53 => match (w.funct7() >> 2, rs2, rm) {
            (0x00, _, _) if rm_ok => float(fadd::<F>),
            (0x01, _, _) if rm_ok => float(fsub::<F>),
            (0x02, _, _) if rm_ok => float(fmul::<F>),
            (0x03, _, _) if rm_ok => float(fdiv::<F>),
            (0x0b, 0, _) if rm_ok => float(fsqrt::<F>),
            (0x04, _, 0) => float(fsgnj::<F>),
            (0x04, _, 1) => float(fsgnjn::<F>),
            (0x04, _, 2) => float(fsgnjx::<F>),
            (0x05, _, 0) => float(fmin::<F>),
            (0x05, _, 1) => float(fmax::<F>),
            (0x14, _, 0) => int(fle::<F>),
            (0x14, _, 1) => int(flt::<F>),
            (0x14, _, 2) => int(feq::<F>),
            (0x1c, 0, 1) => int(fclass::<F>),
            (0x18, 0, _) if rm_ok => int(fcvt_w_f::<F>),
            (0x18, 1, _) if rm_ok => int(fcvt_wu_f::<F>),
            (0x18, 2, _) if rm_ok => int(fcvt_l_f::<F>),
            (0x18, 3, _) if rm_ok => int(fcvt_lu_f::<F>),
            (0x1a, 0, _) if rm_ok => float(fcvt_f_w::<F>),
            (0x1a, 1, _) if rm_ok => float(fcvt_f_wu::<F>),
            (0x1a, 2, _) if rm_ok => float(fcvt_f_l::<F>),
            (0x1a, 3, _) if rm_ok => float(fcvt_f_lu::<F>),
            _ => None,
        },
        _ => None,
    }
}
