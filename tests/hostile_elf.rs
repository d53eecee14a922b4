//! Hostile ELF files: seeded random corruptions of a real program must load with a typed error or
//! load and run (within a small budget) to a typed outcome; nothing may panic.

mod support;

use std::panic::{catch_unwind, AssertUnwindSafe};

use rvsandbox_vm::{Machine, Options};

/// xorshift64*: a tiny deterministic generator, so a failing case can be replayed by its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn program() -> Vec<u8> {
    support::static_c_program("tests/guests/exit_code.c", "hostile")
}

/// Corrupts the headers (where a loader's decisions come from) more often than the body.
fn corrupt(elf: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut bytes = elf.to_vec();
    let header_end = 64 + 56 * 12;
    for _ in 0..1 + rng.below(8) {
        let at = if rng.below(4) == 0 { rng.below(bytes.len()) } else { rng.below(header_end) };
        match rng.below(3) {
            0 => bytes[at] ^= 1 << rng.below(8),
            1 => bytes[at] = rng.next() as u8,
            _ => {
                // A whole 8-byte field set to an extreme (sizes, offsets, addresses).
                let extremes = [0u64, u64::MAX, 1 << 63, 0x7fff_ffff, 4096, 1 << 40];
                let value = extremes[rng.below(extremes.len())].to_le_bytes();
                let at = at.min(bytes.len() - 8) & !7;
                bytes[at..at + 8].copy_from_slice(&value);
            }
        }
    }
    if rng.below(8) == 0 {
        bytes.truncate(rng.below(bytes.len()));
    }
    bytes
}

#[test]
fn corrupted_programs_never_panic() {
    let elf = program();
    let cases: u64 = std::env::var("RVSANDBOX_HOSTILE_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(400);
    let (mut loaded, mut refused) = (0, 0);
    for seed in 1..=cases {
        let bytes = corrupt(&elf, &mut Rng(seed * 0x9e37_79b9));
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            // Every fourth case compiles all code before it runs: native code must survive
            // corrupted programs too.
            let compile_after = if seed % 4 == 0 { Some(0) } else { Options::default().compile_after };
            let options = Options { memory_max: 32 << 20, compile_after, ..Options::default() };
            match Machine::new(&bytes, options, ()) {
                Ok(mut machine) => {
                    machine.set_output(|_, _| 0);
                    let _ = machine.run(200_000);
                    true
                }
                Err(error) => {
                    assert!(!error.to_string().is_empty());
                    false
                }
            }
        }));
        match outcome {
            Ok(true) => loaded += 1,
            Ok(false) => refused += 1,
            Err(_) => panic!("corruption seed {seed} made the loader or machine panic"),
        }
    }
    // Both paths must really be exercised.
    assert!(loaded > 0 && refused > 0, "loaded {loaded}, refused {refused}");
}

/// The byte offsets of the program headers of `elf`, and their `p_type`s.
fn program_headers(elf: &[u8]) -> Vec<(usize, u32)> {
    let field = |at: usize, len: usize| elf[at..at + len].iter().rev().fold(0u64, |v, &b| v << 8 | b as u64);
    let (phoff, phentsize, phnum) = (field(32, 8) as usize, field(54, 2) as usize, field(56, 2) as usize);
    (0..phnum).map(|i| phoff + i * phentsize).map(|at| (at, field(at, 4) as u32)).collect()
}

const PT_LOAD: u32 = 1;

fn set_u64(elf: &mut [u8], at: usize, value: u64) {
    elf[at..at + 8].copy_from_slice(&value.to_le_bytes());
}

/// Field offsets inside an ELF64 program header.
const P_OFFSET: usize = 8;
const P_FILESZ: usize = 32;
const P_MEMSZ: usize = 40;

/// A segment's size in memory is a number in the file: a huge one must cost the host nothing
/// until a machine is built (which then refuses it), not a host allocation of that size.
#[test]
fn huge_segment_sizes_allocate_nothing_on_the_host() {
    let elf = program();
    let loads: Vec<usize> =
        program_headers(&elf).into_iter().filter(|&(_, t)| t == PT_LOAD).map(|(at, _)| at).collect();
    let (text, data) = (loads[0], loads[1]);

    // A 32 GiB bss.
    let mut big_bss = elf.clone();
    set_u64(&mut big_bss, data + P_MEMSZ, 32 << 30);
    let program = rvsandbox_vm::Program::parse(&big_bss).expect("a large bss is a valid program");
    assert!(matches!(
        Machine::from_program(program, Options::default(), ()).err(),
        Some(rvsandbox_vm::LoadError::TooLarge { .. })
    ));

    // 32 GiB of executable memory (the data segment made a no-op so that nothing overlaps).
    let mut big_text = elf.clone();
    big_text[data..data + 4].copy_from_slice(&0u32.to_le_bytes());
    set_u64(&mut big_text, text + P_MEMSZ, 32 << 30);
    let program = rvsandbox_vm::Program::parse(&big_text).expect("a large text segment is a valid program");
    assert!(matches!(
        Machine::from_program(program, Options::default(), ()).err(),
        Some(rvsandbox_vm::LoadError::TooLarge { .. })
    ));
}

/// Loadable segments with no memory are ignored, but the search for the program headers' address
/// still reads them: their file range must not overflow.
#[test]
fn an_empty_load_segment_with_an_overflowing_file_range_is_harmless() {
    let elf = program();
    let headers = program_headers(&elf);
    let first_load = headers.iter().position(|&(_, t)| t == PT_LOAD).unwrap();
    assert!(first_load > 0, "the test needs a header before the first PT_LOAD");
    let (at, _) = headers[0];
    let phoff = u64::from_le_bytes(elf[32..40].try_into().unwrap());
    let mut bytes = elf.clone();
    bytes[at..at + 4].copy_from_slice(&PT_LOAD.to_le_bytes());
    set_u64(&mut bytes, at + P_OFFSET, phoff);
    set_u64(&mut bytes, at + P_FILESZ, u64::MAX);
    set_u64(&mut bytes, at + P_MEMSZ, 0);
    let mut machine = Machine::new(&bytes, Options::default(), ()).expect("the empty segment is skipped");
    machine.set_output(|_, _| 0);
    assert!(machine.run(10_000_000).is_ok());
}

/// Segments may name the same file bytes; a small file naming its text again and again must not
/// make the host hold a copy per segment.
#[test]
fn segments_repeating_the_same_file_bytes_are_refused() {
    let elf = program();
    let headers = program_headers(&elf);
    let text = headers.iter().find(|&&(_, t)| t == PT_LOAD).unwrap().0;
    let mut bytes = elf.clone();
    // Every header that is not PT_LOAD becomes another copy of the text, each at its own address.
    let others: Vec<usize> = headers.iter().filter(|&&(_, t)| t != PT_LOAD).map(|&(at, _)| at).collect();
    for (i, &at) in others.iter().enumerate() {
        bytes.copy_within(text..text + 56, at);
        let vaddr = (1u64 << 32) + ((i as u64) << 28);
        set_u64(&mut bytes, at + 16, vaddr);
        set_u64(&mut bytes, at + 24, vaddr);
    }
    assert!(matches!(
        Machine::new(&bytes, Options::default(), ()).err(),
        Some(rvsandbox_vm::LoadError::BadSegment { .. })
    ));
}
