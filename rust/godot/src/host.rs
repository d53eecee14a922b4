//! `Host`: the per-machine host data every host call reaches as `machine.data`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use godot::prelude::*;

use crate::abi::{Convention, GuestVariant, Refs};
use crate::restrictions::Restrictions;

/// The most public functions a guest may register (godot-sandbox's `MAX_PUBLIC_FUNCTIONS`).
pub const MAX_PUBLIC_FUNCTIONS: usize = 128;
/// The most guest properties (godot-sandbox's `MAX_PROPERTIES`).
pub const MAX_PROPERTIES: usize = 256;

/// A function the guest registered with SANDBOX_ADD (ADD_METHOD).
#[derive(Debug, Clone)]
pub struct PublicFunction {
    pub name: String,
    pub address: u64,
    pub description: String,
    pub return_type: String,
    pub args: String,
}

/// How a guest property is stored.
#[derive(Debug, Clone, Copy)]
pub enum PropertyStorage {
    /// The live value is the guest Variant at this address.
    GuestVariable(u64),
    /// Guest functions: getter takes no argument and returns the value, setter takes it.
    Accessors { getter: u64, setter: u64 },
}

/// A property the guest registered with SANDBOX_ADD (ADD_PROPERTY).
#[derive(Debug, Clone)]
pub struct GuestProperty {
    pub name: String,
    pub ty: VariantType,
    pub storage: PropertyStorage,
    pub default: GuestVariant,
    pub hint: i32,
    pub hint_string: String,
    pub usage: Option<u32>,
}

/// What one line of the guest's in Godot's output or error log costs its instruction budget:
/// Godot takes microseconds to print one (an error, with its backtrace, more), so a guest
/// looping over a failing host call or printing short lines would otherwise make the game
/// spend seconds per call it is charged nothing for.
pub const ENGINE_MESSAGE_COST: u64 = 10_000;

/// The most text (in bytes of UTF-8) waiting for the game's output callback at once: lines the
/// guest writes are handed over at its next print host call or when the outermost call ends,
/// and a guest writing without end must not fill the host's memory meanwhile.
const MAX_QUEUED_BYTES: usize = 4 << 20;

/// Guest text on its way to Godot's output, one line at a time, or to the game's callback
/// (`Sandbox.set_redirect_stdout`). One per Sandbox node, shared by every program it loads.
///
/// Nothing here prints or calls the game: completed lines wait in `lines` until
/// [`print_ready`] or `runtime::deliver_output` takes them out and hands them over, with the
/// buffer no longer borrowed (Godot's loggers and the game's callback may use the Sandbox again).
#[derive(Default)]
pub struct OutputBuffer {
    pending: Vec<u8>,
    /// Completed lines and the file descriptor they were written to (1 for the print host
    /// calls, which only come here when redirected).
    lines: Vec<(u32, GString)>,
    /// The bytes of text in `lines`.
    lines_bytes: usize,
    /// Lines dropped since the last delivery because `lines` was full.
    dropped: u64,
    /// The game's callback for the guest's output: it gets each line as a String.
    pub redirect: Option<Callable>,
    /// True while the Sandbox node is bound (loading a program, a property accessor): then the
    /// callback must not run before the binding method returns (it could free the node, or use
    /// it), and lines are handed to it deferred.
    pub node_bound: bool,
}

/// What [`OutputBuffer::take`] hands out.
pub struct ReadyOutput {
    /// The lines, and the file descriptor each was written to.
    pub lines: Vec<(u32, GString)>,
    /// Where they go: the game's callback, or (`None`) Godot's output.
    pub redirect: Option<Callable>,
    /// Whether the callback must get them deferred (see [`OutputBuffer::node_bound`]).
    pub node_bound: bool,
}

impl OutputBuffer {
    /// Appends guest bytes; every completed line waits for delivery. Gives what printing them
    /// costs the budget ([`ENGINE_MESSAGE_COST`] a line).
    pub fn write(&mut self, fd: u32, bytes: &[u8]) -> u64 {
        self.pending.extend_from_slice(bytes);
        let mut lines = 0;
        while let Some(end) = self.pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=end).collect();
            self.complete(fd, &line[..line.len() - 1]);
            lines += 1;
        }
        // A guest that never writes a newline still gets its text out, in bounded pieces.
        if self.pending.len() > 1 << 16 {
            let text = std::mem::take(&mut self.pending);
            self.complete(fd, &text);
            lines += 1;
        }
        lines * ENGINE_MESSAGE_COST
    }

    /// Completes a pending partial line (before other output, and at the end of a call).
    pub fn flush(&mut self) {
        if !self.pending.is_empty() {
            let text = std::mem::take(&mut self.pending);
            self.complete(1, &text);
        }
    }

    /// Whether there is nothing to deliver (the common case at the end of a call).
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty() && self.lines.is_empty() && self.dropped == 0
    }

    /// Queues a line of a print host call for the game's callback and returns true, if the
    /// game set one (otherwise the caller prints it).
    pub fn redirected(&mut self, line: &str) -> bool {
        if self.redirect.is_some() {
            self.push(1, line);
        }
        self.redirect.is_some()
    }

    /// The lines ready for delivery, and where they go.
    pub fn take(&mut self) -> ReadyOutput {
        let mut lines = std::mem::take(&mut self.lines);
        self.lines_bytes = 0;
        if self.dropped > 0 {
            let note =
                format!("[{} lines of guest output dropped: over {MAX_QUEUED_BYTES} bytes waiting]", self.dropped);
            lines.push((2, GString::from(&note)));
            self.dropped = 0;
        }
        ReadyOutput { lines, redirect: self.redirect.clone(), node_bound: self.node_bound }
    }

    fn complete(&mut self, fd: u32, line: &[u8]) {
        self.push(fd, &String::from_utf8_lossy(line));
    }

    fn push(&mut self, fd: u32, text: &str) {
        // Lines for Godot's output are printed as soon as the write that made them returns.
        if self.redirect.is_some() && self.lines_bytes + text.len() > MAX_QUEUED_BYTES {
            self.dropped += 1;
            return;
        }
        self.lines_bytes += text.len();
        self.lines.push((fd, GString::from(text)));
    }
}

