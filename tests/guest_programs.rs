//! Guest programs (`tests/guests/*.c`, `*.cpp`) run under `rvsandbox run` and under `qemu-riscv64`;
//! stdout and exit code must match exactly. Plus `rvsandbox call` on `callable.c` and the `run`
//! error paths.
//!
//! A guest source may carry directives in its comments:
//!   `// args: a b ""`      arguments passed to the program (`""` is an empty argument)
//!   `// expect-exit: N`    the exit code qemu must produce too (checks the guest itself)
//!
//! Needs riscv64-linux-gnu-gcc/g++ and qemu-riscv64 (`tools/setup`); fails when they are missing.
//! `RVSANDBOX_BIN=/path/to/runner` tests another runner in place of the built `rvsandbox`.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use support::*;

const RUN_TIMEOUT: Duration = Duration::from_secs(180);

/// Guests compared against qemu. `every_guest_source_has_a_test` keeps this list complete.
macro_rules! guest_tests {
    ($($name:ident),* $(,)?) => {
        const GUESTS: &[&str] = &[$(stringify!($name)),*];
        $(
            #[test]
            fn $name() {
                compare_with_qemu(stringify!($name));
            }
        )*
    };
}

guest_tests!(
    argv,
    atomics,
    containers,
    deep_recursion,
    exceptions,
    exit_code,
    exit_via_exit,
    float_math,
    iostream,
    malloc_stress,
    printf_formats,
    qsort,
    setjmp_longjmp,
    virtual_calls,
);

/// Guests that are not compared against qemu (they are driven by other tests).
const OTHER_GUESTS: &[&str] = &["callable"];

fn guests_dir() -> PathBuf {
    repo_root().join("tests/guests")
}

fn source_of(name: &str) -> PathBuf {
    let dir = guests_dir();
    for ext in ["c", "cpp"] {
        let p = dir.join(format!("{name}.{ext}"));
        if p.exists() {
            return p;
        }
    }
    panic!("no tests/guests/{name}.c or .cpp");
}

/// Compiles a guest (cached by modification time) and returns the executable.
fn build_guest(name: &str) -> PathBuf {
    require_toolchain();
    let src = source_of(name);
    let out = scratch_dir("guests").join(name);
    if src.extension().unwrap() == "cpp" {
        compile(CXX, &["-O2", "-static"], &src, &out, &[]);
    } else {
        compile(CC, &["-O2", "-static"], &src, &out, &["-lm"]);
    }
    out
}

struct Directives {
    args: Vec<String>,
    expect_exit: Option<i32>,
}

fn directives(src: &Path) -> Directives {
    let text = std::fs::read_to_string(src).unwrap();
    let mut d = Directives { args: Vec::new(), expect_exit: None };
    for line in text.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("// args:") {
            d.args = rest.split_whitespace().map(|a| if a == "\"\"" { String::new() } else { a.to_string() }).collect();
        } else if let Some(rest) = line.strip_prefix("// expect-exit:") {
            d.expect_exit = Some(rest.trim().parse().expect("expect-exit: N"));
        }
    }
    d
}

fn compare_with_qemu(name: &str) {
    let exe = build_guest(name);
    let d = directives(&source_of(name));
    let qemu = run(Command::new(QEMU).arg(&exe).args(&d.args), RUN_TIMEOUT);
    assert!(
        !qemu.timed_out(),
        "guest `{name}`: qemu-riscv64 timed out — the guest itself is broken\n{}",
        qemu.stderr_lossy()
    );
    if let Some(want) = d.expect_exit {
        assert_eq!(
            qemu.code(),
            Some(want),
            "guest `{name}`: under qemu: {} (the guest itself is broken)",
            qemu.status_text()
        );
    }
    for mode in EXECUTION_MODES {
        let ours = run(Command::new(rvsandbox()).arg("run").args(*mode).arg(&exe).args(&d.args), RUN_TIMEOUT);
        compare_outcomes(name, &ours, &qemu);
    }
}

/// How `rvsandbox run` runs each guest: as it does by default, interpreting only, and compiling
/// every block to native code before it first runs.
const EXECUTION_MODES: &[&[&str]] = &[&[], &["--interpret"], &["--compile-after", "0"]];

fn compare_outcomes(name: &str, ours: &RunResult, qemu: &RunResult) {
    let same_out = ours.stdout == qemu.stdout;
    let same_status = ours.code().is_some() && ours.code() == qemu.code();
    if !same_out || !same_status {
        let mut msg =
            format!("guest `{name}` differs between rvsandbox and qemu-riscv64\n  command: {}\n", ours.command);
        msg.push_str(&format!(
            "  exit: rvsandbox {} / qemu {}{}\n",
            ours.status_text(),
            qemu.status_text(),
            if same_status { "" } else { "   <- MISMATCH" }
        ));
        msg.push_str(&format!("  rvsandbox stderr:\n{}\n", cap(&ours.stderr_lossy(), 4000)));
        if same_out {
            msg.push_str("  stdout: identical\n");
        } else {
            msg.push_str(&text_diff("rvsandbox", &ours.stdout_lossy(), "qemu", &qemu.stdout_lossy()));
        }
        panic!("{msg}");
    }
}

