//! Helpers shared by the integration tests under `tests/`: locating the `rvsandbox` binary and the
//! RISC-V toolchain, compiling guests (cached under the cargo target dir), and running processes with
//! a timeout while capturing their output.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

pub const CC: &str = "riscv64-linux-gnu-gcc";
pub const CXX: &str = "riscv64-linux-gnu-g++";
pub const QEMU: &str = "qemu-riscv64";

/// The `rvsandbox` binary under test. `RVSANDBOX_BIN` overrides it (handy for pointing the harness
/// at another runner, e.g. a script that execs qemu, to check the harness itself).
pub fn rvsandbox() -> PathBuf {
    match std::env::var_os("RVSANDBOX_BIN") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => PathBuf::from(env!("CARGO_BIN_EXE_rvsandbox")),
    }
}

/// The repository root (these tests live in `<root>/tests`, registered from `<root>/rust/cli`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repo root")
}

/// A scratch directory under the cargo target dir.
pub fn scratch_dir(sub: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(sub);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    dir
}

/// Fails the test (never skips it) when a required tool is not installed.
pub fn require_tool(tool: &str) {
    let ok = Command::new(tool)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(
        ok,
        "required tool `{tool}` is missing or broken (`{tool} --version` failed).\n\
         These tests compare rvsandbox against qemu-user using RISC-V cross-compiled guests;\n\
         install the toolchain with `tools/setup --no-godot` (Debian packages \
         gcc-riscv64-linux-gnu g++-riscv64-linux-gnu qemu-user)."
    );
}

pub fn require_toolchain() {
    require_tool(CC);
    require_tool(CXX);
    require_tool(QEMU);
}

fn mtime(p: &Path) -> Option<SystemTime> {
    std::fs::metadata(p).and_then(|m| m.modified()).ok()
}

static UNIQUE: AtomicU64 = AtomicU64::new(0);

/// A name unique within this process and across concurrently running test processes.
pub fn unique_suffix() -> String {
    format!("{}.{}", std::process::id(), UNIQUE.fetch_add(1, Ordering::Relaxed))
}

/// The bytes of the C program at `source` (relative to the repository root), built with
/// `CC -O2 -static` into the scratch directory `scratch` (rebuilt only when the source changes).
pub fn static_c_program(source: &str, scratch: &str) -> Vec<u8> {
    require_toolchain();
    let src = repo_root().join(source);
    let out = scratch_dir(scratch).join(src.file_stem().expect("a file name"));
    compile(CC, &["-O2", "-static"], &src, &out, &[]);
    std::fs::read(out).unwrap()
}

/// Compiles `src` with `compiler` into `out` (`compiler FLAGS src -o out LIBS`), unless `out` is newer
/// than `src`. Writes to a temporary name and renames, so parallel tests building the same guest do
/// not race.
pub fn compile(compiler: &str, flags: &[&str], src: &Path, out: &Path, libs: &[&str]) {
    if let (Some(s), Some(o)) = (mtime(src), mtime(out)) {
        if o > s {
            return;
        }
    }
    let tmp = out.with_extension(format!("tmp.{}", unique_suffix()));
    let res = run(Command::new(compiler).args(flags).arg(src).arg("-o").arg(&tmp).args(libs), Duration::from_secs(300));
    if !res.success() {
        let _ = std::fs::remove_file(&tmp);
        panic!(
            "compiling {} failed ({compiler} {}):\n{}{}",
            src.display(),
            flags.join(" "),
            res.stdout_lossy(),
            res.stderr_lossy()
        );
    }
    std::fs::rename(&tmp, out).unwrap_or_else(|e| panic!("rename to {}: {e}", out.display()));
}

#[derive(Debug)]
pub struct RunResult {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// None when the process was killed after the timeout.
    pub status: Option<ExitStatus>,
    pub elapsed: Duration,
    pub command: String,
}

impl RunResult {
    pub fn success(&self) -> bool {
        self.status.map(|s| s.success()).unwrap_or(false)
    }
    pub fn timed_out(&self) -> bool {
        self.status.is_none()
    }
    pub fn code(&self) -> Option<i32> {
        self.status.and_then(|s| s.code())
    }
    /// The exit code, the terminating signal, or the timeout, as text.
    pub fn status_text(&self) -> String {
        match self.status {
            None => "killed after timeout".to_string(),
            Some(s) => match s.code() {
                Some(c) => format!("exit code {c}"),
                None => {
                    use std::os::unix::process::ExitStatusExt;
                    format!("killed by signal {}", s.signal().unwrap_or(-1))
                }
            },
        }
    }
    pub fn stdout_lossy(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
    pub fn stderr_lossy(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

fn describe(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&shell_quote(a));
    }
    s
}

pub fn shell_quote(a: &OsStr) -> String {
    let a = a.to_string_lossy();
    if !a.is_empty() && a.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@".contains(c)) {
        a.into_owned()
    } else {
        format!("'{}'", a.replace('\'', "'\\''"))
    }
}

/// Runs `cmd` with stdin closed, capturing stdout and stderr; kills it after `timeout`.
pub fn run(cmd: &mut Command, timeout: Duration) -> RunResult {
    let command = describe(cmd);
    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start `{command}`: {e}"));
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let err_t = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let status = loop {
        match child.try_wait().expect("wait") {
            Some(s) => break Some(s),
            None if start.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            None => std::thread::sleep(Duration::from_millis(5)),
        }
    };
    let elapsed = start.elapsed();
    RunResult { stdout: out_t.join().unwrap(), stderr: err_t.join().unwrap(), status, elapsed, command }
}

/// A readable account of how two texts differ: the first differing line with context, then both
/// texts in full (each capped), so a failure shows exactly where the emulator went wrong.
pub fn text_diff(left_name: &str, left: &str, right_name: &str, right: &str) -> String {
    let l: Vec<&str> = left.split('\n').collect();
    let r: Vec<&str> = right.split('\n').collect();
    let first = (0..l.len().max(r.len())).find(|&i| l.get(i) != r.get(i)).unwrap_or(0);
    let mut s = format!("first difference at line {}:\n", first + 1);
    let from = first.saturating_sub(3);
    for i in from..(first + 4).min(l.len().max(r.len())) {
        let a = l.get(i).copied();
        let b = r.get(i).copied();
        if a == b {
            s.push_str(&format!("    {:>5} | {}\n", i + 1, a.unwrap_or("")));
        } else {
            s.push_str(&format!(
                "  - {:>5} | {}   <- {left_name}\n",
                i + 1,
                a.map_or("<missing>".into(), |x| format!("{x:?}"))
            ));
            s.push_str(&format!(
                "  + {:>5} | {}   <- {right_name}\n",
                i + 1,
                b.map_or("<missing>".into(), |x| format!("{x:?}"))
            ));
        }
    }
    s.push_str(&format!("--- full {left_name} output ---\n{}\n", cap(left, 6000)));
    s.push_str(&format!("--- full {right_name} output ---\n{}\n", cap(right, 6000)));
    s
}

pub fn cap(s: &str, max: usize) -> String {
    if s.len() <= max {
        s.to_string()
    } else {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}\n... ({} more bytes)", &s[..end], s.len() - end)
    }
}
