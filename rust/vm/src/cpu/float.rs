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
//! the result one step where the instruction's rounding mode requires it, from an exact comparison of
//! the true result with the rounded one: TwoSum for additions, exact integer products for
//! multiplication, division, square root and conversions, and for fused multiply-adds the
//! Boldo-Muller error terms when the product is far from underflow, an exact multi-word sum
//! otherwise. The same comparison yields NX, UF (tininess detected after rounding, as RISC-V
//! specifies) and OF, so all rounding modes and all flags are honoured exactly; a differential run of
//! several million random and boundary operands against qemu-riscv64 matched in every result and flag.
//! This relies on the host's `f32`/`f64` arithmetic, `mul_add` and `sqrt` being correctly rounded
//! IEEE 754 operations (true of x86-64 SSE2 and AArch64, and of the libm `fma`/`fmaf` Rust calls).

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

/// The exact result of an operation, which [`finish`] compares with candidate results.
trait Exact<F: Fp> {
    /// Compares the exact result's magnitude with `x`.
    fn cmp(&self, x: Dyadic) -> Ordering;
    /// Compares the exact result's magnitude with `|r|` (`r` finite).
    fn dir(&self, r: F) -> Ordering {
        self.cmp(Dyadic::of(r))
    }
    /// Whether the exact result lies halfway between `|r|` and the next magnitude up.
    fn tie(&self, r: F) -> bool {
        self.cmp(Dyadic::mid(r)).is_eq()
    }
}

/// An exact magnitude (products, conversions).
impl<F: Fp> Exact<F> for Dyadic {
    fn cmp(&self, x: Dyadic) -> Ordering {
        Dyadic::cmp(*self, x)
    }
}

/// The exact quotient `|a| / |b|`.
struct Quotient(Dyadic, Dyadic);

impl<F: Fp> Exact<F> for Quotient {
    fn cmp(&self, x: Dyadic) -> Ordering {
        self.0.cmp(x.mul(self.1))
    }
}

/// The exact square root of `a`.
struct Root(Dyadic);

impl<F: Fp> Exact<F> for Root {
    fn cmp(&self, x: Dyadic) -> Ordering {
        self.0.cmp(x.mul(x))
    }
}

/// The exact sum of two signed terms, with `negative` its sign.
struct Sum<F> {
    terms: [(bool, Dyadic); 2],
    negative: bool,
    /// When known, `(e1, e2)` with `exact = r + e1 + e2` and `|e2|` at most half an ulp of `e1`: the
    /// fast answer to `dir` and `tie`.
    error: Option<(F, F)>,
}

impl<F: Fp> Exact<F> for Sum<F> {
    fn cmp(&self, x: Dyadic) -> Ordering {
        let [p, q] = self.terms;
        // |p + q| - x is (p + q) - x for a positive sum, -((p + q) + x) for a negative one.
        let sign = sum_sign(&[p, q, (!self.negative, x)]);
        if self.negative {
            sign.reverse()
        } else {
            sign
        }
    }
    fn dir(&self, r: F) -> Ordering {
        match self.error {
            Some((e1, _)) => error_direction(r, e1),
            None => self.cmp(Dyadic::of(r)),
        }
    }
    fn tie(&self, r: F) -> bool {
        match self.error {
            Some((e1, e2)) => e2.is_zero() && error_is_tie(r, e1),
            None => self.cmp(Dyadic::mid(r)).is_eq(),
        }
    }
}

/// The sign of `Σ ±m·2^e` over terms within the range of products of two doubles, exactly.
fn sum_sign(terms: &[(bool, Dyadic)]) -> Ordering {
    // Products of two doubles span 2^-2148 to 2^2050: 68 limbs hold any such sum of a few terms.
    const LIMBS: usize = 68;
    let Some(base) = terms.iter().filter(|t| t.1.m != 0).map(|t| t.1.e).min() else {
        return Ordering::Equal;
    };
    // Positive terms accumulate in `acc[0]`, negative ones in `acc[1]`.
    let mut acc = [[0u64; LIMBS]; 2];
    for &(negative, d) in terms.iter().filter(|t| t.1.m != 0) {
        let shift = (d.e - base) as usize;
        let (limb, bit) = (shift / 64, shift % 64);
        let low = d.m << bit;
        let high = if bit == 0 { 0 } else { (d.m >> (128 - bit)) as u64 };
        let limbs = &mut acc[negative as usize];
        let mut carry = false;
        for (k, word) in [low as u64, (low >> 64) as u64, high].into_iter().enumerate() {
            let (sum, c1) = limbs[limb + k].overflowing_add(word);
            let (sum, c2) = sum.overflowing_add(carry as u64);
            limbs[limb + k] = sum;
            carry = c1 || c2;
        }
        let mut k = limb + 3;
        while carry {
            let (sum, c) = limbs[k].overflowing_add(1);
            limbs[k] = sum;
            carry = c;
            k += 1;
        }
    }
    acc[0].iter().rev().cmp(acc[1].iter().rev())
}

