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
    support::require_toolchain();
    let src = support::repo_root().join("tests/guests/exit_code.c");
    let out = support::scratch_dir("hostile").join("exit_code");
    support::compile(support::CC, &["-O2", "-static"], &src, &out, &[]);
    std::fs::read(out).unwrap()
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
            let options = Options { memory_max: 32 << 20, ..Options::default() };
            match Machine::new(&bytes, options, ()) {
                Ok(mut machine) => {
                    machine.set_output(|_, _| {});
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
