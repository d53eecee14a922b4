//! The host memory behind guest memory: one anonymous mapping per machine, over which the
//! program image is mapped copy-on-write.
//!
//! Machines running the same program share the image's pages until they write to them, so a new
//! machine costs two `mmap` calls and only the pages it touches, instead of a copy of the whole
//! image. Untouched memory costs nothing: the kernel supplies zero pages on first use.

use std::fs::File;
use std::os::fd::{AsRawFd, FromRawFd};
use std::os::unix::fs::FileExt;
use std::ptr::NonNull;

use crate::elf::{Segment, PAGE_SIZE};

/// The program image as a file the kernel can map: guest addresses `0..len` of a fresh machine.
pub(crate) struct ImageFile {
    file: File,
    len: usize,
}

impl ImageFile {
    /// Writes the segments' file bytes at their addresses into an anonymous in-memory file, up
    /// to the page that holds the last of them. Everything else is a hole, which costs no host
    /// memory and reads as zeros. `None` where the kernel offers no such files; machines then
    /// copy the segments instead.
    pub fn new(segments: &[Segment]) -> Option<ImageFile> {
        let end = segments.iter().map(|s| s.addr + s.data.len() as u64).max().unwrap_or(0);
        let len = end.div_ceil(PAGE_SIZE) * PAGE_SIZE;
        // SAFETY: the name is a NUL-terminated string literal and the flags are valid.
        let fd = unsafe { libc::memfd_create(c"rvsandbox-image".as_ptr(), libc::MFD_CLOEXEC) };
        if fd < 0 {
            return None;
        }
        // SAFETY: `fd` was just returned by memfd_create, is open, and nothing else owns it.
        let file = unsafe { File::from_raw_fd(fd) };
        file.set_len(len).ok()?;
        for segment in segments {
            file.write_all_at(&segment.data, segment.addr).ok()?;
        }
        Some(ImageFile { file, len: len as usize })
    }
}

/// Maps `len` bytes of fresh, zeroed, readable and writable memory (committed only as pages are
/// touched); `None` if the host refuses. The caller owns the mapping and must unmap it.
pub(crate) fn map_anonymous(len: usize) -> Option<NonNull<u8>> {
    // SAFETY: a fresh private anonymous mapping; no existing memory is affected.
    let ptr = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
            -1,
            0,
        )
    };
    if ptr == libc::MAP_FAILED {
        return None;
    }
    NonNull::new(ptr.cast())
}

/// A zero-initialised, page-aligned block of host memory, unmapped on drop.
pub(crate) struct Arena {
    ptr: NonNull<u8>,
    len: usize,
    mapped_len: usize,
}

// SAFETY: an Arena exclusively owns its mapping, like a Vec owns its buffer; nothing in it is
// tied to a thread.
unsafe impl Send for Arena {}
// SAFETY: shared access only reads through `&[u8]`; writing needs `&mut Arena`.
unsafe impl Sync for Arena {}

impl Arena {
    /// `len` zero bytes, with `image` (if given) mapped copy-on-write at the start; `None` if the
    /// host refuses the mapping (out of address space or over a memory limit) or the image does
    /// not fit.
    pub fn new(len: usize, image: Option<&ImageFile>) -> Option<Arena> {
        let page = PAGE_SIZE as usize;
        let mapped_len = len.max(1).div_ceil(page) * page;
        let arena = Arena { ptr: map_anonymous(mapped_len)?, len, mapped_len };
        if image.is_some_and(|image| image.len > mapped_len) {
            return None;
        }
        if let Some(image) = image.filter(|image| image.len > 0) {
            // SAFETY: the range [ptr, ptr + image.len) lies inside the mapping made above, which
            // this Arena owns and nothing references yet; MAP_FIXED replaces exactly those pages
            // with a private (copy-on-write) view of the image file, which is `image.len` bytes
            // long (`set_len` in `ImageFile::new`), so no access to the view lies past its end.
            let mapped = unsafe {
                libc::mmap(
                    arena.ptr.as_ptr().cast(),
                    image.len,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_PRIVATE | libc::MAP_FIXED,
                    image.file.as_raw_fd(),
                    0,
                )
            };
            if mapped == libc::MAP_FAILED {
                return None;
            }
        }
        Some(arena)
    }
}

impl std::ops::Deref for Arena {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        // SAFETY: the mapping is `mapped_len >= len` bytes, readable, initialised (zero pages or
        // file contents), and lives as long as `self`.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl std::ops::DerefMut for Arena {
    fn deref_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in `deref`, and `&mut self` makes this the only reference.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for Arena {
    fn drop(&mut self) {
        // SAFETY: the mapping was made in `new` with this address and length, and no slice of it
        // outlives `self`.
        unsafe {
            libc::munmap(self.ptr.as_ptr().cast(), self.mapped_len);
        }
    }
}

/// An empty `Vec` with room for `capacity` elements, whose buffer the kernel is asked to back
/// with huge pages where it can: filling a large table then costs a handful of page faults
/// instead of one per 4 KiB (loading a large program spent a third of its time in them).
pub(crate) fn vec_with_huge_pages<T>(capacity: usize) -> Vec<T> {
    let mut vec = Vec::with_capacity(capacity);
    let spare = vec.spare_capacity_mut();
    let start = spare.as_mut_ptr() as usize;
    let end = start + std::mem::size_of_val(spare);
    let page = PAGE_SIZE as usize;
    let (from, to) = (start.next_multiple_of(page), end / page * page);
    if to > from {
        // SAFETY: `[from, to)` is the Vec's own allocation rounded inward to whole pages, which
        // nothing else uses. MADV_HUGEPAGE is advice about how to back those pages: it changes
        // neither their contents nor their permissions, and failing is harmless.
        unsafe { libc::madvise(from as *mut libc::c_void, to - from, libc::MADV_HUGEPAGE) };
    }
    vec
}
