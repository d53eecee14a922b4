//! System calls 480-499: the godot-sandbox guest library's "native" libc functions. Its
//! programs route `malloc` and friends, and the hot string and memory functions, to the host:
//! a host `memcpy` is one bounds check and a native copy instead of a guest loop.

use super::{SyscallHandler, SyscallTable};
use crate::error::HostError;
use crate::machine::Machine;
use crate::native_heap::{HeapError, NativeHeap};

const MALLOC: usize = 480;
const CALLOC: usize = 481;
const REALLOC: usize = 482;
const FREE: usize = 483;
const MEMINFO: usize = 484;
const MEMCPY: usize = 485;
const MEMSET: usize = 486;
const MEMMOVE: usize = 487;
const MEMCMP: usize = 488;
const STRLEN: usize = 490;
const STRCMP: usize = 491;

/// Adds the native functions to `table`.
pub(crate) fn install<T>(table: &mut SyscallTable<T>) {
    let handlers: &[(usize, SyscallHandler<T>)] = &[
        (MALLOC, malloc),
        (CALLOC, calloc),
        (REALLOC, realloc),
        (FREE, free),
        (MEMINFO, meminfo),
        (MEMCPY, memmove),
        (MEMSET, memset),
        (MEMMOVE, memmove),
        (MEMCMP, memcmp),
        (STRLEN, strlen),
        (STRCMP, strncmp),
    ];
    for &(number, handler) in handlers {
        table[number] = Some(handler);
    }
}

impl From<HeapError> for HostError {
    fn from(error: HeapError) -> Self {
        match error {
            HeapError::NotAllocated(addr) => HostError::Refused(format!("{addr:#x} is not an allocated chunk")),
        }
    }
}

/// The machine's native heap, reserved from the mmap area on first use: half of the largest
/// free range. Each use is charged for the free list an allocation may walk.
fn heap<T>(m: &mut Machine<T>) -> &mut NativeHeap {
    let fragments = m.native_heap.as_ref().map_or(0, NativeHeap::fragments);
    m.charge(fragments);
    let (heap, max_chunks) = (&mut m.heap, m.options.heap_allocations_max);
    m.native_heap.get_or_insert_with(|| {
        let size = (heap.largest_free() / 2) & !(crate::elf::PAGE_SIZE - 1);
        let base = heap.map(size).unwrap_or(0);
        NativeHeap::new(base, if base == 0 { 0 } else { size }, max_chunks)
    })
}

fn malloc<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    let size = m.sysarg(0);
    let addr = heap(m).allocate(size).unwrap_or(0);
    m.set_result(addr);
    Ok(())
}

fn calloc<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    let addr = match m.sysarg(0).checked_mul(m.sysarg(1)) {
        Some(size) => match heap(m).allocate(size) {
            Some(addr) => {
                m.memory.zero(addr, size)?;
                m.charge_bytes(size);
                addr
            }
            None => 0,
        },
        None => 0,
    };
    m.set_result(addr);
    Ok(())
}

fn realloc<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    let (addr, size) = (m.sysarg(0), m.sysarg(1));
    if addr == 0 {
        return malloc(m);
    }
    if size == 0 {
        heap(m).release(addr)?;
        m.set_result(0);
        return Ok(());
    }
    if heap(m).resize_in_place(addr, size)? {
        m.set_result(addr);
        return Ok(());
    }
    let old_size = heap(m).size_of(addr)?;
    let Some(new) = heap(m).allocate_replacement(size) else {
        m.set_result(0);
        return Ok(());
    };
    m.memory.copy_within(addr, new, old_size.min(size))?;
    m.charge_bytes(old_size.min(size));
    heap(m).release(addr)?;
    m.set_result(new);
    Ok(())
}

fn free<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    let addr = m.sysarg(0);
    if addr != 0 {
        heap(m).release(addr)?;
    }
    Ok(())
}

/// Writes `{ bytes_free, bytes_used, chunks_used }` (three u64) to `a0`.
fn meminfo<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    let info = heap(m).info();
    let out = m.sysarg(0);
    for (i, value) in [info.bytes_free, info.bytes_used, info.chunks_used].into_iter().enumerate() {
        m.memory.write_u64(out + 8 * i as u64, value)?;
    }
    m.set_result(0);
    Ok(())
}

/// `memcpy` and `memmove` (the host copy handles overlap either way); returns `dst`.
fn memmove<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    let (dst, src, len) = (m.sysarg(0), m.sysarg(1), m.sysarg(2));
    m.memory.copy_within(src, dst, len)?;
    m.charge_bytes(len);
    m.set_result(dst);
    Ok(())
}

fn memset<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    let (dst, byte, len) = (m.sysarg(0), m.sysarg(1), m.sysarg(2));
    m.memory.view_mut(dst, len)?.fill(byte as u8);
    m.charge_bytes(len);
    m.set_result(dst);
    Ok(())
}

/// The C sign of the first difference between two byte strings.
fn compare(a: &[u8], b: &[u8]) -> i64 {
    a.iter().zip(b).find(|(x, y)| x != y).map_or(0, |(&x, &y)| x as i64 - y as i64)
}

fn memcmp<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    let (a, b, len) = (m.sysarg(0), m.sysarg(1), m.sysarg(2));
    let result = compare(m.memory.view(a, len)?, m.memory.view(b, len)?);
    m.charge_bytes(2 * len);
    m.set_result(result as u64);
    Ok(())
}

fn strlen<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    let len = m.memory.c_string(m.sysarg(0), m.memory.size())?.len();
    m.charge_bytes(len as u64);
    m.set_result(len as u64);
    Ok(())
}

/// `strcmp` (the guest passes 4096 as the limit) and `strncmp`: compares at most `a2` bytes.
fn strncmp<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    let (a, b, limit) = (m.sysarg(0), m.sysarg(1), m.sysarg(2));
    let bounded = |addr: u64| -> Result<&[u8], HostError> {
        let window = m.memory.size().saturating_sub(addr).min(limit);
        let bytes = m.memory.view(addr, window)?;
        // Up to and including the terminator, so "ab" and "abc" differ at the NUL.
        Ok(bytes.iter().position(|&c| c == 0).map_or(bytes, |end| &bytes[..=end]))
    };
    let (x, y) = (bounded(a)?, bounded(b)?);
    let common = x.len().min(y.len());
    let mut result = compare(&x[..common], &y[..common]);
    if result == 0 && x.len() != y.len() && common < limit as usize {
        let next = |s: &[u8]| s.get(common).copied().unwrap_or(0) as i64;
        result = next(x) - next(y);
    }
    let scanned = (x.len() + y.len()) as u64;
    m.charge_bytes(scanned);
    m.set_result(result as u64);
    Ok(())
}
