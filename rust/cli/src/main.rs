//! `rvsandbox`: run RISC-V Linux programs in the sandbox, or call their functions.
//!
//! Exit status: the guest's own for `run`; 0 for a completed `call`; 2 for a usage error;
//! 125 when the guest faults or runs out of instructions; 126 when the program cannot be loaded.

use std::process::ExitCode;
use std::time::Instant;

use rvsandbox_vm::{Arg, Error, Machine, Options, RunOutcome, DEFAULT_COMPILE_AFTER};

const USAGE: &str = "\
usage:
  rvsandbox run [OPTIONS] [--stats] PROGRAM [ARGS...]
  rvsandbox call [OPTIONS] [--float] PROGRAM FUNCTION [ARGS...]

options:
  --max-instructions N   stop the guest after N instructions (exit status 125)
  --memory MIB           guest memory size (default 256)
  --compile-after N      compile code to native code once it has run N times (default 4096;
                         0 compiles everything first)
  --interpret            never compile: interpret every instruction

run   runs PROGRAM like a process: its output is ours, and so is its exit status.
call  runs PROGRAM's main, then calls FUNCTION and prints its return value (a0 as a signed
      integer, or fa0 with --float) as the last line. Arguments that parse as integers go in
      integer registers, numbers with a '.' in float registers, anything else is passed as a
      string pointer.";

const EXIT_USAGE: u8 = 2;
const EXIT_FAULT: u8 = 125;
const EXIT_LOAD: u8 = 126;

/// Parsed command-line flags shared by both subcommands.
struct Flags {
    max_instructions: u64,
    memory_mib: u64,
    stats: bool,
    float: bool,
    /// `Options::compile_after`.
    compile_after: Option<u32>,
    rest: Vec<String>,
}

fn parse_flags(args: &[String]) -> Result<Flags, String> {
    let mut flags = Flags {
        max_instructions: u64::MAX,
        memory_mib: 256,
        stats: false,
        float: false,
        compile_after: Some(DEFAULT_COMPILE_AFTER),
        rest: Vec::new(),
    };
    let mut i = 0;
    while i < args.len() {
        let number = |i: usize| -> Result<u64, String> {
            let value = args.get(i + 1).ok_or_else(|| format!("{} needs a value", args[i]))?;
            value.parse().map_err(|_| format!("{} needs a whole number, not {value:?}", args[i]))
        };
        match args[i].as_str() {
            "--max-instructions" => {
                flags.max_instructions = number(i)?;
                i += 1;
            }
            "--memory" => {
                flags.memory_mib = number(i)?;
                i += 1;
            }
            "--compile-after" => {
                let runs = number(i)?;
                flags.compile_after =
                    Some(u32::try_from(runs).map_err(|_| format!("--compile-after {runs} is too large"))?);
                i += 1;
            }
            "--interpret" => flags.compile_after = None,
            "--stats" => flags.stats = true,
            "--float" => flags.float = true,
            "--" => {
                flags.rest.extend_from_slice(&args[i + 1..]);
                break;
            }
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            _ => {
                flags.rest.extend_from_slice(&args[i..]);
                break;
            }
        }
        i += 1;
    }
    Ok(flags)
}

fn load(flags: &Flags, argv: Vec<String>) -> Result<Machine, ExitCode> {
    let path = &argv[0];
    let elf = std::fs::read(path).map_err(|e| fail(EXIT_LOAD, &format!("cannot read {path}: {e}")))?;
    // A size whose bytes overflow is one no machine can have; the loader refuses it by name.
    let options = Options {
        memory_max: flags.memory_mib.saturating_mul(1 << 20),
        argv: argv.clone(),
        call_instruction_limit: flags.max_instructions,
        compile_after: flags.compile_after,
        ..Options::default()
    };
    Machine::new(&elf, options, ()).map_err(|e| fail(EXIT_LOAD, &format!("cannot load {path}: {e}")))
}

fn fail(code: u8, message: &str) -> ExitCode {
    eprintln!("rvsandbox: {message}");
    ExitCode::from(code)
}

/// One line naming the error and where in the guest it happened.
fn describe(machine: &Machine, error: &Error) -> String {
    match error.pc() {
        Some(pc) => format!("{error}, in {}", machine.location(pc)),
        None => error.to_string(),
    }
}

fn run(flags: Flags) -> ExitCode {
    if flags.rest.is_empty() {
        return fail(EXIT_USAGE, "run needs a PROGRAM");
    }
    let mut machine = match load(&flags, flags.rest.clone()) {
        Ok(machine) => machine,
        Err(code) => return code,
    };
    let started = Instant::now();
    let outcome = machine.run(flags.max_instructions);
    if flags.stats {
        let seconds = started.elapsed().as_secs_f64();
        let count = machine.instruction_count();
        eprintln!("instructions: {count}");
        eprintln!("seconds: {seconds:.6}");
        eprintln!("instructions per second: {:.0}", count as f64 / seconds.max(1e-9));
        let compiled = machine.program().compile_stats();
        eprintln!("regions compiled: {}", compiled.regions);
        eprintln!("compile seconds: {:.6}", compiled.time.as_secs_f64());
    }
    match outcome {
        Ok(RunOutcome::Exited(status)) => ExitCode::from(status as u8),
        Ok(RunOutcome::Stopped) => ExitCode::SUCCESS,
        Err(error) => fail(EXIT_FAULT, &describe(&machine, &error)),
    }
}

fn parse_call_arg(text: &str) -> Arg<'_> {
    if let Ok(int) = text.parse::<i64>() {
        Arg::Int(int)
    } else if let (true, Ok(float)) = (text.contains('.'), text.parse::<f64>()) {
        Arg::Float(float)
    } else {
        Arg::Str(text)
    }
}

fn call(flags: Flags) -> ExitCode {
    let [program, function, args @ ..] = flags.rest.as_slice() else {
        return fail(EXIT_USAGE, "call needs a PROGRAM and a FUNCTION");
    };
    let mut machine = match load(&flags, vec![program.clone()]) {
        Ok(machine) => machine,
        Err(code) => return code,
    };
    if let Err(error) = machine.run(flags.max_instructions) {
        return fail(EXIT_FAULT, &format!("main did not finish: {}", describe(&machine, &error)));
    }
    let args: Vec<Arg> = args.iter().map(|a| parse_call_arg(a)).collect();
    match machine.vmcall(function, &args) {
        Ok(_) if flags.float => println!("{}", machine.return_f64()),
        Ok(value) => println!("{}", value as i64),
        Err(error) => return fail(EXIT_FAULT, &describe(&machine, &error)),
    }
    ExitCode::SUCCESS
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(command) = args.first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(EXIT_USAGE);
    };
    let flags = match parse_flags(&args[1..]) {
        Ok(flags) => flags,
        Err(message) => return fail(EXIT_USAGE, &format!("{message}\n{USAGE}")),
    };
    match command.as_str() {
        "run" => run(flags),
        "call" => call(flags),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        other => fail(EXIT_USAGE, &format!("unknown command {other:?}\n{USAGE}")),
    }
}
