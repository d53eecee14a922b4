//! What a Linux process finds when it starts: `argc`, `argv`, `envp` and the auxiliary vector on
//! the stack, as glibc's start-up code reads them.

use crate::elf::PAGE_SIZE;
use crate::machine::Machine;
use crate::memory::MemoryFault;

const AT_NULL: u64 = 0;
const AT_PHDR: u64 = 3;
const AT_PHENT: u64 = 4;
const AT_PHNUM: u64 = 5;
const AT_PAGESZ: u64 = 6;
const AT_BASE: u64 = 7;
const AT_FLAGS: u64 = 8;
const AT_ENTRY: u64 = 9;
const AT_UID: u64 = 11;
const AT_EUID: u64 = 12;
const AT_GID: u64 = 13;
const AT_EGID: u64 = 14;
const AT_HWCAP: u64 = 16;
const AT_CLKTCK: u64 = 17;
const AT_SECURE: u64 = 23;
const AT_RANDOM: u64 = 25;
const AT_EXECFN: u64 = 31;

/// The `misa`-style letters of the extensions a guest may rely on: I, M, A, F, D, C.
const HWCAP: u64 = {
    let mut bits = 0;
    let letters = *b"IMAFDC";
    let mut i = 0;
    while i < letters.len() {
        bits |= 1 << (letters[i] - b'A');
        i += 1;
    }
    bits
};

/// A fresh seed for `AT_RANDOM` and `getrandom`, from the host's hash randomness.
pub(crate) fn seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(0x5eed);
    hasher.finish()
}

/// The next value of a splitmix64 generator.
pub(crate) fn next_random(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Writes strings, the random bytes and the vectors below the top of the stack; returns the
/// initial stack pointer (16-byte aligned, pointing at `argc`).
pub(crate) fn build_stack<T>(machine: &mut Machine<T>) -> Result<u64, MemoryFault> {
    let mut sp = machine.stack_top - PAGE_SIZE;
    let mut push_bytes = |machine: &mut Machine<T>, bytes: &[u8]| -> Result<u64, MemoryFault> {
        sp = sp.checked_sub(bytes.len() as u64).ok_or(MemoryFault {
            addr: 0,
            len: bytes.len() as u64,
            kind: crate::AccessKind::Write,
        })?;
        machine.memory.copy_to_guest(sp, bytes)?;
        Ok(sp)
    };
    let mut random = [0u8; 16];
    for chunk in random.chunks_mut(8) {
        chunk.copy_from_slice(&next_random(&mut machine.random_state).to_le_bytes());
    }
    let random_addr = push_bytes(machine, &random)?;
    let mut strings = |machine: &mut Machine<T>, list: Vec<String>| -> Result<Vec<u64>, MemoryFault> {
        list.iter()
            .map(|s| {
                let mut bytes = s.clone().into_bytes();
                bytes.push(0);
                push_bytes(machine, &bytes)
            })
            .collect()
    };
    let argv = strings(machine, machine.options.argv.clone())?;
    let env = strings(machine, machine.options.env.clone())?;
    let program = machine.program.clone();
    let (phdr, phnum) = program.program_headers;
    let auxv = [
        (AT_PHDR, phdr),
        (AT_PHENT, 56),
        (AT_PHNUM, phnum),
        (AT_PAGESZ, PAGE_SIZE),
        (AT_BASE, 0),
        (AT_FLAGS, 0),
        (AT_ENTRY, program.entry),
        (AT_UID, 0),
        (AT_EUID, 0),
        (AT_GID, 0),
        (AT_EGID, 0),
        (AT_HWCAP, HWCAP),
        (AT_CLKTCK, 100),
        (AT_SECURE, 0),
        (AT_RANDOM, random_addr),
        (AT_EXECFN, argv.first().copied().unwrap_or(0)),
        (AT_NULL, 0),
    ];
    let mut words: Vec<u64> = vec![argv.len() as u64];
    words.extend(&argv);
    words.push(0);
    words.extend(&env);
    words.push(0);
    for (key, value) in auxv {
        words.extend([key, value]);
    }
    let size = words.len() as u64 * 8;
    let start = (sp - size) & !15;
    for (i, word) in words.iter().enumerate() {
        machine.memory.write_u64(start + 8 * i as u64, *word)?;
    }
    Ok(start)
}
