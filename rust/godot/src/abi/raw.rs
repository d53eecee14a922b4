//! Reading a Godot Variant's type and payload directly from its memory, for the `vmcall` path
//! (every call into Godot costs a few nanoseconds; a call by name used to make a dozen).
//!
//! Godot's `Variant` is `{ Type type; /* padding */ union { ... } _data alignas(8); }`: the type
//! as a 32-bit enum at offset 0 and the payload at offset 8 (an `int64_t`, a `double`, a `bool`,
//! a `String`'s buffer pointer, a `StringName`'s data pointer...). The GDExtension interface
//! treats Variants as opaque, but this layout has been the same since Godot 4.0 and other
//! bindings (C#'s `godot_variant`) depend on it. We do not take it on trust: [`available`]
//! checks it once against Variants built through the interface, and if anything differs every
//! function here answers "unknown" and callers use the ordinary conversions instead.

use std::mem::MaybeUninit;
use std::sync::OnceLock;

use godot::prelude::*;
use godot::sys;

/// `Variant::Type` values (Godot's enum, also `sys::GDEXTENSION_VARIANT_TYPE_*`).
const NIL: u32 = sys::GDEXTENSION_VARIANT_TYPE_NIL as u32;
const BOOL: u32 = sys::GDEXTENSION_VARIANT_TYPE_BOOL as u32;
const INT: u32 = sys::GDEXTENSION_VARIANT_TYPE_INT as u32;
const FLOAT: u32 = sys::GDEXTENSION_VARIANT_TYPE_FLOAT as u32;
pub const STRING: u32 = sys::GDEXTENSION_VARIANT_TYPE_STRING as u32;
pub const STRING_NAME: u32 = sys::GDEXTENSION_VARIANT_TYPE_STRING_NAME as u32;

/// A Variant's value when it is one the call path handles without Godot.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scalar {
    Bool(bool),
    Int(i64),
    Float(f64),
}

/// Whether the layout checks passed (see the module docs); computed once.
pub fn available() -> bool {
    static CHECKED: OnceLock<bool> = OnceLock::new();
    *CHECKED.get_or_init(|| {
        let matches = layout_matches();
        if !matches {
            // Still correct, only slower; but on the Godot versions we support it means this
            // module needs a look, so debug builds (the tests) fail loudly.
            let message = "rvsandbox: Godot's Variant layout is not the expected one; vmcall uses slower conversions";
            if cfg!(debug_assertions) {
                godot_error!("{message}");
            } else {
                godot_warn!("{message}");
            }
        }
        matches
    })
}

/// `v` as a bool, int or float; `None` for any other type, or if the layout is not known.
#[inline]
pub fn scalar(v: &Variant) -> Option<Scalar> {
    if !available() {
        return None;
    }
    match type_of(v) {
        BOOL => Some(Scalar::Bool(payload_byte(v) != 0)),
        INT => Some(Scalar::Int(payload_word(v) as i64)),
        FLOAT => Some(Scalar::Float(f64::from_bits(payload_word(v)))),
        _ => None,
    }
}

/// A Variant holding `value`, built without calling into Godot; `None` if the layout is not
/// known.
#[inline]
pub fn make(value: Scalar) -> Option<Variant> {
    available().then(|| build(value))
}

/// Whether `v` holds nothing Godot must release (NIL, BOOL, INT or FLOAT), so it may be
/// overwritten without being dropped; `false` if the layout is not known.
#[inline]
pub fn is_trivial(v: &Variant) -> bool {
    available() && matches!(type_of(v), NIL | BOOL | INT | FLOAT)
}

/// The identity of a String or StringName Variant: its type and the pointer to its buffer
/// (String) or interned data (StringName). Two such Variants with the same identity hold the
/// same text while either is alive (the buffer is shared and copy-on-write, the data interned).
/// `None` for other types, an empty String (no buffer), or if the layout is not known.
#[inline]
pub fn text_identity(v: &Variant) -> Option<(u32, u64)> {
    if !available() {
        return None;
    }
    let ty = type_of(v);
    if ty != STRING && ty != STRING_NAME {
        return None;
    }
    let word = payload_word(v);
    (word != 0).then_some((ty, word))
}

/// The type field.
fn type_of(v: &Variant) -> u32 {
    // SAFETY: `Variant` is `repr(transparent)` over gdext's opaque, which is `repr(C, align(8))`
    // and as large as Godot's Variant (at least 24 bytes), so the first 4 bytes are in bounds
    // and aligned; they hold Godot's `type` field, which every Variant initialises.
    unsafe { std::ptr::from_ref(v).cast::<u32>().read() }
}

