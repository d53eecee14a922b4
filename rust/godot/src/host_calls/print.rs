//! PRINT (500) and PRINT_CHANNEL (550): guest Variants printed as one line.

use godot::global::{godot_error, godot_warn};
use godot::prelude::*;

use super::{check_all_printable, read_variants, refused, HostResult, Objects, ENGINE_MESSAGE_COST};
use crate::runtime::{deliver_output, Vm};

/// The most Variants one print takes (godot-sandbox refuses 64 and more).
const MAX_PRINT_ARGS: u64 = 63;

/// The text of `count` Variants at `array`, joined by `separator`.
fn line(m: &mut Vm, array: u64, count: u64, separator: &str) -> Result<String, rvsandbox_vm::HostError> {
    if count > MAX_PRINT_ARGS {
        return Err(refused(format!("print: too many arguments ({count}, at most {MAX_PRINT_ARGS})")));
    }
    let values = read_variants(m, array, count)?;
    check_all_printable(m, &values, Objects::Printed)?;
    m.charge(ENGINE_MESSAGE_COST);
    Ok(values.iter().map(|v| v.stringify().to_string()).collect::<Vec<_>>().join(separator))
}

/// Whether `text` went to the game's output callback (then it did, after the guest's earlier
/// output); otherwise the guest's earlier output has been printed and `text` is the caller's to
/// print.
fn redirected(m: &mut Vm, text: &str) -> bool {
    // Earlier guest output (Linux write) comes first.
    m.data.output.borrow_mut().flush();
    let redirected = m.data.output.borrow_mut().redirected(text);
    deliver_output(m);
    redirected
}

/// 500 PRINT: a0 = Variant array, a1 = count. Prints them concatenated, as one line.
pub fn print(m: &mut Vm) -> HostResult {
    let (array, count) = (m.sysarg(0), m.sysarg(1));
    let text = line(m, array, count, "")?;
    if !redirected(m, &text) {
        godot::global::print(&[text.to_variant()]);
    }
    Ok(())
}

/// 550 PRINT_CHANNEL: a0 = Variant array, a1 = count, a2 = channel (0 print, 1 spaced,
/// 2 tabbed, 3 raw, 4 rich, 5 error, 6 verbose, 7 push_error, 8 push_warning).
pub fn print_channel(m: &mut Vm) -> HostResult {
    let channel = m.sysarg(2);
    let separator = match channel {
        1 => " ",
        2 => "\t",
        0..=8 => "",
        other => return Err(refused(format!("print: invalid channel {other}"))),
    };
    let (array, count) = (m.sysarg(0), m.sysarg(1));
    let text = line(m, array, count, separator)?;
    // The game's callback takes every channel.
    if redirected(m, &text) {
        return Ok(());
    }
    let v = [text.to_variant()];
    match channel {
        3 => godot::global::printraw(&v),
        4 => godot::global::print_rich(&v),
        5 => godot::global::printerr(&v),
        6 => godot::global::print_verbose(&v),
        7 => godot_error!("{text}"),
        8 => godot_warn!("{text}"),
        _ => godot::global::print(&v),
    }
    Ok(())
}
