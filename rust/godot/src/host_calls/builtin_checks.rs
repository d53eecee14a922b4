//! Checks on what a guest asks of Godot's builtin methods (VCALL on a String, Array,
//! Dictionary, packed array...), made before Godot runs the method: afterwards is too late for
//! a result that exhausts the host's memory, or for a method that reaches past the
//! restrictions.

use godot::prelude::*;

use super::{check_orderable, check_traversable, integer_of, length, HostResult, MAX_ELEMENTS};
use crate::runtime::Vm;

/// Refuses `method` on `target` with `args` if it would build more than [`MAX_ELEMENTS`]
/// elements or characters, or reach past the restrictions.
pub fn check_builtin_call(target: &Variant, method: &str, args: &[Variant]) -> Result<(), String> {
    check_sizing_arguments(target, method, args)?;
    check_multiplied_text(target, method, args)?;
    check_reach(method, args)
}

/// Builtin methods whose integer arguments set the size of what they build (`"ab".repeat(n)`,
/// `array.resize(n)`, ...): checked before the call, since building it is what would exhaust
/// the host.
const SIZING_METHODS: &[&str] =
    &["repeat", "rpad", "lpad", "resize", "pad_decimals", "pad_zeros", "decompress", "decompress_dynamic"];

/// Refuses a builtin method of an Array or Dictionary that would go through more than
/// [`MAX_ELEMENTS`] elements of nested containers (see `printing.rs`): what it compares,
/// hashes, sorts or copies deeply. Only the operands it goes through are walked: a Dictionary
/// hashes the key it is given, not its own contents, so `has` stays cheap.
pub fn check_deep_operation(m: &mut Vm, target: &Variant, method: &str, args: &[Variant]) -> HostResult {
    let flag = |at: usize| args.get(at).is_some_and(Variant::booleanize);
    let first = args.get(..1).unwrap_or_default();
    let (whole_target, operands) = match (target.get_type(), method) {
        // Ordering has limits of its own (see `printing.rs`).
        (VariantType::ARRAY, "sort" | "max" | "min" | "bsearch") | (VariantType::DICTIONARY, "sort") => {
            let mut values = args.to_vec();
            values.push(target.clone());
            return check_orderable(m, &values);
        }
        (VariantType::ARRAY, "has" | "find" | "rfind" | "count" | "erase") => (true, first),
        (VariantType::ARRAY, "hash" | "duplicate_deep" | "recursive_equal") => (true, args),
        (VariantType::ARRAY | VariantType::DICTIONARY, "duplicate") => (flag(0), &[][..]),
        (VariantType::ARRAY, "slice") => (flag(3), &[][..]),
        (VariantType::DICTIONARY, "get" | "get_or_add" | "set" | "has" | "erase") => (false, first),
        (VariantType::DICTIONARY, "has_all") => (false, args),
        (VariantType::DICTIONARY, "find_key" | "hash" | "duplicate_deep" | "recursive_equal" | "merge" | "merged") => {
            (true, args)
        }
        _ => return Ok(()),
    };
    let mut values = operands.to_vec();
    if whole_target {
        values.push(target.clone());
    }
    check_traversable(m, &values)
}

/// Refuses a sizing method whose result would exceed [`MAX_ELEMENTS`] (or be unbounded).
fn check_sizing_arguments(target: &Variant, method: &str, args: &[Variant]) -> Result<(), String> {
    if !SIZING_METHODS.contains(&method) {
        return Ok(());
    }
    // `repeat` multiplies the current length; the others take a size directly (negative
    // sizes mean "unbounded" for decompress_dynamic).
    // (Read without `Variant::call`, which panics where the method does not exist.)
    let base = if method == "repeat" { length(target).unwrap_or(0) } else { 1 }.max(1) as i64;
    for arg in args {
        if let Some(n) = integer_of(arg) {
            if n < 0 || n.saturating_mul(base) as u64 > MAX_ELEMENTS {
                return Err(format!("{method}({n}) would build more than {MAX_ELEMENTS} elements"));
            }
        }
    }
    Ok(())
}

/// Refuses the builtin methods that reach past the restrictions from inside Godot:
/// - `PackedByteArray.decode_var`/`decode_var_size` with `allow_objects` instantiate any class
///   and set any property (a script's source code, for one) from bytes the guest wrote;
/// - `encode_var` with `allow_objects` writes out every property of an Object;
/// - `make_read_only` on a container that may be the game's;
/// - `Array`/`Dictionary.duplicate_deep`, but in mode 0 (`DEEP_DUPLICATE_NONE`), makes new
///   instances of the Resources inside, running their scripts.
fn check_reach(method: &str, args: &[Variant]) -> Result<(), String> {
    let flag = |at: usize| args.get(at).is_some_and(Variant::booleanize);
    let why = match method {
        "decode_var" | "decode_var_size" if flag(1) => "with allow_objects would create objects",
        "encode_var" if flag(2) => "with allow_objects would write out an Object's properties",
        // A container the game handed over is the game's: read-only, every write of the
        // game's own would log an error.
        "make_read_only" => "would make the game's own data read-only",
        "duplicate_deep" if args.first().and_then(integer_of) != Some(0) => {
            "copies the Resources inside, running their scripts (only mode 0, DEEP_DUPLICATE_NONE, is allowed)"
        }
        _ => return Ok(()),
    };
    Err(format!("{method} {why}"))
}

/// Refuses a String method whose result multiplies what it is given past [`MAX_ELEMENTS`]
/// characters: `replace` (each match by the replacement: 8,000 characters, each replaced by
/// 8,000, give 64 million), `join` (the separator between every element; its parts must be a
/// PackedStringArray, as an Array would be converted by printing its elements), `indent`
/// (the prefix on every line), and the escapes, which may turn each character into several. `format` and `%` are checked where the
/// values' text is estimated (`printing.rs`).
fn check_multiplied_text(target: &Variant, method: &str, args: &[Variant]) -> Result<(), String> {
    if !matches!(target.get_type(), VariantType::STRING | VariantType::STRING_NAME) {
        return Ok(());
    }
    let text = length(target).unwrap_or(0);
    let length_of = |at: usize| args.get(at).and_then(length).unwrap_or(0);
    let bound = match method {
        "replace" | "replacen" => {
            let matches = text / length_of(0).max(1);
            text.saturating_add(matches.saturating_mul(length_of(1)))
        }
        "indent" => text.saturating_add((text + 1).saturating_mul(length_of(0))),
        // What each character may become: `\u0001` in JSON, `&quot;` in XML, `%F0%9F%98%80`
        // for a four-byte character in a URI, `\n` in C.
        "json_escape" | "xml_escape" => text.saturating_mul(6),
        "uri_encode" => text.saturating_mul(12),
        "c_escape" => text.saturating_mul(2),
        "join" => {
            let parts = match args.first() {
                Some(parts) if parts.get_type() == VariantType::PACKED_STRING_ARRAY => parts.to::<PackedStringArray>(),
                _ => return Err("join takes a PackedStringArray".to_string()),
            };
            let characters: u64 = parts.as_slice().iter().map(|part| part.len() as u64).sum();
            characters.saturating_add((parts.len() as u64).saturating_mul(text))
        }
        _ => return Ok(()),
    };
    if bound > MAX_ELEMENTS {
        return Err(format!("{method} could build {bound} characters (at most {MAX_ELEMENTS})"));
    }
    Ok(())
}