/// The first 8 payload bytes; only for types whose payload starts with an 8-byte field (INT,
/// FLOAT, STRING, STRING_NAME), which the constructor of such a Variant initialises.
fn payload_word(v: &Variant) -> u64 {
    // SAFETY: bytes 8..16 are in bounds and 8-aligned (as in `type_of`); callers read them only
    // for types whose payload initialises them.
    unsafe { std::ptr::from_ref(v).cast::<u64>().add(1).read() }
}

/// The first payload byte; for BOOL (`bool _bool`).
fn payload_byte(v: &Variant) -> u8 {
    // SAFETY: byte 8 is in bounds; a BOOL Variant initialises it.
    unsafe { std::ptr::from_ref(v).cast::<u8>().add(8).read() }
}

/// A BOOL, INT or FLOAT Variant laid out as Godot lays it out (zero elsewhere).
fn build(value: Scalar) -> Variant {
    let (ty, word) = match value {
        Scalar::Bool(b) => (BOOL, b as u64),
        Scalar::Int(i) => (INT, i as u64),
        Scalar::Float(f) => (FLOAT, f.to_bits()),
    };
    let mut v = MaybeUninit::<Variant>::zeroed();
    // SAFETY: `Variant` is `repr(transparent)` over gdext's opaque bytes, `repr(C, align(8))`
    // and at least 24 bytes, so offsets 0..4 and 8..16 are in bounds and aligned, and every
    // bit pattern is a valid Rust value of it. With Godot's layout (checked by `layout_matches`
    // before any caller gets here through `make`) the result is a valid Godot Variant of that
    // type (a little-endian 0/1 word puts the bool in byte 8), which owns no resources, so
    // dropping it later (Godot's destructor) is a no-op.
    unsafe {
        v.as_mut_ptr().cast::<u32>().write(ty);
        v.as_mut_ptr().cast::<u64>().add(1).write(word);
        v.assume_init()
    }
}

/// Compares what the raw reads see with Variants built through the GDExtension interface.
fn layout_matches() -> bool {
    if std::mem::size_of::<Variant>() < 24 || std::mem::align_of::<Variant>() < 8 {
        return false;
    }
    let int = 0x0123_4567_89ab_cdef_i64;
    let float = -1.5e300_f64;
    let checks = [
        type_of(&Variant::nil()) == sys::GDEXTENSION_VARIANT_TYPE_NIL as u32,
        type_of(&true.to_variant()) == BOOL && payload_byte(&true.to_variant()) == 1,
        type_of(&false.to_variant()) == BOOL && payload_byte(&false.to_variant()) == 0,
        type_of(&int.to_variant()) == INT && payload_word(&int.to_variant()) == int as u64,
        type_of(&(-7i64).to_variant()) == INT && payload_word(&(-7i64).to_variant()) == -7i64 as u64,
        type_of(&float.to_variant()) == FLOAT && payload_word(&float.to_variant()) == float.to_bits(),
        strings_match(),
        string_names_match(),
        built_match(),
    ];
    checks.iter().all(|&ok| ok)
}

/// Variants made by `build` are what Godot makes (compared through the interface).
fn built_match() -> bool {
    let int = build(Scalar::Int(-0x0123_4567_89ab_cdef));
    let float = build(Scalar::Float(0.1));
    let yes = build(Scalar::Bool(true));
    let no = build(Scalar::Bool(false));
    int.get_type() == VariantType::INT
        && int.try_to::<i64>().ok() == Some(-0x0123_4567_89ab_cdef)
        && int == (-0x0123_4567_89ab_cdef_i64).to_variant()
        && float.get_type() == VariantType::FLOAT
        && float.try_to::<f64>().ok() == Some(0.1)
        && float == 0.1.to_variant()
        && yes.get_type() == VariantType::BOOL
        && yes.try_to::<bool>().ok() == Some(true)
        && yes == true.to_variant()
        && no.try_to::<bool>().ok() == Some(false)
        && no == false.to_variant()
}

/// A String Variant's payload is its buffer pointer, shared by copies.
fn strings_match() -> bool {
    let text = GString::from("rvsandbox layout check");
    let a = text.to_variant();
    let b = a.clone();
    let other = GString::from("rvsandbox layout check 2").to_variant();
    type_of(&a) == STRING
        && payload_word(&a) == text.chars().as_ptr() as u64
        && payload_word(&b) == payload_word(&a)
        && type_of(&other) == STRING
        && payload_word(&other) != payload_word(&a)
}

/// A StringName Variant's payload is the same for equal names and differs for different ones.
fn string_names_match() -> bool {
    let a = StringName::from("rvsandbox_layout_check").to_variant();
    let b = StringName::from("rvsandbox_layout_check").to_variant();
    let other = StringName::from("rvsandbox_layout_check_2").to_variant();
    type_of(&a) == STRING_NAME
        && type_of(&other) == STRING_NAME
        && payload_word(&a) != 0
        && payload_word(&a) == payload_word(&b)
        && payload_word(&a) != payload_word(&other)
}
