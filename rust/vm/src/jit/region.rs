//! Which guest code one native function covers: a *region* of segments reachable from a hot
//! entry point by direct jumps and branches.
//!
//! A segment is a straight run of instructions ending at a control transfer (or at something the
//! native code leaves to the interpreter). Jumps between segments of the same region become
//! native jumps, so a hot loop runs without leaving native code; every other exit goes through
//! the table of compiled entry points, or back to the interpreter.

use std::collections::HashMap;

use crate::cpu::code::Code;
use crate::cpu::i::Fast;

/// The most segments in one region; jumps to code beyond them leave the region.
const MAX_SEGMENTS: usize = 32;
/// The most instructions in one segment; a longer straight run continues in a next segment.
const MAX_SEGMENT_LEN: usize = 256;
/// The fewest instructions a region without loops needs for the interpreter to enter it.
const MIN_STRAIGHT_LINE: u64 = 32;

/// How a segment ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum End {
    /// Continues at this address (the run of instructions was cut, or ran out of code).
    Goto(u64),
    /// The instruction in this slot is a branch, `jal` or `jalr`, which the native code runs.
    Transfer(usize),
    /// The instruction at this address is left to the interpreter (a system call, a trap, a
    /// CSR access that ends a block).
    Interpret(u64),
}

/// A straight run of instructions.
pub(crate) struct Segment {
    /// The slot of the first instruction.
    pub start: usize,
    /// The slots of the straight-line instructions, in order.
    pub body: Vec<usize>,
    pub end: End,
}

impl Segment {
    /// The instructions the segment retires when it runs to its end.
    pub fn instructions(&self) -> u64 {
        self.body.len() as u64 + matches!(self.end, End::Transfer(_)) as u64
    }
}

/// The segments of one region; the first is the entry.
pub(crate) struct Region {
    pub segments: Vec<Segment>,
    /// Segment index by starting slot.
    index: HashMap<usize, usize>,
}

impl Region {
    /// Collects the region that starts at `entry`, breadth first, following only jumps to code
    /// that `has_run` (compiling code that never runs costs start-up time for nothing).
    pub fn discover(code: &Code, entry: usize, has_run: impl Fn(usize) -> bool) -> Region {
        let mut region = Region { segments: Vec::new(), index: HashMap::new() };
        let mut queue = std::collections::VecDeque::from([entry]);
        while let Some(start) = queue.pop_front() {
            if region.index.contains_key(&start) || region.segments.len() == MAX_SEGMENTS {
                continue;
            }
            let segment = Segment::scan(code, start);
            let next = successors(code, &segment).filter_map(|pc| code.slot(pc));
            // A cut straight run continues where the interpreter never starts a block.
            let cut = matches!(segment.end, End::Goto(_));
            queue.extend(next.filter(|&slot| cut || has_run(slot)));
            region.index.insert(start, region.segments.len());
            region.segments.push(segment);
        }
        region
    }

    /// Whether entering the region from the interpreter pays: it loops (a segment jumps to a
    /// segment of the region), or runs enough straight-line code. Entering native code costs a
    /// few nanoseconds, more than interpreting a short function such as a getter.
    pub fn worth_entering(&self, code: &Code) -> bool {
        let loops = self.segments.iter().any(|segment| {
            successors(code, segment).filter_map(|pc| code.slot(pc)).any(|slot| self.index.contains_key(&slot))
        });
        let straight: u64 = self.segments.iter().map(Segment::instructions).sum();
        loops || straight >= MIN_STRAIGHT_LINE
    }

    /// The index of the segment starting at `slot`, if the region has one.
    pub fn segment_at(&self, slot: usize) -> Option<usize> {
        self.index.get(&slot).copied()
    }
}

impl Segment {
    fn scan(code: &Code, start: usize) -> Segment {
        let mut body = Vec::new();
        let mut slot = start;
        let end = loop {
            let insn = code.at(slot);
            if insn.ends_block() {
                break match insn.fast.uncompressed() {
                    Fast::Beq
                    | Fast::Bne
                    | Fast::Blt
                    | Fast::Bge
                    | Fast::Bltu
                    | Fast::Bgeu
                    | Fast::Jal
                    | Fast::Jalr => End::Transfer(slot),
                    _ => End::Interpret(code.pc_of(slot)),
                };
            }
            if body.len() == MAX_SEGMENT_LEN {
                break End::Goto(code.pc_of(slot));
            }
            body.push(slot);
            let next = code.pc_of(slot).wrapping_add(insn.len());
            match code.slot(next) {
                Some(next) => slot = next,
                None => break End::Goto(next),
            }
        };
        Segment { start, body, end }
    }
}

/// The addresses a segment may continue at that are known before it runs.
fn successors(code: &Code, segment: &Segment) -> impl Iterator<Item = u64> {
    let (first, second) = match segment.end {
        End::Goto(pc) => (Some(pc), None),
        End::Interpret(_) => (None, None),
        End::Transfer(slot) => {
            let insn = code.at(slot);
            let pc = code.pc_of(slot);
            match insn.fast.uncompressed() {
                Fast::Jalr => (None, None),
                Fast::Jal => (Some(pc.wrapping_add(insn.imm as i64 as u64)), None),
                _ => (Some(pc.wrapping_add(insn.imm as i64 as u64)), Some(pc.wrapping_add(insn.len()))),
            }
        }
    };
    first.into_iter().chain(second)
}
