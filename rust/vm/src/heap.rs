//! The guest's dynamic memory: the `brk` heap and anonymous mappings, carved out of the arena
//! between the program image and the stack.
//!
//! ```text
//! image_end ... brk_start -> brk ... brk_max | mmap_start ... mmap_end | stack ... top
//! ```

use crate::elf::PAGE_SIZE;

/// Bookkeeping for `brk` and `mmap`. The bytes themselves live in [`crate::Memory`].
#[derive(Clone)]
pub(crate) struct Heap {
    brk_start: u64,
    brk: u64,
    brk_max: u64,
    mmap_start: u64,
    mmap_end: u64,
    /// Unmapped page ranges of the mmap region, sorted by address and never adjacent.
    free: Vec<(u64, u64)>,
}

/// Rounds up to a whole number of pages; `None` on overflow.
pub(crate) fn page_round(len: u64) -> Option<u64> {
    len.checked_add(PAGE_SIZE - 1).map(|l| l & !(PAGE_SIZE - 1))
}

impl Heap {
    /// Splits `[start, end)` between the `brk` heap (lower half) and mappings (upper half).
    pub fn new(start: u64, end: u64) -> Heap {
        let middle = start + (((end - start) / 2) & !(PAGE_SIZE - 1));
        Heap {
            brk_start: start,
            brk: start,
            brk_max: middle,
            mmap_start: middle,
            mmap_end: end,
            free: vec![(middle, end - middle)],
        }
    }

    /// The current program break.
    pub fn brk(&self) -> u64 {
        self.brk
    }

    /// Moves the break to `addr` if it is in range; returns the range that became newly
    /// available (which must be zeroed) on success.
    pub fn set_brk(&mut self, addr: u64) -> Option<(u64, u64)> {
        if addr < self.brk_start || addr > self.brk_max {
            return None;
        }
        let grown = (addr > self.brk).then(|| (self.brk, addr - self.brk));
        self.brk = addr;
        Some(grown.unwrap_or((addr, 0)))
    }

    /// Finds and reserves `len` bytes (a whole number of pages), first fit.
    pub fn map(&mut self, len: u64) -> Option<u64> {
        let index = self.free.iter().position(|&(_, free_len)| free_len >= len)?;
        let (start, free_len) = self.free[index];
        if free_len == len {
            self.free.remove(index);
        } else {
            self.free[index] = (start + len, free_len - len);
        }
        Some(start)
    }

    /// Reserves exactly `[addr, addr + len)`, whatever was mapped there (MAP_FIXED).
    pub fn map_fixed(&mut self, addr: u64, len: u64) -> bool {
        if addr < self.mmap_start || addr.checked_add(len).is_none_or(|end| end > self.mmap_end) {
            return false;
        }
        self.carve(addr, len);
        true
    }

    /// Releases `[addr, addr + len)`; parts outside the mmap region are ignored.
    pub fn unmap(&mut self, addr: u64, len: u64) {
        let start = addr.max(self.mmap_start);
        let end = addr.saturating_add(len).min(self.mmap_end);
        if start >= end {
            return;
        }
        self.carve(start, end - start);
        let index = self.free.partition_point(|&(s, _)| s < start);
        self.free.insert(index, (start, end - start));
        // Merge with the neighbours so that large mappings can be found again.
        if index + 1 < self.free.len() && start + (end - start) == self.free[index + 1].0 {
            self.free[index].1 += self.free[index + 1].1;
            self.free.remove(index + 1);
        }
        if index > 0 && self.free[index - 1].0 + self.free[index - 1].1 == start {
            self.free[index - 1].1 += self.free[index].1;
            self.free.remove(index);
        }
    }

    /// How many separate unmapped ranges the mmap region has (the cost of a search).
    pub fn fragments(&self) -> u64 {
        self.free.len() as u64
    }

    /// The size of the largest unmapped range of the mmap region.
    pub fn largest_free(&self) -> u64 {
        self.free.iter().map(|&(_, len)| len).max().unwrap_or(0)
    }

    /// Whether `[addr, addr + len)` is unmapped and inside the mmap region (for growing in place).
    pub fn is_free(&self, addr: u64, len: u64) -> bool {
        self.free.iter().any(|&(s, l)| s <= addr && addr.saturating_add(len) <= s + l)
    }

    /// Removes `[addr, addr + len)` from the free list.
    fn carve(&mut self, addr: u64, len: u64) {
        let end = addr + len;
        let mut kept = Vec::with_capacity(self.free.len() + 1);
        for &(s, l) in &self.free {
            let e = s + l;
            if e <= addr || s >= end {
                kept.push((s, l));
                continue;
            }
            if s < addr {
                kept.push((s, addr - s));
            }
            if e > end {
                kept.push((end, e - end));
            }
        }
        self.free = kept;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mappings_are_reused_after_unmapping() {
        let mut heap = Heap::new(0x10000, 0x110000);
        let a = heap.map(0x4000).unwrap();
        let b = heap.map(0x4000).unwrap();
        assert_eq!(b, a + 0x4000);
        heap.unmap(a, 0x4000);
        heap.unmap(b, 0x4000);
        // Both ranges merged with the rest: the whole region is one free range again.
        assert_eq!(heap.map(0x80000), Some(a));
    }

    #[test]
    fn brk_stays_in_its_half() {
        let mut heap = Heap::new(0x10000, 0x110000);
        assert_eq!(heap.set_brk(0x12000), Some((0x10000, 0x2000)));
        assert_eq!(heap.set_brk(0x200000), None);
        assert_eq!(heap.brk(), 0x12000);
        assert!(!heap.map_fixed(0x10000, 0x1000));
    }
}
