//! Timers: TIMER_PERIODIC (530) and TIMER_STOP (531).
//!
//! A guest timer is a `Timer` node added under the Sandbox node, whose `timeout` calls a guest
//! function through a [`GuestCallable`]; it runs while the Sandbox is inside the scene tree.

use godot::classes::Timer;
use godot::prelude::*;

use super::callable::{function_name, GuestCallable};
use super::{check_function, refused, write_variant, HostResult};
use crate::runtime::{with_reentry, Vm};

/// Bytes of the capture block a timer hands its callback (godot-sandbox's).
const CAPTURE_BYTES: u64 = 32;
/// Timers of one Sandbox alive at once: each is a node of the scene tree.
pub const MAX_TIMERS: usize = 256;
/// What creating a timer costs the budget (godot-sandbox's penalty for making nodes).
const TIMER_COST: u64 = 100_000;

/// 530 TIMER_PERIODIC: fa0 = interval (seconds, a double), a0 = one-shot, a1 = callback
/// address, a2 = 32-byte capture block, a3 = result Variant. Adds a started Timer under the
/// Sandbox node that calls `callback(timer, capture)` on every timeout (`capture` is a
/// PackedByteArray of the block as it was now); the result is the Timer.
pub fn timer_periodic(m: &mut Vm) -> HostResult {
    let interval = m.sysarg_f64(0);
    let (one_shot, callback, capture_addr, result) = (m.sysarg(0) != 0, m.sysarg(1), m.sysarg(2), m.sysarg(3));
    if !(interval.is_finite() && interval > 0.0) {
        return Err(refused(format!("TIMER_PERIODIC: invalid interval {interval}")));
    }
    m.data.restrictions.check_class("Timer")?;
    check_function(m, callback)?;
    let capture = PackedByteArray::from(m.memory.view(capture_addr, CAPTURE_BYTES)?);
    let mut node = m.data.node().ok_or_else(|| refused("the Sandbox node no longer exists"))?;
    m.data.timers.retain(|&id| Gd::<Timer>::try_from_instance_id(id).is_ok());
    if m.data.timers.len() >= MAX_TIMERS {
        return Err(refused(format!("TIMER_PERIODIC: at most {MAX_TIMERS} timers at once")));
    }
    m.charge(TIMER_COST);
    let mut timer = Timer::new_alloc();
    timer.set_wait_time(interval);
    timer.set_one_shot(one_shot);
    timer.set_autostart(true);
    let bound = vec![timer.to_variant(), capture.to_variant()];
    let callable =
        GuestCallable::create(m.data.node, m.program(), callback, m.data.convention, function_name(m, callback), bound);
    timer.connect("timeout", &callable);
    // The guest gets the Timer first: if it cannot (a bad pointer, no handle left), nobody has
    // it, and it is freed before it ever runs.
    if let Err(error) = write_variant(m, result, &timer.to_variant()) {
        timer.free();
        return Err(error);
    }
    m.data.timers.push(timer.instance_id());
    with_reentry(m, || node.add_child(&timer));
    Ok(())
}

/// Stops and frees the Timers TIMER_PERIODIC made for a machine that is going away (its
/// program is reset or replaced): they would call into the next one. Freed at the end of the
/// frame, as the reset may come from a handler of one of their own `timeout` signals.
pub fn free_timers(timers: &[InstanceId]) {
    for &id in timers {
        if let Ok(mut timer) = Gd::<Timer>::try_from_instance_id(id) {
            timer.stop();
            timer.queue_free();
        }
    }
}

/// 531 TIMER_STOP: not implemented by godot-sandbox either (it always refuses); a guest stops
/// a timer through the Timer object.
pub fn timer_stop(_: &mut Vm) -> HostResult {
    Err(refused("TIMER_STOP is not implemented (call stop() on the Timer)"))
}
