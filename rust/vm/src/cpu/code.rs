//! Decoded code: every executable segment decoded once, indexed by `pc`.
//!
//! There is one [`Insn`] per 2-byte slot (compressed instructions may start at any even address),
//! and each slot knows how many instructions run straight from it to the end of its block: the
//! dispatch loop charges a whole block against the instruction budget at once and runs it without
//! looking up `pc` again. The layout is shared by every machine running the same program.

use super::decode::{cut_off, decode};
use super::i::Fast;
use super::insn_flags::{SHORT_BLOCK_MAX, SHORT_RETURN, SHORT_SYSTEM_CALL};
use super::threaded::{self, Cursor, MAX_BLOCK_LEN};
use super::{i, Insn};
use crate::arena::vec_with_huge_pages;

/// Programs with fewer slots than this are decoded on the calling thread.
const PARALLEL_DECODE_SLOTS: usize = 1 << 16;
/// The most threads one program's code is decoded on.
const MAX_DECODE_THREADS: usize = 4;

/// The decoded form of one executable address range.
pub(crate) struct Code {
    base: u64,
    insns: Box<[Insn]>,
}

impl Code {
    /// Decodes `bytes`, which are loaded at guest address `base` (2-byte aligned).
    pub fn decode(base: u64, bytes: &[u8]) -> Code {
        let halfword = |at: usize| bytes.get(at..at + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
        let slots = bytes.len() / 2;
        let decode_slots = |range: std::ops::Range<usize>| -> Vec<Insn> {
            let mut part = vec_with_huge_pages(range.len());
            part.extend(range.map(|slot| {
                let pc = base + 2 * slot as u64;
                // Every slot's own halfword is inside `bytes`.
                let low = halfword(slot * 2).unwrap_or_default();
                if low & 3 != 3 {
                    return decode(low as u32, pc);
                }
                match halfword(slot * 2 + 2) {
                    Some(high) => decode(low as u32 | (high as u32) << 16, pc),
                    None => cut_off(low),
                }
            }));
            part
        };
        // Decoding is most of the time it takes to load a large program (a static C++ program
        // has ~350,000 slots), and slots decode independently: large programs are split
        // between threads.
        let threads = if slots < PARALLEL_DECODE_SLOTS {
            1
        } else {
            std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_DECODE_THREADS))
        };
        let chunk = slots.div_ceil(threads.max(1)).max(1);
        let mut insns: Vec<Insn> = std::thread::scope(|scope| {
            let others: Vec<_> = (1..threads)
                .map(|t| {
                    let range = (t * chunk).min(slots)..((t + 1) * chunk).min(slots);
                    let part = range.clone();
                    let worker = std::thread::Builder::new().spawn_scoped(scope, move || decode_slots(part));
                    (range, worker)
                })
                .collect();
            let mut insns = vec_with_huge_pages(slots);
            insns.extend(decode_slots(0..chunk.min(slots)));
            for (range, worker) in others {
                // A thread the host could not start, or that failed, is done here instead.
                match worker.map(|worker| worker.join()) {
                    Ok(Ok(part)) => insns.extend(part),
                    _ => insns.extend(decode_slots(range)),
                }
            }
            insns
        });
        // Blocks end at instructions that may change control flow, at the end of the code, and
        // after `MAX_BLOCK_LEN` instructions (where a block ends depends only on the instruction,
        // not on where the block started).
        for slot in (0..slots).rev() {
            let next = slot + insns[slot].len() as usize / 2;
            let (block_len, to_block_end) = match insns.get(next) {
                Some(after) if !insns[slot].ends_block() && after.block_len < MAX_BLOCK_LEN => {
                    (after.block_len + 1, after.to_block_end + (next - slot) as u8)
                }
                _ => (1, 0),
            };
            let insn = &mut insns[slot];
            (insn.block_len, insn.to_block_end) = (block_len, to_block_end);
            insn.run = threaded::pick(i::threaded_forms(insn.fast), insn, block_len == 1);
            // A short block is marked by the instruction that ends it.
            if block_len <= SHORT_BLOCK_MAX {
                insns[slot].flags |= match insns[slot + to_block_end as usize].fast.uncompressed() {
                    Fast::Jalr => SHORT_RETURN,
                    Fast::Ecall => SHORT_SYSTEM_CALL,
                    _ => 0,
                };
            }
        }
        Code { base, insns: insns.into_boxed_slice() }
    }

    /// The slot index of `pc`, if `pc` is inside this code.
    #[inline(always)]
    pub fn slot(&self, pc: u64) -> Option<usize> {
        self.fetch(pc).map(|(slot, _)| slot)
    }

    /// The slot of `pc` and where its block runs (see [`threaded::Cursor`]), if `pc` is inside
    /// this code: one bounds check for both.
    #[inline(always)]
    pub fn fetch(&self, pc: u64) -> Option<(usize, Cursor<'_>)> {
        // Rotated rather than shifted: an odd `pc` sets the top bit, so the bounds check turns
        // it away too.
        let slot = usize::try_from(pc.wrapping_sub(self.base).rotate_right(1)).ok()?;
        let rest = self.insns.get(slot..)?;
        // SAFETY: `rest` is this code from `slot` to its end, with the forms `decode` placed
        // (`insns` is not changed after that).
        Some((slot, unsafe { Cursor::new(rest) }?))
    }

    /// The number of 2-byte slots.
    pub fn slots(&self) -> usize {
        self.insns.len()
    }

    /// The address of `slot`.
    #[inline(always)]
    pub fn pc_of(&self, slot: usize) -> u64 {
        self.base + 2 * slot as u64
    }

    /// The instruction in `slot` (which must come from [`Code::slot`] or [`Code::fetch`], or
    /// follow one in its block).
    #[inline(always)]
    pub fn at(&self, slot: usize) -> &Insn {
        &self.insns[slot]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `count` compressed `c.addi a0, 1` and a 4-byte `addi a0, a0, 1` in turns, then `ret`.
    fn straight_run(count: usize) -> Vec<u8> {
        let mut bytes = Vec::new();
        for i in 0..count {
            let encoding: &[u8] = if i % 2 == 0 { &0x0505u16.to_le_bytes() } else { &0x0015_0513u32.to_le_bytes() };
            bytes.extend_from_slice(encoding);
        }
        bytes.extend_from_slice(&0x8082u16.to_le_bytes());
        bytes
    }

    #[test]
    fn long_straight_runs_are_cut_into_blocks_of_at_most_max_block_len() {
        let code = Code::decode(0x1000, &straight_run(150));
        let mut slot = 0;
        let mut blocks = Vec::new();
        // Walk the run from its first instruction, block by block.
        while slot < code.slots() {
            let first = code.at(slot);
            let (mut at, mut last) = (slot, slot);
            for k in 0..first.block_len {
                let insn = code.at(at);
                assert_eq!(insn.block_len, first.block_len - k, "lengths count down to the block's end");
                last = at;
                at += insn.len() as usize / 2;
            }
            assert_eq!(slot + first.to_block_end as usize, last, "to_block_end reaches the last instruction");
            blocks.push(first.block_len);
            slot = at;
        }
        assert!(blocks.iter().all(|&len| (1..=MAX_BLOCK_LEN).contains(&len)), "{blocks:?}");
        assert_eq!(blocks.iter().map(|&len| len as usize).sum::<usize>(), 151);
        assert_eq!(blocks.last(), Some(&MAX_BLOCK_LEN), "the run is cut counting from its end");
    }
}
