//! The Linux system calls a static glibc or libstdc++ program makes, for one thread with no
//! files or network. Everything the sandbox does not offer answers with the errno a locked-down
//! process would see.

use std::time::{SystemTime, UNIX_EPOCH};

use super::{SyscallHandler, SyscallTable, SYSCALL_TABLE_SIZE};
use crate::error::HostError;
use crate::heap::page_round;
use crate::machine::Machine;
use crate::startup::next_random;

// errno values (asm-generic).
const ENOENT: i64 = 2;
const EBADF: i64 = 9;
const EAGAIN: i64 = 11;
const ENOMEM: i64 = 12;
const EACCES: i64 = 13;
const EINVAL: i64 = 22;
const ENOTTY: i64 = 25;
const ESPIPE: i64 = 29;

// System-call numbers (RISC-V uses the asm-generic table).
const GETCWD: usize = 17;
const FCNTL: usize = 25;
const IOCTL: usize = 29;
const FACCESSAT: usize = 48;
const OPENAT: usize = 56;
const CLOSE: usize = 57;
const LSEEK: usize = 62;
const READ: usize = 63;
const WRITE: usize = 64;
const READV: usize = 65;
const WRITEV: usize = 66;
const READLINKAT: usize = 78;
const NEWFSTATAT: usize = 79;
const FSTAT: usize = 80;
const EXIT: usize = 93;
const EXIT_GROUP: usize = 94;
const SET_TID_ADDRESS: usize = 96;
const FUTEX: usize = 98;
const SET_ROBUST_LIST: usize = 99;
const NANOSLEEP: usize = 101;
const CLOCK_GETTIME: usize = 113;
const CLOCK_GETRES: usize = 114;
const CLOCK_NANOSLEEP: usize = 115;
const SCHED_YIELD: usize = 124;
const KILL: usize = 129;
const TKILL: usize = 130;
const TGKILL: usize = 131;
const RT_SIGACTION: usize = 134;
const RT_SIGPROCMASK: usize = 135;
const UNAME: usize = 160;
const GETRLIMIT: usize = 163;
const GETRUSAGE: usize = 165;
const GETTIMEOFDAY: usize = 169;
const GETPID: usize = 172;
const GETPPID: usize = 173;
const GETUID: usize = 174;
const GETEUID: usize = 175;
const GETGID: usize = 176;
const GETEGID: usize = 177;
const GETTID: usize = 178;
const SOCKET: usize = 198;
const BRK: usize = 214;
const MUNMAP: usize = 215;
const MREMAP: usize = 216;
const MMAP: usize = 222;
const MPROTECT: usize = 226;
const MADVISE: usize = 233;
const PRLIMIT64: usize = 261;
const GETRANDOM: usize = 278;
const STATX: usize = 291;

const MAP_FIXED: u64 = 0x10;
const MAP_ANONYMOUS: u64 = 0x20;
const MREMAP_MAYMOVE: u64 = 1;
const RLIMIT_STACK: u64 = 3;
const MAX_SIGNAL: u64 = 64;
const S_IFCHR: u32 = 0o020000;

