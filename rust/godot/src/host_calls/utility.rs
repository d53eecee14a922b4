//! UTILITY (549): Godot's global utility functions (docs/guest-abi.md §7.11, Utility_Op).
//!
//! Three shapes: Variant ops (a1 = result Variant, a2 = argument Variants, a3 = count), float
//! ops (doubles in fa0.. → fa0; predicates answer 0.0 or 1.0), and the integer ops RANDI,
//! RANDI_RANGE and NEAREST_PO2 (→ a0). Godot evaluates them (see `expression.rs`), so the
//! results are exactly its own; LEN, CHAR and ORD, which are GDScript's rather than Godot's,
//! are spelled out here.

use godot::prelude::*;

use super::variant::call_builtin;
use super::{
    check_all_printable, check_traversable, expression, hold_value, integer_of, read_variants, refused, write_variant,
    HostResult, Objects,
};
use crate::runtime::Vm;

const STR: u64 = 0;
const LEN: u64 = 1;
const MAX_STR_ARGS: u64 = 63;
const RANDI: u64 = 53;
const RANDI_RANGE: u64 = 54;
const NEAREST_PO2: u64 = 57;
const HASH: u64 = 58;
const VAR_TO_STR: u64 = 59;
const STR_TO_VAR: u64 = 60;
const VAR_TO_BYTES: u64 = 61;
const TYPE_CONVERT: u64 = 64;
const CHAR: u64 = 67;
const ORD: u64 = 68;
const RANDOMIZE: u64 = 74;
const SEED: u64 = 75;

