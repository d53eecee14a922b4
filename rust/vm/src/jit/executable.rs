//! Host memory for generated code: written once, then made executable and never written again.
//!
//! Each function gets whole pages of its own, taken from large reservations: the pages are
//! writable while the function is copied in, then switched to read+execute. A page is never made
//! writable again, so code that another thread may be running is never modified (W^X).

use std::ptr::NonNull;

use crate::arena::map_anonymous;
use crate::elf::PAGE_SIZE;

/// Pages reserved at a time; functions larger than this get a reservation of their own.
const CHUNK_SIZE: usize = 1 << 20;

/// The most host memory one program's generated code may take. A guest could otherwise make
/// every one of its instruction slots hot in turn, and each function takes at least a page.
pub(crate) const CODE_LIMIT: usize = 64 << 20;

/// Owner of every page of generated code of one program; unmaps them on drop.
pub(crate) struct ExecutableMemory {
    chunks: Vec<Chunk>,
    /// Bytes of code pages handed out so far, and the most there may be.
    installed: usize,
    limit: usize,
}

/// One reservation: `[ptr, ptr + len)`, of which the first `used` bytes hold code.
struct Chunk {
    ptr: NonNull<u8>,
    len: usize,
    used: usize,
}

// SAFETY: the chunks are plain memory owned by this value; nothing in them is tied to a thread.
unsafe impl Send for ExecutableMemory {}

impl ExecutableMemory {
    /// Room for at most `limit` bytes of code pages.
    pub fn new(limit: usize) -> ExecutableMemory {
        ExecutableMemory { chunks: Vec::new(), installed: 0, limit }
    }

    /// Whether the limit is reached: nothing more can be installed.
    pub fn is_full(&self) -> bool {
        self.limit - self.installed < PAGE_SIZE as usize
    }

    /// Copies `code` into fresh pages, makes them executable, and returns the address of the
    /// first byte; `None` if that would pass the limit or the host refuses the memory.
    pub fn install(&mut self, code: &[u8]) -> Option<NonNull<u8>> {
        // The JIT runs only on x86-64 (see `Compiler::new`), whose pages are 4 KiB: the guest's.
        let page = PAGE_SIZE as usize;
        let size = code.len().max(1).div_ceil(page) * page;
        if size > self.limit - self.installed {
            self.installed = self.limit;
            return None;
        }
        if self.chunks.last().is_none_or(|chunk| chunk.len - chunk.used < size) {
            self.chunks.push(Chunk::reserve(size.max(CHUNK_SIZE))?);
        }
        let chunk = self.chunks.last_mut()?;
        // SAFETY: `used + size <= len` (checked above), so the range lies inside the chunk.
        let start = unsafe { chunk.ptr.as_ptr().add(chunk.used) };
        // SAFETY: `[start, start + size)` is inside the chunk and still read+write: pages past
        // `used` have never been made executable, and `code.len() <= size`. The source is a
        // separate Rust slice, so the ranges do not overlap.
        unsafe { std::ptr::copy_nonoverlapping(code.as_ptr(), start, code.len()) };
        // SAFETY: `start` is page-aligned (chunks are, and `used` is a multiple of the page size)
        // and the range is inside our own mapping; no Rust reference points into it.
        let protected = unsafe { libc::mprotect(start.cast(), size, libc::PROT_READ | libc::PROT_EXEC) };
        if protected != 0 {
            return None;
        }
        chunk.used += size;
        self.installed += size;
        NonNull::new(start)
    }
}

impl Chunk {
    fn reserve(len: usize) -> Option<Chunk> {
        Some(Chunk { ptr: map_anonymous(len)?, len, used: 0 })
    }
}

impl Drop for ExecutableMemory {
    fn drop(&mut self) {
        for chunk in &self.chunks {
            // SAFETY: each chunk was mapped by `reserve` with this address and length. The owner
            // (the program's JIT) is dropped only when no machine can run its code any more.
            unsafe {
                libc::munmap(chunk.ptr.as_ptr().cast(), chunk.len);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_stops_at_the_limit() {
        let page = PAGE_SIZE as usize;
        let mut memory = ExecutableMemory::new(3 * page);
        assert!(memory.install(&[0xc3; 10]).is_some());
        assert!(memory.install(&vec![0xc3; page + 1]).is_some()); // two pages
        assert!(memory.is_full());
        assert!(memory.install(&[0xc3]).is_none());
        let mut memory = ExecutableMemory::new(3 * page);
        assert!(memory.install(&vec![0xc3; 3 * page + 1]).is_none());
        assert!(memory.is_full(), "a refused install stops further ones");
    }
}
