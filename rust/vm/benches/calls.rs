//! Call-latency benchmark of the embedding API: how long a host-to-guest call takes.
//!
//! `cargo bench -p rvsandbox-vm --bench calls` builds `bench/guests/calls.c` with the RISC-V cross
//! compiler, then times, per call (median of several rounds of many calls each):
//! an empty function, a function of four integers, a function that makes one host call, and a
//! host call that makes a nested call back into the guest (`preempt`), all with
//! `Machine::vmcall_ints`; then the first two again with arguments as a `&[Arg]` slice
//! (`Machine::vmcall_address`).
//!
//! `cargo bench -p rvsandbox-vm --bench calls -- --profile NAME` (NAME: `empty`, `four`,
//! `host`, `nested`, `slice-empty` or `slice-four`) makes only that call, 10,000 times after a
//! warm-up, inside the function `calls::time`; under
//! `valgrind --tool=callgrind --toggle-collect='calls::time*'` the count divided by 10,000 is
//! host instructions per call, a steady figure on a noisy machine.

use std::hint::black_box;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use rvsandbox_vm::{Arg, HostError, Machine, Options, Program};

const CALLS_PER_ROUND: u32 = 200_000;
const ROUNDS: usize = 15;
/// Calls made by `--profile`, in one round.
const PROFILED_CALLS: u32 = 10_000;

fn host_echo(m: &mut Machine<u64>) -> Result<(), HostError> {
    m.set_result(m.sysarg(0));
    Ok(())
}

fn host_nested(m: &mut Machine<u64>) -> Result<(), HostError> {
    let callback = m.data;
    let value = m.preempt(callback, &[Arg::Int(m.sysarg(0) as i64)]).map_err(Box::new)?;
    m.set_result(value);
    Ok(())
}

fn build_guest() -> Vec<u8> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = std::env::temp_dir().join(format!("rvsandbox-bench-calls-{}", std::process::id()));
    let status = Command::new("riscv64-linux-gnu-gcc")
        .args(["-O2", "-static", "-o"])
        .arg(&out)
        .arg(root.join("bench/guests/calls.c"))
        .status()
        .expect("riscv64-linux-gnu-gcc is needed (tools/setup installs it)");
    assert!(status.success(), "building the benchmark guest failed");
    let elf = std::fs::read(&out).unwrap();
    let _ = std::fs::remove_file(out);
    elf
}

/// Median nanoseconds per call of `call` over `rounds` rounds of `calls` calls. Not inlined, so
/// that callgrind can count what runs inside it.
#[inline(never)]
fn time(rounds: usize, calls: u32, mut call: impl FnMut()) -> f64 {
    let mut samples: Vec<f64> = (0..rounds)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..calls {
                call();
            }
            start.elapsed().as_nanos() as f64 / calls as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[rounds / 2]
}

/// Prints the median time of `call` as a table row, or, when profiling `short`, only makes the
/// calls callgrind counts.
fn measure(
    m: &mut Machine<u64>,
    profile: Option<&str>,
    short: &str,
    label: &str,
    mut call: impl FnMut(&mut Machine<u64>) -> Result<u64, rvsandbox_vm::Error>,
) {
    let mut call = || _ = black_box(call(m).unwrap());
    match profile {
        None => println!("| {label} | {:.1} ns |", time(ROUNDS, CALLS_PER_ROUND, call)),
        Some(name) if name == short => {
            // Past the compile threshold first, so that the profile shows the steady state.
            for _ in 0..PROFILED_CALLS {
                call();
            }
            time(1, PROFILED_CALLS, call);
        }
        Some(_) => {}
    }
}

/// Private resident memory of this process in KiB (`RssAnon`: pages it owns alone, which is what
/// each instance adds; the shared image pages are counted once by the kernel, in `RssShmem`).
fn resident_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|line| line.starts_with("RssAnon:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// What another machine for an already-parsed program costs: time to create it, and resident
/// memory it adds once `main` has run.
fn instances(elf: &[u8]) {
    let program = Program::parse(elf).unwrap();
    let options = Options { memory_max: 16 << 20, stack_size: 1 << 20, ..Options::default() };
    let mut machines = Vec::new();
    let create = time_each(200, || machines.push(Machine::from_program(program.clone(), options.clone(), ()).unwrap()));
    machines.clear();
    let before = resident_kib();
    const COUNT: u64 = 50;
    for _ in 0..COUNT {
        let mut m = Machine::from_program(program.clone(), options.clone(), ()).unwrap();
        m.run(u64::MAX).unwrap();
        machines.push(m);
    }
    let added = (resident_kib() - before) / COUNT;
    println!("| new instance of a loaded program | {:.1} µs |", create / 1000.0);
    println!("| private memory per instance after main | {added} KiB |");
}

/// Median nanoseconds of one `run` over `times` runs.
fn time_each(times: usize, mut run: impl FnMut()) -> f64 {
    let mut samples: Vec<f64> = (0..times)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed().as_nanos() as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[times / 2]
}

fn main() {
    let elf = build_guest();
    let mut m = Machine::new(&elf, Options::default(), 0u64).unwrap();
    m.run(u64::MAX).unwrap();
    m.install_syscall_handler(500, host_echo);
    m.install_syscall_handler(501, host_nested);
    m.data = m.address_of("callback").unwrap();
    let address = |name| m.address_of(name).unwrap();
    let (empty, four, one_host_call, nested) =
        (address("empty"), address("four"), address("one_host_call"), address("nested"));

    let args: Vec<String> = std::env::args().collect();
    let profile = args.iter().position(|arg| arg == "--profile").map(|at| args[at + 1].as_str());
    if profile.is_none() {
        println!("| what | cost |");
        println!("|---|---:|");
    }
    let m = &mut m;
    let four_args = [Arg::Int(1), Arg::Int(2), Arg::Int(3), Arg::Int(4)];
    measure(m, profile, "empty", "empty function", |m| m.vmcall_ints(empty, []));
    measure(m, profile, "four", "four integer arguments", |m| m.vmcall_ints(four, black_box([1, 2, 3, 4])));
    measure(m, profile, "host", "one host call", |m| m.vmcall_ints(one_host_call, [7]));
    measure(m, profile, "nested", "host call + nested call (preempt)", |m| m.vmcall_ints(nested, [7]));
    measure(m, profile, "slice-empty", "empty function, `&[Arg]` arguments", |m| m.vmcall_address(empty, &[]));
    measure(m, profile, "slice-four", "four integer arguments, `&[Arg]`", |m| {
        m.vmcall_address(four, black_box(&four_args))
    });
    measure(m, profile, "by-name", "by name (hash lookup) + empty", |m| m.vmcall("empty", &[]));
    if profile.is_some() {
        return;
    }
    instances(&elf);
}
