//! Call-latency benchmark of the embedding API: how long a host-to-guest call takes.
//!
//! `cargo bench -p rvsandbox-vm --bench calls` builds `bench/guests/calls.c` with the RISC-V cross
//! compiler, then times, per call (median of several rounds of many calls each):
//! an empty function, a function of four integers, a function that makes one host call, and a
//! host call that makes a nested call back into the guest (`preempt`).

use std::hint::black_box;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use rvsandbox_vm::{Arg, HostError, Machine, Options, Program};

const CALLS_PER_ROUND: u32 = 200_000;
const ROUNDS: usize = 15;

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

/// Median nanoseconds per call of `call` over [`ROUNDS`] rounds.
fn time(mut call: impl FnMut()) -> f64 {
    let mut rounds: Vec<f64> = (0..ROUNDS)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..CALLS_PER_ROUND {
                call();
            }
            start.elapsed().as_nanos() as f64 / CALLS_PER_ROUND as f64
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    rounds[ROUNDS / 2]
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

    println!("| what | cost |");
    println!("|---|---:|");
    let row = |name: &str, ns: f64| println!("| {name} | {ns:.1} ns |");
    row("empty function", time(|| _ = black_box(m.vmcall_address(empty, &[]).unwrap())));
    let args = [Arg::Int(1), Arg::Int(2), Arg::Int(3), Arg::Int(4)];
    row("four integer arguments", time(|| _ = black_box(m.vmcall_address(four, black_box(&args)).unwrap())));
    row("one host call", time(|| _ = black_box(m.vmcall_address(one_host_call, &[Arg::Int(7)]).unwrap())));
    row("host call + nested call (preempt)", time(|| _ = black_box(m.vmcall_address(nested, &[Arg::Int(7)]).unwrap())));
    row("by name (hash lookup) + empty", time(|| _ = black_box(m.vmcall("empty", &[]).unwrap())));
    instances(&elf);
}