/// The table every machine starts with.
pub(crate) fn table<T>() -> SyscallTable<T> {
    let mut table: SyscallTable<T> = Box::new([None; SYSCALL_TABLE_SIZE]);
    let handlers: &[(usize, SyscallHandler<T>)] = &[
        (GETCWD, getcwd),
        (FCNTL, fd_only_standard),
        (IOCTL, ioctl),
        (FACCESSAT, no_such_file),
        (OPENAT, no_such_file),
        (CLOSE, fd_only_standard),
        (LSEEK, lseek),
        (READ, read),
        (WRITE, write),
        (READV, read),
        (WRITEV, writev),
        (READLINKAT, no_such_file),
        (NEWFSTATAT, newfstatat),
        (FSTAT, fstat),
        (STATX, no_such_file),
        (EXIT, exit),
        (EXIT_GROUP, exit),
        (SET_TID_ADDRESS, gettid),
        (FUTEX, futex),
        (SET_ROBUST_LIST, success),
        (NANOSLEEP, success),
        (CLOCK_NANOSLEEP, success),
        (SCHED_YIELD, success),
        (CLOCK_GETTIME, clock_gettime),
        (CLOCK_GETRES, clock_getres),
        (GETTIMEOFDAY, gettimeofday),
        (KILL, kill),
        (TKILL, kill),
        (TGKILL, kill),
        (RT_SIGACTION, rt_sigaction),
        (RT_SIGPROCMASK, rt_sigprocmask),
        (UNAME, uname),
        (GETRLIMIT, getrlimit),
        (PRLIMIT64, prlimit64),
        (GETRUSAGE, getrusage),
        (GETPID, gettid),
        (GETTID, gettid),
        (GETPPID, success),
        (GETUID, success),
        (GETEUID, success),
        (GETGID, success),
        (GETEGID, success),
        (SOCKET, access_denied),
        (BRK, brk),
        (MMAP, mmap),
        (MUNMAP, munmap),
        (MREMAP, mremap),
        (MPROTECT, success),
        (MADVISE, success),
        (GETRANDOM, getrandom),
    ];
    for &(number, handler) in handlers {
        table[number] = Some(handler);
    }
    super::native::install(&mut table);
    table
}

fn errno<T>(m: &mut Machine<T>, errno: i64) -> Result<(), HostError> {
    m.set_result(-errno as u64);
    Ok(())
}

fn success<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    m.set_result(0);
    Ok(())
}

fn no_such_file<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    errno(m, ENOENT)
}

fn access_denied<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    errno(m, EACCES)
}

fn is_standard(fd: u64) -> bool {
    fd <= 2
}

/// `fcntl` and `close`: fine on the three standard streams, `EBADF` on anything else.
fn fd_only_standard<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    if is_standard(m.sysarg(0)) {
        success(m)
    } else {
        errno(m, EBADF)
    }
}

fn ioctl<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    errno(m, if is_standard(m.sysarg(0)) { ENOTTY } else { EBADF })
}

fn lseek<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    errno(m, if is_standard(m.sysarg(0)) { ESPIPE } else { EBADF })
}

/// Standard input is always at its end; nothing else can be read.
fn read<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    if m.sysarg(0) == 0 {
        success(m)
    } else {
        errno(m, EBADF)
    }
}

fn output_fd(fd: u64) -> Option<u32> {
    (fd == 1 || fd == 2).then_some(fd as u32)
}

fn write<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    let Some(fd) = output_fd(m.sysarg(0)) else {
        return errno(m, EBADF);
    };
    let (addr, len) = (m.sysarg(1), m.sysarg(2));
    let bytes = m.memory.view(addr, len)?;
    let cost = (m.output)(fd, bytes);
    m.charge(cost);
    m.charge_bytes(len);
    m.set_result(len);
    Ok(())
}

fn writev<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    let Some(fd) = output_fd(m.sysarg(0)) else {
        return errno(m, EBADF);
    };
    let (iov, count) = (m.sysarg(1), m.sysarg(2));
    if count > 1024 {
        return errno(m, EINVAL);
    }
    let mut total = 0u64;
    for i in 0..count {
        let base = m.memory.read_u64(iov + 16 * i)?;
        let len = m.memory.read_u64(iov + 16 * i + 8)?;
        let bytes = m.memory.view(base, len)?;
        let cost = (m.output)(fd, bytes);
        m.charge(cost);
        m.charge_bytes(len);
        total += len;
    }
    m.set_result(total);
    Ok(())
}

/// Fills a `struct stat` for a standard stream: a character device.
fn stat_standard_stream<T>(m: &mut Machine<T>, addr: u64) -> Result<(), HostError> {
    let stat = m.memory.view_mut(addr, 128)?;
    stat.fill(0);
    stat[16..20].copy_from_slice(&(S_IFCHR | 0o620).to_le_bytes());
    stat[56..60].copy_from_slice(&1024u32.to_le_bytes());
    success(m)
}