/// How an operation takes its arguments.
#[derive(Clone, Copy)]
enum Shape {
    /// Variants in memory: (function, argument count).
    Variants(&'static str, u64),
    /// Doubles in fa0..: (function, argument count).
    Floats(&'static str, u8),
}

/// Utility_Op by number (STR, the integer ops, CHAR and ORD are handled separately).
fn shape(op: u64) -> Option<Shape> {
    use Shape::{Floats as F, Variants as V};
    const ONE_FLOAT: [&str; 26] = [
        "floor",
        "ceil",
        "round",
        "sign",
        "sin",
        "cos",
        "tan",
        "asin",
        "acos",
        "atan",
        "sinh",
        "cosh",
        "tanh",
        "asinh",
        "acosh",
        "atanh",
        "exp",
        "log",
        "deg_to_rad",
        "rad_to_deg",
        "linear_to_db",
        "db_to_linear",
        "is_nan",
        "is_inf",
        "is_finite",
        "is_zero_approx",
    ];
    const TWO_FLOATS: [&str; 8] =
        ["atan2", "pow", "fmod", "fposmod", "snapped", "is_equal_approx", "angle_difference", "pingpong"];
    const THREE_FLOATS: [&str; 7] =
        ["lerp", "inverse_lerp", "smoothstep", "move_toward", "lerp_angle", "rotate_toward", "wrap"];
    Some(match op {
        2..=27 => F(ONE_FLOAT[op as usize - 2], 1),
        28..=35 => F(TWO_FLOATS[op as usize - 28], 2),
        36..=42 => F(THREE_FLOATS[op as usize - 36], 3),
        43 => F("remap", 5),
        44 => F("cubic_interpolate", 5),
        45 => F("bezier_interpolate", 5),
        46 => F("bezier_derivative", 5),
        47 => V("int", 1),
        48 => V("float", 1),
        49 => V("bool", 1),
        50 => F("randf", 0),
        51 => F("randf_range", 2),
        52 => F("randfn", 2),
        55 => F("ease", 2),
        56 => F("step_decimals", 1),
        HASH => V("hash", 1),
        VAR_TO_STR => V("var_to_str", 1),
        STR_TO_VAR => V("str_to_var", 1),
        VAR_TO_BYTES => V("var_to_bytes", 1),
        62 => V("bytes_to_var", 1),
        63 => V("type_string", 1),
        TYPE_CONVERT => V("type_convert", 2),
        65 => V("error_string", 1),
        66 => V("is_same", 2),
        69 => V("is_instance_valid", 1),
        70 => F("cubic_interpolate_angle", 5),
        71 => F("cubic_interpolate_in_time", 8),
        72 => F("cubic_interpolate_angle_in_time", 8),
        73 => V("rand_from_seed", 1),
        RANDOMIZE => V("randomize", 0),
        SEED => V("seed", 1),
        _ => return None,
    })
}

/// 549 UTILITY: a0 = Utility_Op, the rest per shape (see the module comment).
pub fn utility(m: &mut Vm) -> HostResult {
    let op = m.sysarg(0);
    match op {
        STR => {
            let (result, args, count) = (m.sysarg(1), m.sysarg(2), m.sysarg(3));
            if count > MAX_STR_ARGS {
                return Err(refused(format!("str: too many arguments ({count})")));
            }
            let values = read_variants(m, args, count)?;
            check_all_printable(m, &values, Objects::Printed)?;
            let text: String = values.iter().map(|v| v.stringify().to_string()).collect();
            let value = GString::from(&text).to_variant();
            hold_value(m, &value)?;
            write_variant(m, result, &value)
        }
        RANDI | RANDI_RANGE | NEAREST_PO2 => {
            let args: Vec<Variant> = match op {
                RANDI => vec![],
                RANDI_RANGE => vec![(m.sysarg(1) as i64).to_variant(), (m.sysarg(2) as i64).to_variant()],
                _ => vec![(m.sysarg(1) as i64).to_variant()],
            };
            let name = match op {
                RANDI => "randi",
                RANDI_RANGE => "randi_range",
                _ => "nearest_po2",
            };
            let value = expression::call(name, &args)?;
            m.set_result(value.try_to::<i64>().unwrap_or(0) as u64);
            Ok(())
        }
        LEN => variant_op(m, op, 1, |args| len(&args[0])),
        CHAR | ORD => variant_op(m, op, 1, |args| char_or_ord(op, &args[0])),
        _ => match shape(op).ok_or_else(|| refused(format!("invalid utility operation {op}")))? {
            Shape::Variants(name, argc) => {
                if matches!(op, RANDOMIZE | SEED) {
                    // Reseeding the engine's global generator affects everyone.
                    m.data.restrictions.check_unrestricted(name)?;
                }
                variant_op(m, op, argc, |args| expression::call(name, args))
            }
            Shape::Floats(name, argc) => {
                let args: Vec<Variant> = (0..argc).map(|i| m.sysarg_f64(i).to_variant()).collect();
                let value = expression::call(name, &args)?;
                let number = match value.get_type() {
                    VariantType::BOOL => value.to::<bool>() as u8 as f64,
                    _ => value.try_to::<f64>().map_err(|_| refused(format!("{name}: not a number")))?,
                };
                m.cpu.set_freg(10, number.to_bits());
                Ok(())
            }
        },
    }
}

/// A Variant-shaped op: checks the count, reads the arguments, writes the result.
fn variant_op(
    m: &mut Vm,
    op: u64,
    argc: u64,
    f: impl FnOnce(&[Variant]) -> Result<Variant, rvsandbox_vm::HostError>,
) -> HostResult {
    let (result, args_addr, count) = (m.sysarg(1), m.sysarg(2), m.sysarg(3));
    if count != argc {
        return Err(refused(format!("utility operation {op}: expected {argc} argument(s), got {count}")));
    }
    let args = read_variants(m, args_addr, count)?;
    check_arguments(m, op, &args)?;
    let value = f(&args)?;
    hold_value(m, &value)?;
    write_variant(m, result, &value)
}

/// The checks for the operations that turn Variants into text or text into Variants, or go
/// through nested containers (`hash`), before Godot does it (see `printing.rs`).
fn check_arguments(m: &mut Vm, op: u64, args: &[Variant]) -> HostResult {
    match op {
        HASH => check_traversable(m, args),
        VAR_TO_STR => check_all_printable(m, args, Objects::Serialized),
        VAR_TO_BYTES => check_all_printable(m, args, Objects::Identified),
        TYPE_CONVERT => {
            let to = args.get(1).and_then(integer_of).unwrap_or(-1);
            let text_types = [
                VariantType::STRING,
                VariantType::STRING_NAME,
                VariantType::NODE_PATH,
                VariantType::PACKED_STRING_ARRAY,
            ];
            if text_types.iter().any(|ty| ty.ord as i64 == to) {
                check_all_printable(m, &args[..1], Objects::Printed)
            } else {
                Ok(())
            }
        }
        STR_TO_VAR => match args[0].get_type() {
            VariantType::STRING | VariantType::STRING_NAME => match parse_refusal(&args[0].to_string()) {
                None => Ok(()),
                Some(why) => Err(refused(format!("str_to_var: {why}"))),
            },
            other => Err(refused(format!("str_to_var: the argument is a {other:?}, not a String"))),
        },
        _ => Ok(()),
    }
}

/// How deep `str_to_var` text may nest brackets: Godot's parser recurses once per level, and
/// about twenty thousand levels (20 KB of text) overflow the game's stack.
const MAX_PARSED_DEPTH: u32 = 100;

/// Why Godot's text parser (behind `str_to_var`) must not see `text`, if it must not:
/// - `Object(Class, "property": value, ...)` instantiates any class and sets any property (a
///   script with source code of the guest's choosing, for one), and `Resource("path")`,
///   `SubResource(...)` and `ExtResource(...)` load any resource. Conservative: either word
///   anywhere outside a string literal or comment counts, whatever surrounds it (so an Array
///   typed `Array[Object]` is refused too).
/// - Brackets nested more than [`MAX_PARSED_DEPTH`] deep.
fn parse_refusal(text: &str) -> Option<&'static str> {
    let code = outside_strings(text);
    if code.contains("Object") || code.contains("Resource") {
        return Some("the text names Object(...) or Resource(...), which would create an object or load a resource");
    }
    let mut depth = 0u32;
    for c in code.chars() {
        match c {
            '[' | '{' | '(' => depth += 1,
            ']' | '}' | ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > MAX_PARSED_DEPTH {
            return Some("the text nests brackets more than 100 deep");
        }
    }
    None
}

/// `text` with its string literals and comments blanked out, as Godot's tokenizer skips them:
/// `"` to the next unescaped `"` (a backslash escapes the character after it; `&"` and `@"`
/// open strings too), `;` to the end of the line. The parser stops at a NUL.
fn outside_strings(text: &str) -> String {
    let mut outside = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\0' => break,
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => _ = chars.next(),
                        '"' => break,
                        _ => {}
                    }
                }
                outside.push(' ');
            }
            ';' => {
                chars.by_ref().find(|&c| c == '\n');
                outside.push(' ');
            }
            c => outside.push(c),
        }
    }
    outside
}

