//! Monitors under godot-sandbox's names: its counters over every Sandbox of the game
//! (`get_global_*`), and its names for this node's counters. The `monitor_*` properties are
//! declared in `mod.rs`.

use godot::prelude::*;

use super::{off_main_thread, Sandbox};
use crate::state::{self, GlobalMonitors};

/// One global counter, read on the main thread only (0 and one engine error elsewhere: the
/// counters are the main thread's).
pub(super) fn global<T: Default>(method: &str, counter: fn(&GlobalMonitors) -> T) -> T {
    if off_main_thread(method) {
        return T::default();
    }
    counter(&state::global_monitors())
}

#[godot_api(secondary)]
impl Sandbox {
    /// Calls made by every Sandbox so far, those freed included.
    #[func]
    pub fn get_global_calls_made() -> i64 {
        global("get_global_calls_made", |g| g.calls_made as i64)
    }

    /// Calls of every Sandbox that failed with an exception (a guest fault, an unknown
    /// function...), those of freed ones included.
    #[func]
    pub fn get_global_exceptions() -> i64 {
        global("get_global_exceptions", |g| g.exceptions as i64)
    }

    /// Calls of every Sandbox that ran out of instructions, those of freed ones included.
    #[func]
    pub fn get_global_timeouts() -> i64 {
        global("get_global_timeouts", |g| g.timeouts as i64)
    }

    /// Sandbox nodes alive.
    #[func]
    pub fn get_global_instance_count() -> i64 {
        global("get_global_instance_count", |g| g.instances as i64)
    }

    /// Seconds every Sandbox has spent loading programs (running their `main()`).
    #[func]
    pub fn get_accumulated_startup_time() -> f64 {
        global("get_accumulated_startup_time", |g| g.startup_seconds)
    }

    /// Same as `monitor_exceptions`.
    #[func]
    fn get_exceptions(&self) -> i64 {
        self.monitor("get_exceptions", |m| m.exceptions)
    }

    /// Same as `monitor_execution_timeouts`.
    #[func]
    fn get_timeouts(&self) -> i64 {
        self.monitor("get_timeouts", |m| m.timeouts)
    }
}