fn fstat<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    if !is_standard(m.sysarg(0)) {
        return errno(m, EBADF);
    }
    stat_standard_stream(m, m.sysarg(1))
}

/// `newfstatat(fd, "", buf, AT_EMPTY_PATH)` is how glibc spells `fstat`; paths do not exist.
fn newfstatat<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    let path_is_empty = m.memory.c_string(m.sysarg(1), 4096)?.is_empty();
    if !path_is_empty {
        return errno(m, ENOENT);
    }
    if !is_standard(m.sysarg(0)) {
        return errno(m, EBADF);
    }
    stat_standard_stream(m, m.sysarg(2))
}

fn getcwd<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    let (addr, size) = (m.sysarg(0), m.sysarg(1));
    if size < 2 {
        return errno(m, 34); // ERANGE
    }
    m.memory.copy_to_guest(addr, b"/\0")?;
    m.set_result(2);
    Ok(())
}

fn exit<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    m.exit_status = Some(m.sysarg(0) as i32);
    m.stop();
    Ok(())
}

/// A signal sent to ourselves (`abort` uses `tgkill`) ends the program like a shell reports a
/// killed process: status 128 + signal. Numbers beyond Linux's 64 signals are `EINVAL`.
fn kill<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    let signal = m.sysarg(if m.cpu.reg(crate::machine::reg::A7) == TGKILL as u64 { 2 } else { 1 });
    if signal == 0 {
        return success(m);
    }
    if signal > MAX_SIGNAL {
        return errno(m, EINVAL);
    }
    m.exit_status = Some(128 + signal as i32);
    m.stop();
    Ok(())
}

/// The only process and thread: id 1.
fn gettid<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    m.set_result(1);
    Ok(())
}

/// One thread: a wait whose value has changed returns at once, a wait that would block forever
/// returns `EAGAIN`, and a wake wakes nobody.
fn futex<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    const FUTEX_WAIT: u64 = 0;
    match m.sysarg(1) & 0x7f {
        FUTEX_WAIT => errno(m, EAGAIN),
        _ => success(m),
    }
}

fn write_timespec<T>(m: &mut Machine<T>, addr: u64, seconds: u64, nanos: u64) -> Result<(), HostError> {
    m.memory.write_u64(addr, seconds)?;
    m.memory.write_u64(addr + 8, nanos)?;
    Ok(())
}

fn now() -> std::time::Duration {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default()
}

fn clock_gettime<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    let t = now();
    write_timespec(m, m.sysarg(1), t.as_secs(), t.subsec_nanos() as u64)?;
    success(m)
}

fn clock_getres<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    if m.sysarg(1) != 0 {
        write_timespec(m, m.sysarg(1), 0, 1)?;
    }
    success(m)
}

fn gettimeofday<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    let t = now();
    if m.sysarg(0) != 0 {
        write_timespec(m, m.sysarg(0), t.as_secs(), t.subsec_micros() as u64)?;
    }
    success(m)
}

/// Signals are never delivered; the old action and mask read as the defaults.
fn rt_sigaction<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    if m.sysarg(2) != 0 {
        m.memory.zero(m.sysarg(2), 32)?;
    }
    success(m)
}

fn rt_sigprocmask<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    if m.sysarg(2) != 0 {
        m.memory.zero(m.sysarg(2), 8)?;
    }
    success(m)
}

fn uname<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    let fields: [&[u8]; 6] = [b"Linux", b"rvsandbox", b"6.1.0", b"#1 rvsandbox", b"riscv64", b""];
    let addr = m.sysarg(0);
    let buffer = m.memory.view_mut(addr, 65 * 6)?;
    buffer.fill(0);
    for (i, field) in fields.iter().enumerate() {
        buffer[65 * i..65 * i + field.len()].copy_from_slice(field);
    }
    success(m)
}