/// LEN (GDScript's `len`, not one of Godot's utility functions): the length of a string or
/// the size of a container.
fn len(arg: &Variant) -> Result<Variant, rvsandbox_vm::HostError> {
    let method = match arg.get_type() {
        VariantType::STRING | VariantType::STRING_NAME => "length",
        _ => "size",
    };
    let mut subject = arg.clone();
    call_builtin(&mut subject, method, &[]).map_err(|_| refused(format!("len: a {:?} has no length", arg.get_type())))
}

/// CHAR: the one-character String of a code point. ORD: the code point of a String's first
/// character.
fn char_or_ord(op: u64, arg: &Variant) -> Result<Variant, rvsandbox_vm::HostError> {
    if op == CHAR {
        let code = arg.try_to::<i64>().map_err(|_| refused("char: expected an int"))?;
        let c = u32::try_from(code).ok().and_then(char::from_u32).ok_or_else(|| refused("char: invalid code point"))?;
        return Ok(GString::from(&c.to_string()).to_variant());
    }
    let text = arg.try_to::<GString>().map_err(|_| refused("ord: expected a String"))?.to_string();
    let c = text.chars().next().ok_or_else(|| refused("ord: empty String"))?;
    Ok((c as u32 as i64).to_variant())
}

#[cfg(test)]
mod tests {
    use super::parse_refusal;

    fn may_make_objects(text: &str) -> bool {
        parse_refusal(text).is_some_and(|why| why.contains("Object(...)"))
    }

    #[test]
    fn text_that_names_objects_or_resources_is_caught() {
        for text in [
            r#"Object(Node,"name":"made")"#,
            r#"[1, Object(RefCounted,"script":Object(GDScript,"script/source":"extends RefCounted"))]"#,
            r#"Resource("res://a.tres")"#,
            r#"SubResource("x")"#,
            r#"ExtResource("x")"#,
            r#"{"key": Object(Node,)}"#,
            "1e5Object(Node,)",
            "Array[Object]([])",
            // The backslash escapes the one after it: the string ends at the next quote.
            r#""a\\" Object(Node,)"#,
            r#"&"name" Object(Node,)"#,
            "; a comment ends at the end of its line\nObject(Node,)",
        ] {
            assert!(may_make_objects(text), "{text}");
        }
    }

    #[test]
    fn the_words_inside_strings_and_comments_are_text() {
        for text in [
            r#"[1, "Object(Node,)", Vector2(1, 2)]"#,
            r#""an escaped \" quote, then Object(Node,)""#,
            r#"&"Resource(x)""#,
            "{\"a\": ; Object(Node,) in a comment\n2}",
            // The parser stops at a NUL.
            "1\0Object(Node,)",
        ] {
            assert!(!may_make_objects(text), "{text}");
        }
    }

    #[test]
    fn deep_nesting_is_caught_outside_strings_only() {
        assert!(parse_refusal(&format!("{}1{}", "[".repeat(100), "]".repeat(100))).is_none());
        assert!(parse_refusal(&"[".repeat(101)).is_some_and(|why| why.contains("more than 100 deep")));
        assert!(parse_refusal(&"{\"a\": (".repeat(60)).is_some());
        assert!(parse_refusal(&format!("\"{}\"", "[".repeat(1000))).is_none(), "brackets in a string are text");
    }
}
