//! The `Sandbox` node: the Godot-facing object that will own a RISC-V machine.
//!
//! Status: the node and its true vararg `vmcall(function, ...args)` are registered and work
//! end to end, but `vmcall` is still served by `placeholder_call`, a handful of built-in
//! test functions that prove the plumbing (argument passing, results, errors, panics,
//! re-entrancy). The emulator core (`rvsandbox-vm`) is not wired in yet.

use std::fmt;

use godot::prelude::*;

/// A node that runs functions of a sandboxed RISC-V guest program.
#[derive(GodotClass)]
#[class(base = Node, init)]
pub struct Sandbox {
    base: Base<Node>,
    /// How many `vmcall`s reached the dispatcher (nested ones included).
    calls_made: u64,
}

#[godot_api]
impl Sandbox {
    /// How many `vmcall`s this node has dispatched so far, nested ones included.
    #[func]
    fn get_calls_made(&self) -> i64 {
        i64::try_from(self.calls_made).unwrap_or(i64::MAX)
    }
}

/// Why a `vmcall` failed; each becomes one engine error, and the call returns `null`.
#[derive(Debug, Clone, PartialEq)]
pub enum VmcallError {
    /// The first argument was not a `String` or `StringName`.
    FunctionNotAName { got: VariantType },
    /// No function of that name exists.
    UnknownFunction(String),
    /// An argument had the wrong type (`index` counts from 0 over the extra arguments).
    BadArgument { index: usize, expected: &'static str, got: VariantType },
}

impl fmt::Display for VmcallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::FunctionNotAName { got } => {
                write!(f, "the function must be given by name (String or StringName), got {got:?}")
            }
            Self::UnknownFunction(name) => write!(f, "no function named '{name}'"),
            Self::BadArgument { index, expected, got } => {
                write!(f, "argument {index}: expected {expected}, got {got:?}")
            }
        }
    }
}

impl std::error::Error for VmcallError {}

/// `Sandbox.vmcall(function, ...args)`, registered as a true vararg method in `lib.rs`.
///
/// `args[0]` is the function (guaranteed present: it is the method's one fixed parameter),
/// the rest are passed on. No `bind`/`bind_mut` guard is held while the function runs, so a
/// callee may call back into this same node (see `vararg.rs`, "Re-entrancy").
pub fn vmcall(this: Gd<Sandbox>, args: &[&Variant]) -> Result<Variant, VmcallError> {
    let (function, rest) = args.split_first().expect("vmcall has one fixed parameter");
    let name = match function.get_type() {
        VariantType::STRING => function.to::<GString>().to_string(),
        VariantType::STRING_NAME => function.to::<StringName>().to_string(),
        got => return Err(VmcallError::FunctionNotAName { got }),
    };
    // A short-lived guard: released before anything that could re-enter.
    this.clone().bind_mut().calls_made += 1;
    placeholder_call(this, &name, rest)
}

/// PLACEHOLDER until the emulator core is wired in: built-in test functions that exercise the
/// vararg plumbing. `godot_project/tests/test_sandbox.gd` relies on them; replace both together.
fn placeholder_call(this: Gd<Sandbox>, name: &str, args: &[&Variant]) -> Result<Variant, VmcallError> {
    match name {
        // The extra arguments, as an Array.
        "echo" => Ok(args.iter().map(|v| (*v).clone()).collect::<VarArray>().to_variant()),
        // How many extra arguments arrived.
        "count" => Ok((args.len() as i64).to_variant()),
        // The sum of int/float arguments (an int if all are ints).
        "sum" => {
            let mut int_sum: i64 = 0;
            let mut float_sum: f64 = 0.0;
            let mut all_ints = true;
            for (index, v) in args.iter().enumerate() {
                match v.get_type() {
                    VariantType::INT => int_sum = int_sum.wrapping_add(v.to::<i64>()),
                    VariantType::FLOAT => {
                        all_ints = false;
                        float_sum += v.to::<f64>();
                    }
                    got => return Err(VmcallError::BadArgument { index, expected: "int or float", got }),
                }
            }
            Ok(if all_ints { int_sum.to_variant() } else { (int_sum as f64 + float_sum).to_variant() })
        }
        // Calls `vmcall("sum", ...args)` on this same node through Godot, while this call is
        // still in progress: the re-entrancy a guest calling back into its Sandbox will need.
        "reenter" => {
            let mut call_args: Vec<Variant> = vec!["sum".to_variant()];
            call_args.extend(args.iter().map(|v| (*v).clone()));
            let mut node = this;
            Ok(node.call("vmcall", &call_args))
        }
        // Proves that a panic is contained: engine error, null result, no crash.
        "panic" => panic!("placeholder function 'panic' was called"),
        _ => Err(VmcallError::UnknownFunction(name.to_string())),
    }
}
