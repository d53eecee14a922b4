//! THROW (511), IS_EDITOR (512) and BREAKPOINT (551).

use godot::classes::Engine;
use godot::prelude::*;
use rvsandbox_vm::HostError;

use super::{read_str, read_variant, text_of, HostResult};
use crate::runtime::Vm;

/// 511 THROW: a0/a1 = exception type, a2/a3 = message, a4 = related Variant (0 = none),
/// a5 = C string naming the guest function (0 = none). Ends the vmcall with that exception.
pub fn throw(m: &mut Vm) -> HostResult {
    let kind = read_str(m, m.sysarg(0), m.sysarg(1))?;
    let message = read_str(m, m.sysarg(2), m.sysarg(3))?;
    let mut text = if kind.is_empty() { message } else { format!("{kind}: {message}") };
    if m.sysarg(4) != 0 {
        let related = read_variant(m, m.sysarg(4))?;
        text.push_str(&format!(" ({})", text_of(m, &related)?));
    }
    if m.sysarg(5) != 0 {
        let function = String::from_utf8_lossy(m.memory.c_string(m.sysarg(5), 256)?).into_owned();
        text.push_str(&format!(" in {function}"));
    }
    Err(HostError::Exception(text))
}

/// 512 IS_EDITOR: a0 = whether the game runs inside the editor.
pub fn is_editor(m: &mut Vm) -> HostResult {
    m.set_result(Engine::singleton().is_editor_hint() as u64);
    Ok(())
}

/// 551 BREAKPOINT: a0 = source line, a1/a2 = stop flags. A debugger hook of SafeGDScript
/// programs; without that debugger it does nothing.
pub fn breakpoint(_: &mut Vm) -> HostResult {
    Ok(())
}