/// Prints the lines `output` has ready, unless the game redirected the output (then
/// `runtime::deliver_output` hands them over, where the game's callback may run).
pub fn print_ready(output: &RefCell<OutputBuffer>) {
    if output.borrow().redirect.is_some() {
        return;
    }
    // Taken out first: printing runs Godot's loggers, which may use the Sandbox again.
    let ready = output.borrow_mut().take();
    for (fd, text) in ready.lines {
        if fd == 2 {
            godot::global::printerr(&[text.to_variant()]);
        } else {
            godot::global::print(&[text.to_variant()]);
        }
    }
}

/// Everything host calls need besides the machine itself.
pub struct Host {
    /// The Sandbox node that owns the machine (the tree base for GET_NODE).
    pub node: InstanceId,
    pub refs: Refs,
    /// True while `main()` runs: SANDBOX_ADD is accepted only then.
    pub initializing: bool,
    pub functions: Vec<PublicFunction>,
    pub function_index: HashMap<String, usize>,
    pub properties: Vec<GuestProperty>,
    /// The address the guest registered as its exit function (informational: the core ends a
    /// call when the function returns to its own exit address).
    pub exit_address: Option<u64>,
    pub output: Rc<RefCell<OutputBuffer>>,
    /// The convention of the call in progress (CALL_GUEST and property accessors use it).
    pub convention: Convention,
    /// Guest executions in progress that this crate started (0 = idle; more = nested).
    pub depth: u32,
    /// Bottom of the region where call frames (argument Variants) are placed, one per level.
    pub frame_base: u64,
    /// The guest's `malloc`/`free`, for host calls that hand the guest heap memory.
    pub malloc: Option<u64>,
    pub free: Option<u64>,
    /// The node's restrictions (shared with it; see `restrictions.rs`).
    pub restrictions: Rc<Restrictions>,
    /// Guest global slots holding a RefCounted object kept alive for them (VSTORE_GLOBAL,
    /// OBJ_RETAIN), by slot address.
    pub retained: HashMap<u64, Variant>,
    /// What host calls have built for the guest in the current call.
    pub host_memory: HostMemory,
    /// The Timers TIMER_PERIODIC made (some may be gone).
    pub timers: Vec<InstanceId>,
}

/// Host memory that host calls build for the guest (Strings, Arrays, Dictionaries, packed
/// arrays): at most `Sandbox.host_memory_max` per call, so that no guest makes the game run out
/// of memory with values that guest memory does not hold (see `host_calls::hold`).
pub struct HostMemory {
    /// The allowance of one call (and of `main()`), in bytes.
    pub max: u64,
    /// What host calls have built in the current call, in bytes.
    pub used: u64,
}

impl HostMemory {
    pub fn new(max: u64) -> HostMemory {
        HostMemory { max, used: 0 }
    }

    /// Starts a call (not a nested one: those share their caller's allowance).
    pub fn start_call(&mut self) {
        self.used = 0;
    }
}

impl Host {
    pub fn new(
        node: InstanceId,
        references_max: usize,
        host_memory_max: u64,
        frame_base: u64,
        output: Rc<RefCell<OutputBuffer>>,
    ) -> Host {
        let restrictions = crate::restrictions::of(node);
        Host {
            node,
            refs: Refs::new(references_max, restrictions.clone(), crate::host_calls::host_bytes),
            restrictions,
            initializing: false,
            functions: Vec::new(),
            function_index: HashMap::new(),
            properties: Vec::new(),
            exit_address: None,
            output,
            convention: Convention::Boxed,
            depth: 0,
            frame_base,
            malloc: None,
            free: None,
            retained: HashMap::new(),
            host_memory: HostMemory::new(host_memory_max),
            timers: Vec::new(),
        }
    }

    /// The Sandbox node as a plain `Node`, if it still exists.
    pub fn node(&self) -> Option<Gd<Node>> {
        Gd::<Node>::try_from_instance_id(self.node).ok()
    }

    pub fn function(&self, name: &str) -> Option<&PublicFunction> {
        self.function_index.get(name).map(|&i| &self.functions[i])
    }

    pub fn property(&self, name: &str) -> Option<&GuestProperty> {
        self.properties.iter().find(|p| p.name == name)
    }
}
