//! The host memory behind guest memory: one anonymous mapping per machine, over which the
//! program image is mapped copy-on-write.
//!
//! Machines running the same program share the image's pages until they write to them, so a new
//! machine costs two `mmap` calls and only the pages it touches, instead of a copy of the whole
//! image. Untouched memory costs nothing: the kernel supplies zero pages on first use.

use std::fs::File;
use std::io::Write;
use std::os::fd::{AsRawFd, FromRawFd};
use std::ptr::NonNull;

/// The program image as a file the kernel can map: guest addresses `0..len` of a fresh machine.
pub(crate) struct ImageFile {
    file: File,
    len: usize,
}

impl ImageFile {
    /// Writes `image` (a whole number of pages) into an anonymous in-memory file. `None` where the
    /// kernel offers no such files; machines then copy the image instead.
    pub fn new(image: &[u8]) -> Option<ImageFile> {
        // SAFETY: the name is a NUL-terminated string literal and the flags are valid.
        let fd = unsafe { libc::memfd_create(c"rvsandbox-image".as_ptr(), libc::MFD_CLOEXEC) };
        if fd < 0 {
            return None;
        }
        // SAFETY: `fd` was just returned by memfd_create, is open, and nothing else owns it.
        let mut file = unsafe { File::from_raw_fd(fd) };
        file.write_all(image).ok()?;
        Some(ImageFile { file, len: image.len() })
    }
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
    /// host refuses the mapping (out of address space or over a memory limit).
    pub fn new(len: usize, image: Option<&ImageFile>) -> Option<Arena> {
        let page = crate::elf::PAGE_SIZE as usize;
        let mapped_len = len.max(1).div_ceil(page) * page;
        // SAFETY: a fresh private anonymous mapping; no existing memory is affected.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                mapped_len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return None;
        }
        let arena = Arena { ptr: NonNull::new(ptr.cast())?, len, mapped_len };
        if let Some(image) = image.filter(|image| image.len <= mapped_len) {
            // SAFETY: the range [ptr, ptr + image.len) lies inside the mapping made above, which
            // this Arena owns and nothing references yet; MAP_FIXED replaces exactly those pages
            // with a private (copy-on-write) view of the image file.
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
