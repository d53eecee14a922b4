//! The host-managed guest heap behind system calls 480-484 (`malloc`, `calloc`, `realloc`,
//! `free`, `meminfo`), which godot-sandbox guest programs use instead of their libc's allocator.
//!
//! The bookkeeping lives on the host, so a guest cannot corrupt it; the memory it hands out is a
//! region of the guest's mmap area, reserved on first use. Freeing an address that was never
//! allocated is an error, not undefined behaviour.

use std::collections::BTreeMap;

/// Chunks are this aligned (and at least this large), like glibc's malloc on RV64.
const ALIGN: u64 = 16;

/// Why an allocation request failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeapError {
    /// `free` or `realloc` of an address that is not an allocated chunk.
    NotAllocated(u64),
}

/// First-fit allocator over `[base, base + size)`.
#[derive(Clone)]
pub(crate) struct NativeHeap {
    /// Free ranges, by start address; never adjacent.
    free: BTreeMap<u64, u64>,
    /// Allocated chunks: start address to size.
    used: BTreeMap<u64, u64>,
    max_chunks: usize,
    /// Chunks handed out and taken back since the heap was made.
    allocations: u64,
    deallocations: u64,
}

/// What a native heap holds and has done, for monitoring.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NativeHeapUsage {
    /// Bytes in allocated chunks.
    pub bytes_used: u64,
    /// Chunks allocated now.
    pub chunks: u64,
    /// Chunks handed out so far (`malloc`, `calloc`, and `realloc` that moved).
    pub allocations: u64,
    /// Chunks taken back so far (`free`, and `realloc` that moved or shrank to nothing).
    pub deallocations: u64,
}

/// Totals reported by `meminfo`.
pub(crate) struct HeapInfo {
    pub bytes_free: u64,
    pub bytes_used: u64,
    pub chunks_used: u64,
}

impl NativeHeap {
    /// A heap over `[base, base + size)` holding at most `max_chunks` allocations at once.
    pub fn new(base: u64, size: u64, max_chunks: usize) -> NativeHeap {
        NativeHeap {
            free: BTreeMap::from([(base, size)]),
            used: BTreeMap::new(),
            max_chunks,
            allocations: 0,
            deallocations: 0,
        }
    }

    /// Allocates `size` bytes; `None` when out of memory or chunks.
    pub fn allocate(&mut self, size: u64) -> Option<u64> {
        self.allocate_within(size, self.max_chunks)
    }

    /// Allocates the `size` bytes a chunk that `realloc` moves goes to: the old chunk is
    /// released right after, so this one may be one past the limit meanwhile.
    pub fn allocate_replacement(&mut self, size: u64) -> Option<u64> {
        self.allocate_within(size, self.max_chunks.saturating_add(1))
    }

    fn allocate_within(&mut self, size: u64, max_chunks: usize) -> Option<u64> {
        if self.used.len() >= max_chunks {
            return None;
        }
        let size = size.max(1).checked_next_multiple_of(ALIGN)?;
        let (&start, &len) = self.free.iter().find(|&(_, &len)| len >= size)?;
        self.free.remove(&start);
        if len > size {
            self.free.insert(start + size, len - size);
        }
        self.used.insert(start, size);
        self.allocations += 1;
        Some(start)
    }

    /// Releases the chunk at `addr`.
    pub fn release(&mut self, addr: u64) -> Result<(), HeapError> {
        let size = self.used.remove(&addr).ok_or(HeapError::NotAllocated(addr))?;
        let (mut start, mut len) = (addr, size);
        if let Some((&prev, &prev_len)) = self.free.range(..addr).next_back() {
            if prev + prev_len == addr {
                self.free.remove(&prev);
                (start, len) = (prev, prev_len + len);
            }
        }
        if let Some(next_len) = self.free.remove(&(addr + size)) {
            len += next_len;
        }
        self.free.insert(start, len);
        self.deallocations += 1;
        Ok(())
    }

    /// The size of the chunk at `addr`.
    pub fn size_of(&self, addr: u64) -> Result<u64, HeapError> {
        self.used.get(&addr).copied().ok_or(HeapError::NotAllocated(addr))
    }

    /// Grows or shrinks the chunk at `addr` where it stands, if the space after it allows.
    pub fn resize_in_place(&mut self, addr: u64, new_size: u64) -> Result<bool, HeapError> {
        let size = self.size_of(addr)?;
        let Some(new_size) = new_size.max(1).checked_next_multiple_of(ALIGN) else {
            return Ok(false);
        };
        let following = self.free.get(&(addr + size)).copied().unwrap_or(0);
        if new_size > size + following {
            return Ok(false);
        }
        self.free.remove(&(addr + size));
        let spare = size + following - new_size;
        if spare > 0 {
            self.free.insert(addr + new_size, spare);
        }
        self.used.insert(addr, new_size);
        Ok(true)
    }

    /// How many free ranges an allocation may have to look at.
    pub fn fragments(&self) -> u64 {
        self.free.len() as u64
    }

    /// What the heap holds and has done, for monitoring.
    pub fn usage(&self) -> NativeHeapUsage {
        NativeHeapUsage {
            bytes_used: self.used.values().sum(),
            chunks: self.used.len() as u64,
            allocations: self.allocations,
            deallocations: self.deallocations,
        }
    }

    pub fn info(&self) -> HeapInfo {
        HeapInfo {
            bytes_free: self.free.values().sum(),
            bytes_used: self.used.values().sum(),
            chunks_used: self.used.len() as u64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_aligned_reused_and_merged() {
        let mut heap = NativeHeap::new(0x1000, 0x1000, 100);
        let a = heap.allocate(1).unwrap();
        let b = heap.allocate(100).unwrap();
        assert_eq!((a, b), (0x1000, 0x1010));
        heap.release(a).unwrap();
        heap.release(b).unwrap();
        assert_eq!(heap.allocate(0x1000), Some(0x1000));
        assert_eq!(heap.allocate(1), None);
    }

    #[test]
    fn bad_frees_and_chunk_limits_are_refused() {
        let mut heap = NativeHeap::new(0x1000, 0x1000, 2);
        let a = heap.allocate(16).unwrap();
        assert_eq!(heap.release(a + 16), Err(HeapError::NotAllocated(a + 16)));
        heap.allocate(16).unwrap();
        assert_eq!(heap.allocate(16), None);
        heap.release(a).unwrap();
        assert_eq!(heap.release(a), Err(HeapError::NotAllocated(a)));
    }

    #[test]
    fn resizing_in_place_uses_the_free_space_after_a_chunk() {
        let mut heap = NativeHeap::new(0x1000, 0x100, 10);
        let a = heap.allocate(16).unwrap();
        assert!(heap.resize_in_place(a, 64).unwrap());
        let b = heap.allocate(16).unwrap();
        assert_eq!(b, a + 64);
        assert!(!heap.resize_in_place(a, 128).unwrap());
        assert!(heap.resize_in_place(a, 16).unwrap());
        assert_eq!(heap.info().bytes_used, 32);
    }
}