/// Applies the rounding mode to `r`, the host's round-to-nearest-even result of an operation on
/// finite operands (infinite only by overflow) whose exact result is `exact` (not zero). Returns the
/// result and the NX/UF/OF flags.
#[inline]
fn finish<F: Fp>(r: F, rm: Rm, exact: &impl Exact<F>) -> (F, u32) {
    let overflow = r.infinite();
    // On overflow, start from the largest finite number of that sign; the exact result is above it.
    let (r, dir) = if overflow { (F::from_raw(r.to_raw() - 1), Ordering::Greater) } else { (r, exact.dir(r)) };
    if dir == Ordering::Equal {
        return (r, 0);
    }
    let (above, below) = (dir == Ordering::Greater, dir == Ordering::Less);
    // +1: the next magnitude up, -1: the next magnitude down (both by the bits, sign-magnitude).
    let step = match rm {
        // The host's result is already the nearest-even one.
        Rm::Rne => overflow as i64,
        Rm::Rtz => -(below as i64),
        Rm::Rdn if r.negative() => above as i64,
        Rm::Rdn => -(below as i64),
        Rm::Rup if r.negative() => -(below as i64),
        Rm::Rup => above as i64,
        Rm::Rmm => (above && (overflow || exact.tie(r))) as i64,
    };
    let out = F::from_raw(r.to_raw().wrapping_add_signed(step));
    let mut flags = NX;
    let magnitude = out.to_raw() & !F::SIGN;
    if out.infinite() {
        flags |= OF;
    } else if magnitude == F::INF - 1 && above {
        // The largest finite result overflowed if rounding without an exponent limit would have
        // gone past it, which needs the exact result at or above the next power of two.
        let top = Dyadic::of(out);
        if exact.cmp(Dyadic { m: top.m + 1, ..top }).is_ge() {
            flags |= OF;
        }
    }
    if magnitude < F::MIN_NORMAL || (magnitude == F::MIN_NORMAL && tiny_after_rounding(out, rm, exact)) {
        flags |= UF;
    }
    (out, flags)
}

/// For a result rounded to the smallest normal magnitude: whether the exact result, rounded with an
/// unbounded exponent range, would have been smaller (RISC-V detects tininess after rounding).
fn tiny_after_rounding<F: Fp>(out: F, rm: Rm, exact: &impl Exact<F>) -> bool {
    let min = Dyadic::of(out);
    if exact.cmp(min).is_ge() {
        return false;
    }
    // Just below the smallest normal, an unbounded exponent gives twice the precision of subnormals.
    let below = Dyadic { m: 2 * min.m - 1, e: min.e - 1 };
    let midway = Dyadic { m: 4 * min.m - 1, e: min.e - 2 };
    match rm {
        Rm::Rne | Rm::Rmm => exact.cmp(midway).is_lt(),
        Rm::Rtz => true,
        Rm::Rdn => !out.negative() || exact.cmp(below).is_le(),
        Rm::Rup => out.negative() || exact.cmp(below).is_le(),
    }
}

/// Whether `r` is a finite result far enough above the subnormal range that the error terms of
/// the operation that produced it are exactly representable, and it cannot have underflowed.
fn well_inside_range<F: Fp>(r: F) -> bool {
    let magnitude = r.to_raw() & !F::SIGN;
    magnitude >= (F::FRACTION as u64 + 4) << F::FRACTION && magnitude < F::INF
}