#[test]
fn every_guest_source_has_a_test() {
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(guests_dir()).unwrap() {
        let p = entry.unwrap().path();
        let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
        if ext != "c" && ext != "cpp" {
            continue;
        }
        let stem = p.file_stem().unwrap().to_str().unwrap().to_string();
        if !GUESTS.contains(&stem.as_str()) && !OTHER_GUESTS.contains(&stem.as_str()) {
            missing.push(stem);
        }
    }
    assert!(
        missing.is_empty(),
        "tests/guests has programs with no test; add them to guest_tests! in tests/guest_programs.rs: {missing:?}"
    );
}

// ---------------------------------------------------------------- rvsandbox call

fn call(opts: &[&str], function: &str, args: &[&str]) -> RunResult {
    let exe = build_guest("callable");
    run(Command::new(rvsandbox()).arg("call").args(opts).arg(&exe).arg(function).args(args), RUN_TIMEOUT)
}

/// The last line of stdout of a successful `call`.
fn call_result(opts: &[&str], function: &str, args: &[&str]) -> String {
    let r = call(opts, function, args);
    assert!(
        r.success(),
        "`{}` failed: {}\nstdout:\n{}\nstderr:\n{}",
        r.command,
        r.status_text(),
        r.stdout_lossy(),
        r.stderr_lossy()
    );
    let out = r.stdout_lossy();
    let last = out.lines().last().unwrap_or("").trim().to_string();
    assert!(!last.is_empty(), "`{}` printed no result line; stdout:\n{out}", r.command);
    last
}

fn call_int(function: &str, args: &[&str]) -> i64 {
    let last = call_result(&[], function, args);
    last.parse()
        .unwrap_or_else(|_| panic!("call {function} {args:?}: last stdout line {last:?} is not a signed decimal"))
}

fn call_float(function: &str, args: &[&str]) -> f64 {
    let last = call_result(&["--float"], function, args);
    last.parse()
        .unwrap_or_else(|_| panic!("call --float {function} {args:?}: last stdout line {last:?} is not a number"))
}

#[test]
fn call_add() {
    assert_eq!(call_int("add", &["2", "3"]), 5);
    assert_eq!(call_int("add", &["4000000000", "5000000000"]), 9_000_000_000);
}

#[test]
fn call_result_is_signed() {
    assert_eq!(call_int("sub", &["2", "9"]), -7);
}

#[test]
fn call_mul_float() {
    assert_eq!(call_float("mul", &["1.5", "4.0"]), 6.0);
    assert_eq!(call_float("mul", &["0.5", "0.25"]), 0.125);
}

#[test]
fn call_mixed_int_and_float_arguments() {
    // n goes to a0 and x to fa0: integer and float registers are counted separately.
    assert_eq!(call_float("scale", &["3", "0.5"]), 1.5);
}

#[test]
fn call_strlen_of_string_argument() {
    assert_eq!(call_int("strlen_of", &["hello, sandbox"]), 14);
    assert_eq!(call_int("strlen_of", &["x"]), 1);
}

#[test]
fn call_sum8_uses_all_argument_registers() {
    // a + 2b + 3c + ... + 8h with 1..8 = 204: each argument lands in its own register.
    assert_eq!(call_int("sum8", &["1", "2", "3", "4", "5", "6", "7", "8"]), 204);
}

#[test]
fn call_fib() {
    assert_eq!(call_int("fib", &["20"]), 6765);
}

#[test]
fn call_output_of_main_and_function_reaches_stdout() {
    let r = call(&[], "print_and_return", &["hi"]);
    assert!(r.success(), "`{}`: {}\n{}", r.command, r.status_text(), r.stderr_lossy());
    let out = r.stdout_lossy();
    assert!(out.contains("guest says: hi\n"), "guest output missing from stdout:\n{out}");
    assert_eq!(out.lines().last(), Some("7"), "stdout:\n{out}");
}

#[test]
fn call_instruction_limit_stops_endless_loop() {
    let r = call(&["--max-instructions", "1000000"], "loop_forever", &[]);
    assert!(!r.timed_out(), "`{}` did not stop within {RUN_TIMEOUT:?}", r.command);
    assert_one_line_failure(&r);
}

#[test]
fn call_unknown_function_fails() {
    let r = call(&[], "no_such_function", &[]);
    assert_one_line_failure(&r);
}