fn write_rlimit<T>(m: &mut Machine<T>, resource: u64, addr: u64) -> Result<(), HostError> {
    let limit = if resource == RLIMIT_STACK { m.options.stack_size } else { u64::MAX };
    m.memory.write_u64(addr, limit)?;
    m.memory.write_u64(addr + 8, limit)?;
    Ok(())
}

fn getrlimit<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    write_rlimit(m, m.sysarg(0), m.sysarg(1))?;
    success(m)
}

/// Limits can be read but not changed.
fn prlimit64<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    if m.sysarg(3) != 0 {
        write_rlimit(m, m.sysarg(1), m.sysarg(3))?;
    }
    success(m)
}

fn getrusage<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    m.memory.zero(m.sysarg(1), 144)?;
    success(m)
}

fn getrandom<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    let (addr, len) = (m.sysarg(0), m.sysarg(1));
    let mut state = m.random_state;
    let buffer = m.memory.view_mut(addr, len)?;
    for chunk in buffer.chunks_mut(8) {
        let bytes = next_random(&mut state).to_le_bytes();
        chunk.copy_from_slice(&bytes[..chunk.len()]);
    }
    m.random_state = state;
    m.charge_bytes(len);
    m.set_result(len);
    Ok(())
}

fn brk<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    if let Some((start, len)) = m.heap.set_brk(m.sysarg(0)) {
        m.memory.zero(start, len)?;
        m.charge_bytes(len);
    }
    m.set_result(m.heap.brk());
    Ok(())
}

fn mmap<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    let (hint, len, flags) = (m.sysarg(0), m.sysarg(1), m.sysarg(3));
    if flags & MAP_ANONYMOUS == 0 {
        return errno(m, EACCES);
    }
    let Some(len) = page_round(len).filter(|&l| l > 0) else {
        return errno(m, EINVAL);
    };
    // Finding and carving the range walks the free list.
    m.charge(m.heap.fragments());
    let addr = if flags & MAP_FIXED != 0 { m.heap.map_fixed(hint, len).then_some(hint) } else { m.heap.map(len) };
    match addr {
        Some(addr) => {
            m.memory.zero(addr, len)?;
            m.charge_bytes(len);
            m.set_result(addr);
            Ok(())
        }
        None => errno(m, ENOMEM),
    }
}

fn munmap<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    let (addr, len) = (m.sysarg(0), m.sysarg(1));
    match page_round(len) {
        Some(len) if addr % crate::elf::PAGE_SIZE == 0 => {
            m.charge(m.heap.fragments());
            m.heap.unmap(addr, len);
            success(m)
        }
        _ => errno(m, EINVAL),
    }
}

fn mremap<T>(m: &mut Machine<T>) -> Result<(), HostError> {
    let (old, old_len, new_len, flags) = (m.sysarg(0), m.sysarg(1), m.sysarg(2), m.sysarg(3));
    let (Some(old_len), Some(new_len)) = (page_round(old_len), page_round(new_len)) else {
        return errno(m, EINVAL);
    };
    if old % crate::elf::PAGE_SIZE != 0 || old.checked_add(old_len.max(new_len)).is_none() {
        return errno(m, EINVAL);
    }
    m.charge(m.heap.fragments());
    m.charge_bytes(new_len);
    if new_len <= old_len {
        m.heap.unmap(old + new_len, old_len - new_len);
        m.set_result(old);
        return Ok(());
    }
    if m.heap.is_free(old + old_len, new_len - old_len) {
        m.heap.map_fixed(old + old_len, new_len - old_len);
        m.memory.zero(old + old_len, new_len - old_len)?;
        m.set_result(old);
        return Ok(());
    }
    if flags & MREMAP_MAYMOVE == 0 {
        return errno(m, ENOMEM);
    }
    let Some(new) = m.heap.map(new_len) else {
        return errno(m, ENOMEM);
    };
    m.memory.zero(new + old_len, new_len - old_len)?;
    m.memory.copy_within(old, new, old_len)?;
    m.heap.unmap(old, old_len);
    m.set_result(new);
    Ok(())
}