/// The result of the common case: round-to-nearest-even (the host's own rounding) and a result
/// well inside the range, where the only flag is NX, raised when the error term is not zero.
/// `None` sends the operation down the exact path.
#[inline(always)]
fn nearest_even_fast<F: Fp>(r: F, rm: Rm, error: impl FnOnce() -> F) -> Option<(F, u32)> {
    (rm == Rm::Rne && well_inside_range(r)).then(|| (r, if error().is_zero() { 0 } else { NX }))
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

/// The sign of an exact zero sum `x + y` (both zeros, or cancelling values of opposite signs): in mode
/// RDN negative unless both are positive, otherwise negative only if both are negative.
fn zero_sum<F: Fp>(x_negative: bool, y: F, rm: Rm) -> F {
    let negative = if rm == Rm::Rdn { x_negative || y.negative() } else { x_negative && y.negative() };
    F::from_raw(if negative { F::SIGN } else { 0 })
}

/// A value as a signed exact term.
fn term<F: Fp>(x: F) -> (bool, Dyadic) {
    (x.negative(), Dyadic::of(x))
}

pub(crate) fn add<F: Fp>(a: F, b: F, rm: Rm) -> (F, u32) {
    let r = a + b;
    if let Some(fast) = nearest_even_fast(r, rm, || two_sum(a, b).1) {
        return fast;
    }
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
    let exact = Sum { terms: [term(a), term(b)], negative: r.negative(), error: Some((err, F::from_raw(0))) };
    finish(r, rm, &exact)
}

pub(crate) fn mul<F: Fp>(a: F, b: F, rm: Rm) -> (F, u32) {
    let r = a * b;
    // a*b - r is exact (a fused multiply-add) when r is well inside the range.
    if let Some(fast) = nearest_even_fast(r, rm, || a.fma(b, -r)) {
        return fast;
    }
    if r.nan() {
        return nan_result(a.snan() || b.snan() || !(a.nan() || b.nan()));
    }
    if a.infinite() || b.infinite() || a.is_zero() || b.is_zero() {
        return (r, 0);
    }
    finish(r, rm, &Dyadic::of(a).mul(Dyadic::of(b)))
}

pub(crate) fn div<F: Fp>(a: F, b: F, rm: Rm) -> (F, u32) {
    let r = a / b;
    // The remainder a - r*b is exact when the quotient and the dividend are well inside the range.
    if well_inside_range(a) && well_inside_range(b) {
        if let Some(fast) = nearest_even_fast(r, rm, || (-r).fma(b, a)) {
            return fast;
        }
    }
    if r.nan() {
        return nan_result(a.snan() || b.snan() || !(a.nan() || b.nan()));
    }
    if b.is_zero() && !a.infinite() {
        return (r, DZ);
    }
    if a.infinite() || b.infinite() || a.is_zero() {
        return (r, 0);
    }
    finish(r, rm, &Quotient(Dyadic::of(a), Dyadic::of(b)))
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
    // r*r - a is exact when the operand is well inside the range.
    if well_inside_range(a) {
        if let Some(fast) = nearest_even_fast(r, rm, || r.fma(r, -a)) {
            return fast;
        }
    }
    finish(r, rm, &Root(Dyadic::of(a)))
}

/// The error of `r = fma(a, b, c)` as two terms: `a*b + c = r + r2 + r3` exactly, with `|r3|` at
/// most half an ulp of `r2` (Boldo-Muller), provided the product's error is representable (the
/// product is far from underflow) and nothing overflows; `None` otherwise.
fn fma_error<F: Fp>(a: F, b: F, c: F, r: F) -> Option<(F, F)> {
    let u1 = a * b;
    if !well_inside_range(u1) || r.abs().to_raw() < F::MIN_NORMAL || !r.finite() {
        return None;
    }
    let u2 = a.fma(b, -u1);
    let (alpha1, alpha2) = two_sum(c, u2);
    let (beta1, beta2) = two_sum(u1, alpha1);
    let gamma = (beta1 - r) + beta2;
    let (r2, r3) = two_sum(gamma, alpha2);
    (r2.finite() && r3.finite()).then_some((r2, r3))
}

/// Whether the product of two finite values has no more significant bits than the format holds
/// (so it is exact unless it leaves the exponent range). Conservative for subnormals.
fn product_fits<F: Fp>(a: F, b: F) -> bool {
    let significant = |x: F| {
        let fraction = x.to_raw() & (F::MIN_NORMAL - 1);
        F::FRACTION + 1 - (fraction | F::MIN_NORMAL).trailing_zeros()
    };
    significant(a) + significant(b) <= F::FRACTION + 1
}

/// `a * b + c` with one rounding (the other fused forms negate operands first).
pub(crate) fn fma<F: Fp>(a: F, b: F, c: F, rm: Rm) -> (F, u32) {
    // A product that is exact (small integers, powers of two...) needs no fused operation: the
    // result is the rounded sum, and TwoSum tells whether that rounding was exact.
    if rm == Rm::Rne && product_fits(a, b) {
        let product = a * b;
        let r = product + c;
        if well_inside_range(product) && well_inside_range(r) {
            return (r, if two_sum(product, c).1.is_zero() { 0 } else { NX });
        }
    }
    let r = a.fma(b, c);
    // Exact exactly when the error's leading term is zero (the trailing one is smaller than it).
    if rm == Rm::Rne && well_inside_range(r) {
        if let Some((r2, _)) = fma_error(a, b, c, r) {
            return (r, if r2.is_zero() { 0 } else { NX });
        }
    }
    if r.nan() {
        // Infinity times zero is invalid even when the addend is a quiet NaN.
        let inf_zero = (a.infinite() && b.is_zero()) || (a.is_zero() && b.infinite());
        return nan_result(a.snan() || b.snan() || c.snan() || inf_zero || !(a.nan() || b.nan() || c.nan()));
    }
    if a.infinite() || b.infinite() || c.infinite() {
        return (r, 0);
    }
    let product_negative = a.negative() != b.negative();
    if a.is_zero() || b.is_zero() {
        // The product is an exact zero; the sum is `c`, or a zero whose sign follows the sum rule.
        return if c.is_zero() { (zero_sum(product_negative, c, rm), 0) } else { (r, 0) };
    }
    if c.is_zero() {
        return mul(a, b, rm);
    }
    let terms = [(product_negative, Dyadic::of(a).mul(Dyadic::of(b))), term(c)];
    let error = fma_error(a, b, c, r);
    if r.is_zero() && sum_sign(&terms).is_eq() {
        // The product and the addend cancel exactly.
        return (zero_sum(product_negative, c, rm), 0);
    }
    finish(r, rm, &Sum { terms, negative: r.negative(), error })
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
    // Integers with no more significant bits than the format holds convert exactly.
    if v.unsigned_abs() <= 1 << (F::FRACTION + 1) {
        return (r, 0);
    }
    let exact = Dyadic { m: v.unsigned_abs(), e: 0 };
    finish(r, rm, &exact)
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
    finish(r, rm, &Dyadic::of(x))
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
    fcvt_f_w => |cpu, i| from_int((cpu.operand(i.rs1) as i32).into(), rounding(cpu, i)?);
    fcvt_f_wu => |cpu, i| from_int((cpu.operand(i.rs1) as u32).into(), rounding(cpu, i)?);
    fcvt_f_l => |cpu, i| from_int((cpu.operand(i.rs1) as i64).into(), rounding(cpu, i)?);
    fcvt_f_lu => |cpu, i| from_int(cpu.operand(i.rs1).into(), rounding(cpu, i)?);
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::cpu::decode::decode;

    /// Decodes `raw` with the top-level decoder and runs it on `cpu` with a small memory.
    pub(crate) fn exec(cpu: &mut Cpu, raw: u32) -> Result<(), Trap> {
        let insn = decode(raw, 0);
        let mut mem = Memory::new(256);
        (insn.handler)(cpu, &mut mem, &insn)
    }

    /// An OP-FP encoding with destination 10 and sources 11, 12 (fa0/a0, fa1/a1, fa2).
    pub(crate) fn op_fp(funct7: u32, rs2: u32, rm: u32) -> u32 {
        (funct7 << 25) | (rs2 << 20) | (11 << 15) | (rm << 12) | (10 << 7) | 0x53
    }

    const DYN: u32 = 7;
    const NAN64: u64 = 0x7ff8_0000_0000_0000;

    fn fcvt_l_d(x: f64, rm: u32) -> (u64, u32) {
        let mut cpu = Cpu::default();
        cpu.set_freg(11, x.to_bits());
        exec(&mut cpu, op_fp(0x61, 2, rm)).unwrap();
        (cpu.reg(10), cpu.fcsr)
    }

    #[test]
    fn fused_multiply_add_with_an_exact_product_sets_nx_only_when_the_sum_rounds() {
        let rne = Rm::Rne;
        // 3 * 0.5 + 1 = 2.5 exactly.
        assert_eq!(fma(3.0f64, 0.5, 1.0, rne), (2.5, 0));
        // 1 * 1 + 2^-60: the sum rounds to 1.
        let tiny = f64::from_bits((1023 - 60) << 52);
        assert_eq!(fma(1.0f64, 1.0, tiny, rne), (1.0, NX));
        // The same values through the general path agree.
        let inexact_product = fma(1.0f64 + f64::EPSILON, 1.0 + f64::EPSILON, 0.0, rne);
        assert_eq!(inexact_product.1, NX);
        // Integers beyond the significand do not take the exact shortcut in conversions.
        assert_eq!(from_int::<f64>((1 << 53) + 1, rne).1, NX);
        assert_eq!(from_int::<f64>(1 << 53, rne), (9007199254740992.0, 0));
    }

    #[test]
    fn float_to_int_rounds_per_mode_and_saturates() {
        // fcvt.l.d a0, fa0, rmm as the assembler encodes it.
        assert_eq!(op_fp(0x61, 2, 4), 0xc225_c553);
        let m1 = |v: i64| v as u64;
        for (x, expect) in [
            (-1.5, [m1(-2), m1(-1), m1(-2), m1(-1), m1(-2)]),
            (2.5, [2, 2, 2, 3, 3]),
            (-2.5, [m1(-2), m1(-2), m1(-3), m1(-2), m1(-3)]),
            (0.5, [0, 0, 0, 1, 1]),
        ] {
            for (rm, want) in expect.into_iter().enumerate() {
                assert_eq!(fcvt_l_d(x, rm as u32), (want, NX), "{x} rm {rm}");
            }
        }
        assert_eq!(fcvt_l_d(f64::NAN, 0), (i64::MAX as u64, NV));
        assert_eq!(fcvt_l_d(f64::INFINITY, 1), (i64::MAX as u64, NV));
        assert_eq!(fcvt_l_d(f64::NEG_INFINITY, 1), (i64::MIN as u64, NV));
        assert_eq!(fcvt_l_d(2f64.powi(63), 0), (i64::MAX as u64, NV));
        assert_eq!(fcvt_l_d(-2f64.powi(63), 0), (i64::MIN as u64, 0));
        assert_eq!(fcvt_l_d(-0.0, 0), (0, 0));
        // Unsigned: negative values round first, then saturate to 0.
        let lu = |x: f64, rm: Rm| to_int(x, rm, 0, u64::MAX.into());
        assert_eq!(lu(-0.5, Rm::Rtz), (0, NX));
        assert_eq!(lu(-0.5, Rm::Rdn), (0, NV));
        assert_eq!(lu(-1.5, Rm::Rup), (0, NV));
        assert_eq!(lu(2f64.powi(64), Rm::Rne), (u64::MAX.into(), NV)); // 2^64
        assert_eq!(lu(f64::NAN, Rm::Rne), (u64::MAX.into(), NV));
        // Word results: NaN saturates to the largest positive value; wu is sign-extended.
        let mut cpu = Cpu::default();
        cpu.set_freg(11, NAN64);
        exec(&mut cpu, op_fp(0x61, 0, 1)).unwrap(); // fcvt.w.d
        assert_eq!(cpu.reg(10), 0x7fff_ffff);
        exec(&mut cpu, op_fp(0x61, 1, 1)).unwrap(); // fcvt.wu.d
        assert_eq!(cpu.reg(10), u64::MAX);
        cpu.set_freg(11, 2147483648.0f64.to_bits());
        exec(&mut cpu, op_fp(0x61, 0, 1)).unwrap();
        assert_eq!(cpu.reg(10), 0x7fff_ffff);
        cpu.set_freg(11, 4294967295.0f64.to_bits());
        exec(&mut cpu, op_fp(0x61, 1, 1)).unwrap();
        assert_eq!(cpu.reg(10), u64::MAX);
    }

    #[test]
    fn int_to_float_rounds_per_mode() {
        let two64 = 0x43f0_0000_0000_0000;
        let below = 0x43ef_ffff_ffff_ffff;
        for (rm, want) in [two64, below, below, two64, two64].into_iter().enumerate() {
            let mut cpu = Cpu::default();
            cpu.set_reg(11, u64::MAX);
            exec(&mut cpu, op_fp(0x69, 3, rm as u32)).unwrap(); // fcvt.d.lu
            assert_eq!((cpu.freg(10), cpu.fcsr), (want, NX), "rm {rm}");
        }
        // 2^53 + 1 is halfway between 2^53 and 2^53 + 2.
        let tie = (1i128 << 53) + 1;
        let results: Vec<f64> =
            [Rm::Rne, Rm::Rtz, Rm::Rdn, Rm::Rup, Rm::Rmm].into_iter().map(|rm| from_int::<f64>(tie, rm).0).collect();
        let (lo, hi) = (9007199254740992.0, 9007199254740994.0);
        assert_eq!(results, [lo, lo, lo, hi, hi]);
        assert_eq!(from_int::<f64>(-tie, Rm::Rdn).0, -hi);
        assert_eq!(from_int::<f64>(i64::MIN.into(), Rm::Rup), (-2f64.powi(63), 0));
        assert_eq!(from_int::<f32>(16777217, Rm::Rup), (16777218.0, NX));
        assert_eq!(from_int::<f32>(-16777217, Rm::Rtz), (-16777216.0, NX));
        assert_eq!(from_int::<f32>(0, Rm::Rdn).0.to_bits(), 0);
    }

    #[test]
    fn arithmetic_honours_rounding_modes() {
        let tiny = 2f64.powi(-60);
        let next = f64::from_bits(1f64.to_bits() + 1);
        assert_eq!(add(1.0, tiny, Rm::Rne), (1.0, NX));
        assert_eq!(add(1.0, tiny, Rm::Rup), (next, NX));
        assert_eq!(add(-1.0, -tiny, Rm::Rdn), (-next, NX));
        assert_eq!(add(-1.0, -tiny, Rm::Rtz), (-1.0, NX));
        // Exact cancellation: +0, except -0 when rounding down.
        assert_eq!(add(1.5f64, -1.5, Rm::Rne).0.to_bits(), 0);
        assert_eq!(add(1.5f64, -1.5, Rm::Rdn).0.to_bits(), 1 << 63);
        assert_eq!(add(-0.0f64, -0.0, Rm::Rne).0.to_bits(), 1 << 63);
        assert_eq!(add(0.0f64, 0.0, Rm::Rdn).0.to_bits(), 0);
        // 1/3 in single precision: nearest is the upper neighbour (0x3eaaaaab).
        let third = div(1.0f32, 3.0, Rm::Rne).0;
        assert_eq!(third.to_bits(), 0x3eaa_aaab);
        assert_eq!(div(1.0f32, 3.0, Rm::Rup), (third, NX));
        assert_eq!(div(1.0f32, 3.0, Rm::Rmm), (third, NX));
        assert_eq!(div(1.0f32, 3.0, Rm::Rtz), (f32::from_bits(0x3eaa_aaaa), NX));
        assert_eq!(div(-1.0f32, 3.0, Rm::Rup), (f32::from_bits(0xbeaa_aaaa), NX));
        assert_eq!(div(1.0, 0.0, Rm::Rne), (f64::INFINITY, DZ));
        assert_eq!(div(-1.0, 0.0, Rm::Rne), (f64::NEG_INFINITY, DZ));
        assert_eq!(div(6.0, 3.0, Rm::Rup), (2.0, 0));
        let root2 = sqrt(2.0f64, Rm::Rdn).0;
        assert_eq!(sqrt(2.0f64, Rm::Rup), (f64::from_bits(root2.to_bits() + 1), NX));
        assert_eq!(sqrt(-0.0f64, Rm::Rne).0.to_bits(), 1 << 63);
        let (r, flags) = sqrt(-1.0f64, Rm::Rne);
        assert_eq!((r.to_bits(), flags), (NAN64, NV));
        // Overflow: to infinity or the largest finite number depending on the mode.
        assert_eq!(mul(f64::MAX, 2.0, Rm::Rne), (f64::INFINITY, OF | NX));
        assert_eq!(mul(f64::MAX, 2.0, Rm::Rtz), (f64::MAX, OF | NX));
        assert_eq!(mul(f64::MAX, -2.0, Rm::Rup), (-f64::MAX, OF | NX));
        assert_eq!(mul(f64::MAX, -2.0, Rm::Rdn), (f64::NEG_INFINITY, OF | NX));
        // Underflow of an inexact tiny result.
        let (r, flags) = mul(f64::from_bits(1), 0.5, Rm::Rup);
        assert_eq!((r.to_bits(), flags), (1, UF | NX));
        assert_eq!(mul(f64::from_bits(1), 0.5, Rm::Rne).0.to_bits(), 0);
    }

    #[test]
    fn fused_multiply_add_family() {
        let run = |funct: u32, a: f64, b: f64, c: f64| {
            let mut cpu = Cpu::default();
            for (r, v) in [(11, a), (12, b), (13, c)] {
                cpu.set_freg(r, v.to_bits());
            }
            // fmadd.d / fmsub.d / fnmsub.d / fnmadd.d fa0, fa1, fa2, fa3, dyn
            let raw = (13 << 27) | (1 << 25) | (12 << 20) | (11 << 15) | (DYN << 12) | (10 << 7) | funct;
            exec(&mut cpu, raw).unwrap();
            (f64::from_bits(cpu.freg(10)), cpu.fcsr)
        };
        assert_eq!(run(0x43, 2.0, 3.0, 1.0), (7.0, 0));
        assert_eq!(run(0x47, 2.0, 3.0, 1.0), (5.0, 0));
        assert_eq!(run(0x4b, 2.0, 3.0, 1.0), (-5.0, 0));
        assert_eq!(run(0x4f, 2.0, 3.0, 1.0), (-7.0, 0));
        // Fused: (1 + 2^-30)(1 - 2^-30) - 1 = -2^-60 exactly, where a separate multiply gives 0.
        let e = 2f64.powi(-30);
        assert_eq!(run(0x43, 1.0 + e, 1.0 - e, -1.0), (-2f64.powi(-60), 0));
        // Infinity times zero is invalid even with a quiet NaN addend.
        let (r, flags) = run(0x43, f64::INFINITY, 0.0, f64::NAN);
        assert_eq!((r.to_bits(), flags), (NAN64, NV));
        let (r, flags) = run(0x43, 1.0, 2.0, f64::NAN);
        assert_eq!((r.to_bits(), flags), (NAN64, 0));
        // A product far below the addend still rounds per mode.
        let tiny = f64::from_bits(1);
        assert_eq!(fma(tiny, tiny, 1.0, Rm::Rup), (f64::from_bits(1f64.to_bits() + 1), NX));
        assert_eq!(fma(tiny, -tiny, 1.0, Rm::Rtz), (f64::from_bits(1f64.to_bits() - 1), NX));
        assert_eq!(fma(tiny, tiny, 1.0, Rm::Rne), (1.0, NX));
        // Exact cancellation of product and addend.
        assert_eq!(fma(2.0f64, 3.0, -6.0, Rm::Rdn).0.to_bits(), 1 << 63);
        assert_eq!(fma(2.0f64, 3.0, -6.0, Rm::Rne).0.to_bits(), 0);
    }

    #[test]
    fn min_max_nan_and_signed_zero() {
        let snan = f64::from_bits(0x7ff4_0000_0000_0001);
        assert_eq!(min_max(f64::NAN, 1.0, false), (1.0, 0));
        assert_eq!(min_max(1.0, f64::NAN, true), (1.0, 0));
        assert_eq!(min_max(snan, 1.0, true), (1.0, NV));
        let (r, flags) = min_max(f64::NAN, snan, false);
        assert_eq!((r.to_bits(), flags), (NAN64, NV));
        assert_eq!(min_max(-0.0f64, 0.0, false).0.to_bits(), 1 << 63);
        assert_eq!(min_max(0.0f64, -0.0, false).0.to_bits(), 1 << 63);
        assert_eq!(min_max(-0.0f64, 0.0, true).0.to_bits(), 0);
        assert_eq!(min_max(0.0f64, -0.0, true).0.to_bits(), 0);
        assert_eq!(min_max(-3.0f32, 2.0, false), (-3.0, 0));
    }

    #[test]
    fn comparisons_signal_per_kind() {
        let run = |rm: u32, a: f64, b: f64| {
            let mut cpu = Cpu::default();
            cpu.set_freg(11, a.to_bits());
            cpu.set_freg(12, b.to_bits());
            exec(&mut cpu, op_fp(0x51, 12, rm)).unwrap();
            (cpu.reg(10), cpu.fcsr)
        };
        let snan = f64::from_bits(0x7ff0_0000_0000_0001);
        assert_eq!(run(2, f64::NAN, 1.0), (0, 0)); // feq: quiet
        assert_eq!(run(2, snan, 1.0), (0, NV));
        assert_eq!(run(2, -0.0, 0.0), (1, 0));
        assert_eq!(run(1, f64::NAN, 1.0), (0, NV)); // flt: signalling
        assert_eq!(run(0, 1.0, f64::NAN), (0, NV)); // fle
        assert_eq!(run(1, -0.0, 0.0), (0, 0));
        assert_eq!(run(0, -0.0, 0.0), (1, 0));
        assert_eq!(run(1, 1.0, 2.0), (1, 0));
    }

    #[test]
    fn fclass_bits() {
        let cases: [(u64, u64); 10] = [
            (0xfff0_0000_0000_0000, 1 << 0),
            (0xbff0_0000_0000_0000, 1 << 1),
            (0x8000_0000_0000_0001, 1 << 2),
            (0x8000_0000_0000_0000, 1 << 3),
            (0, 1 << 4),
            (0x000f_ffff_ffff_ffff, 1 << 5),
            (0x0010_0000_0000_0000, 1 << 6),
            (0x7ff0_0000_0000_0000, 1 << 7),
            (0x7ff0_0000_0000_0001, 1 << 8),
            (0xfff8_0000_0000_0000, 1 << 9),
        ];
        for (bits, class) in cases {
            let mut cpu = Cpu::default();
            cpu.set_freg(11, bits);
            exec(&mut cpu, op_fp(0x71, 0, 1)).unwrap(); // fclass.d
            assert_eq!(cpu.reg(10), class, "{bits:#x}");
        }
        assert_eq!(classify(f32::from_bits(0x7fa0_0000)), 1 << 8);
        assert_eq!(classify(f32::from_bits(0x0000_0001)), 1 << 5);
    }

    #[test]
    fn arithmetic_nans_are_canonical() {
        let payload = f64::from_bits(0xfff8_dead_beef_0000);
        assert_eq!(add(payload, 1.0, Rm::Rne).0.to_bits(), NAN64);
        let (r, flags) = add(f64::INFINITY, f64::NEG_INFINITY, Rm::Rne);
        assert_eq!((r.to_bits(), flags), (NAN64, NV));
        let (r, flags) = mul(0.0f32, f32::INFINITY, Rm::Rne);
        assert_eq!((r.to_bits(), flags), (0x7fc0_0000, NV));
        let (r, flags) = div(0.0f64, 0.0, Rm::Rne);
        assert_eq!((r.to_bits(), flags), (NAN64, NV));
        let (r, flags) = convert::<f32, f64>(payload, Rm::Rne);
        assert_eq!((r.to_bits(), flags), (0x7fc0_0000, 0));
        let (r, flags) = convert::<f64, f32>(f32::from_bits(0xff80_0001), Rm::Rne);
        assert_eq!((r.to_bits(), flags), (NAN64, NV));
    }

    #[test]
    fn narrowing_conversion_rounds_and_overflows() {
        assert_eq!(convert::<f32, f64>(1e300, Rm::Rne), (f32::INFINITY, OF | NX));
        assert_eq!(convert::<f32, f64>(1e300, Rm::Rtz), (f32::MAX, OF | NX));
        assert_eq!(convert::<f32, f64>(-1e300, Rm::Rup), (-f32::MAX, OF | NX));
        let third = 1.0f64 / 3.0;
        let down = convert::<f32, f64>(third, Rm::Rdn).0;
        assert_eq!(convert::<f32, f64>(third, Rm::Rup), (f32::from_bits(down.to_bits() + 1), NX));
        assert_eq!(convert::<f64, f32>(0.1f32, Rm::Rup), (0.1f32 as f64, 0));
    }

    #[test]
    fn rounding_mode_resolution() {
        let mut cpu = Cpu::default();
        cpu.set_freg(11, 1.0f64.to_bits());
        cpu.set_freg(12, 3.0f64.to_bits());
        let fdiv_dyn = op_fp(0x0d, 12, DYN);
        cpu.fcsr = 3 << 5; // frm = RUP
        exec(&mut cpu, fdiv_dyn).unwrap();
        let up = cpu.freg(10);
        cpu.fcsr = 2 << 5; // frm = RDN
        exec(&mut cpu, fdiv_dyn).unwrap();
        assert_eq!(cpu.freg(10) + 1, up);
        for frm in 5..8 {
            cpu.fcsr = frm << 5;
            assert_eq!(exec(&mut cpu, fdiv_dyn), Err(Trap::IllegalInstruction(fdiv_dyn)));
        }
        // Reserved static modes do not decode.
        for rm in [5, 6] {
            assert!(decode_op::<f64>(Word(op_fp(0x0d, 12, rm))).is_none());
            assert_eq!(exec(&mut cpu, op_fp(0x0d, 12, rm)), Err(Trap::IllegalInstruction(op_fp(0x0d, 12, rm))));
        }
        // Formats other than S and D are not implemented.
        assert_eq!(exec(&mut cpu, op_fp(0x02, 12, 0)), Err(Trap::IllegalInstruction(op_fp(0x02, 12, 0))));
        assert!(super::decode(Word(op_fp(0x02, 12, 0))).is_none());
    }

    #[test]
    fn exact_sum_sign() {
        let d = |m: u128, e: i32| Dyadic { m, e };
        assert_eq!(sum_sign(&[(false, d(1, 2000)), (true, d(1, -2140))]), Ordering::Greater);
        assert_eq!(sum_sign(&[(false, d(1, 2000)), (true, d(1, 2000)), (true, d(1, -2140))]), Ordering::Less);
        assert_eq!(sum_sign(&[(false, d(3, 0)), (true, d(1, 1)), (true, d(1, 0))]), Ordering::Equal);
        assert_eq!(sum_sign(&[(false, d(u128::MAX >> 20, 5)), (true, d(u128::MAX >> 21, 6))]), Ordering::Greater);
    }
}