// ---------------------------------------------------------------- rvsandbox run error paths

/// A clean failure: non-zero exit (not a signal, not a timeout), a one-line reason on stderr, no panic.
fn assert_one_line_failure(r: &RunResult) {
    let err = r.stderr_lossy();
    assert!(
        matches!(r.code(), Some(c) if c != 0),
        "`{}` should fail with a non-zero exit code, got {}\nstdout:\n{}\nstderr:\n{err}",
        r.command,
        r.status_text(),
        cap(&r.stdout_lossy(), 2000)
    );
    assert!(!err.contains("panicked"), "`{}` panicked:\n{err}", r.command);
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(
        lines.len() == 1,
        "`{}` should print a one-line reason on stderr, got {} lines:\n{err}",
        r.command,
        lines.len()
    );
}

#[test]
fn run_missing_file_fails() {
    let missing = scratch_dir("errors").join("does-not-exist.elf");
    let r = run(Command::new(rvsandbox()).arg("run").arg(&missing), RUN_TIMEOUT);
    assert_one_line_failure(&r);
}

#[test]
fn run_garbage_file_fails() {
    let path = scratch_dir("errors").join("garbage.bin");
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    std::fs::write(&path, bytes).unwrap();
    let r = run(Command::new(rvsandbox()).arg("run").arg(&path), RUN_TIMEOUT);
    assert_one_line_failure(&r);

    // An ELF header followed by garbage.
    let mut elf = b"\x7fELF\x02\x01\x01\x00".to_vec();
    elf.resize(200, 0xAB);
    let path = scratch_dir("errors").join("truncated.elf");
    std::fs::write(&path, elf).unwrap();
    let r = run(Command::new(rvsandbox()).arg("run").arg(&path), RUN_TIMEOUT);
    assert_one_line_failure(&r);
}

#[test]
fn run_non_riscv_elf_fails() {
    // The host's rvsandbox executable itself is a valid ELF for the wrong machine.
    let r = run(Command::new(rvsandbox()).arg("run").arg(env!("CARGO_BIN_EXE_rvsandbox")), RUN_TIMEOUT);
    assert_one_line_failure(&r);
}

#[test]
fn run_instruction_limit_stops_program() {
    let exe = build_guest("deep_recursion");
    let r = run(Command::new(rvsandbox()).args(["run", "--max-instructions", "10000"]).arg(&exe), RUN_TIMEOUT);
    assert_one_line_failure(&r);
}

#[test]
fn run_exit_code_is_guest_exit_code() {
    let exe = build_guest("exit_code");
    let r = run(Command::new(rvsandbox()).arg("run").arg(&exe), RUN_TIMEOUT);
    assert_eq!(r.code(), Some(3), "`{}`: {}\n{}", r.command, r.status_text(), r.stderr_lossy());
    assert_eq!(r.stdout_lossy(), "returning 3\n");
}

#[test]
fn run_stats_reports_instructions() {
    let exe = build_guest("exit_code");
    let r = run(Command::new(rvsandbox()).args(["run", "--stats"]).arg(&exe), RUN_TIMEOUT);
    assert_eq!(r.code(), Some(3), "`{}`: {}\n{}", r.command, r.status_text(), r.stderr_lossy());
    assert_eq!(r.stdout_lossy(), "returning 3\n", "--stats must not write to stdout");
    let err = r.stderr_lossy().to_lowercase();
    assert!(
        err.contains("instructions") && err.chars().any(|c| c.is_ascii_digit()),
        "--stats should print the instruction count to stderr, got:\n{err}"
    );
}

/// A memory size whose byte count overflows 64 bits (2^44 MiB) is refused as too large, not
/// wrapped around to a small one.
#[test]
fn run_memory_size_overflow_is_refused() {
    let exe = build_guest("exit_code");
    let r = run(Command::new(rvsandbox()).args(["run", "--memory", "17592186044416"]).arg(&exe), RUN_TIMEOUT);
    assert_eq!(r.code(), Some(126), "`{}`: {}\n{}", r.command, r.status_text(), r.stderr_lossy());
    assert!(r.stderr_lossy().contains("64 GiB"), "{}", r.stderr_lossy());
}

#[test]
fn run_too_little_memory_fails_cleanly() {
    let exe = build_guest("malloc_stress");
    let r = run(Command::new(rvsandbox()).args(["run", "--memory", "1"]).arg(&exe), RUN_TIMEOUT);
    assert!(
        matches!(r.code(), Some(c) if c != 0),
        "`{}` with 1 MiB should fail, got {}\n{}",
        r.command,
        r.status_text(),
        r.stderr_lossy()
    );
    assert!(!r.stderr_lossy().contains("panicked"), "`{}` panicked:\n{}", r.command, r.stderr_lossy());
}
