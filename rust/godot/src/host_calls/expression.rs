//! Godot's own constructors and utility functions, reached through `Expression`: the one safe
//! door gdext offers to `Variant::construct` and `Variant::call_utility_function` by name.
//! Used by VCONSTRUCT (558), PACKED_ARRAY_OPS (548) and UTILITY (549).
//!
//! Each distinct call shape (`Vector2(a0, a1)`, `lerp(a0, a1, a2)`, ...) is parsed once per
//! thread and kept.

use std::cell::RefCell;
use std::collections::HashMap;

use godot::classes::Expression;
use godot::prelude::*;
use rvsandbox_vm::HostError;

use super::refused;
use crate::abi::args::MAX_ARGUMENTS;

thread_local! {
    static PARSED: RefCell<HashMap<(String, usize), Gd<Expression>>> = RefCell::new(HashMap::new());
}

/// `function(args...)` evaluated by Godot: a builtin type's constructor (its type name) or a
/// global utility function.
pub fn call(function: &str, args: &[Variant]) -> Result<Variant, HostError> {
    if args.len() > MAX_ARGUMENTS {
        return Err(refused(format!("{function}(): too many arguments ({})", args.len())));
    }
    let key = (function.to_string(), args.len());
    let expression = PARSED.with(|p| p.borrow().get(&key).cloned());
    let expression = match expression {
        Some(e) => e,
        None => {
            let names: Vec<String> = (0..args.len()).map(|i| format!("a{i}")).collect();
            let text = format!("{function}({})", names.join(", "));
            let mut e = Expression::new_gd();
            let inputs: PackedStringArray = names.iter().map(GString::from).collect();
            if e.parse_ex(&text).input_names(&inputs).done() != godot::global::Error::OK {
                return Err(refused(format!("{function}(): {}", e.get_error_text())));
            }
            PARSED.with(|p| p.borrow_mut().insert(key, e.clone()));
            e
        }
    };
    let mut expression = expression;
    let inputs: VarArray = args.iter().cloned().collect();
    let value = expression.execute_ex().inputs(&inputs).show_error(false).done();
    if expression.has_execute_failed() {
        return Err(refused(format!("{function}() with {} argument(s): {}", args.len(), expression.get_error_text())));
    }
    Ok(value)
}

/// Drops the parsed expressions (at extension shutdown, before Godot checks for leaks).
pub fn clear() {
    let _ = PARSED.try_with(|p| p.borrow_mut().clear());
}
