//! Native code must behave exactly like the interpreter: every test runs the same calls on a
//! machine that compiles everything before it runs (`compile_after: Some(0)`) and on one that
//! only interprets, and compares results, instruction counts and errors. Each also checks that
//! the compiling machine really ran native code.

mod support;

use std::sync::Arc;

use rvsandbox_vm::{Arg, Machine, Options, Program};

fn elf() -> Vec<u8> {
    support::static_c_program("tests/embedding/native_code.c", "native_code")
}

/// A compiling and an interpreting machine of the program, after `main`.
fn machines() -> [Machine; 2] {
    let elf = elf();
    [Some(0), None].map(|compile_after| {
        let options = Options { memory_max: 16 << 20, stack_size: 1 << 20, compile_after, ..Options::default() };
        let mut m = Machine::new(&elf, options, ()).expect("load");
        m.run(10_000_000).expect("main");
        m
    })
}

/// How a call ended.
#[derive(Debug, PartialEq)]
enum Outcome {
    Returned(u64),
    OutOfInstructions,
    /// The error, as its `Debug` text (errors are not comparable).
    Failed(String),
}

/// Calls `function` on both machines with an instruction limit, checks that both ended the
/// same way after the same number of instructions with the same registers, and returns how.
fn call_both(machines: &mut [Machine; 2], function: &str, args: &[Arg], limit: u64) -> Outcome {
    let [compiled, interpreted] = machines.each_mut().map(|m| {
        let address = m.address_of(function).expect("function exists");
        let before = m.instruction_count();
        let outcome = match m.setup_call(address, args).and_then(|()| m.simulate(limit)) {
            Err(error) => Outcome::Failed(format!("{error:?}")),
            Ok(()) if m.instruction_limit_reached() => Outcome::OutOfInstructions,
            Ok(()) => Outcome::Returned(m.return_value()),
        };
        (outcome, m.instruction_count() - before, m.cpu.pc, m.cpu.registers())
    });
    assert_eq!(compiled, interpreted, "{function}: native code and the interpreter disagree");
    let regions = machines[0].program().compile_stats().regions;
    assert!(regions > 0, "{function}: nothing was compiled");
    compiled.0
}

#[test]
fn integer_arithmetic_memory_and_branches_agree() {
    let mut m = machines();
    for n in [0, 1, 7, 1000, 20_000] {
        assert!(matches!(call_both(&mut m, "mix", &[Arg::Int(n)], u64::MAX), Outcome::Returned(_)));
    }
}

#[test]
fn handlers_called_from_native_code_agree() {
    let mut m = machines();
    assert!(matches!(call_both(&mut m, "floats_and_atomics", &[Arg::Int(5000)], u64::MAX), Outcome::Returned(_)));
}

#[test]
fn native_double_arithmetic_raises_the_same_flags() {
    let mut m = machines();
    // Inexact only; then inexact and underflow once the quotient is tiny (and finally zero).
    assert_eq!(call_both(&mut m, "division_flags", &[Arg::Int(300)], u64::MAX), Outcome::Returned(1000));
    assert_eq!(call_both(&mut m, "division_flags", &[Arg::Int(2000)], u64::MAX), Outcome::Returned(3001));
    assert_eq!(call_both(&mut m, "division_flags", &[Arg::Int(0)], u64::MAX), Outcome::Returned(0));
}

#[test]
fn other_rounding_modes_are_not_run_with_native_round_to_nearest() {
    let mut m = machines();
    let Outcome::Returned(bits) = call_both(&mut m, "rounded_toward_zero", &[Arg::Int(1000)], u64::MAX) else {
        panic!("rounded_toward_zero failed");
    };
    // Rounded toward zero, x = x / 3 + 1 settles just below 1.5; to nearest it reaches 1.5.
    assert!(f64::from_bits(bits) < 1.5, "{}", f64::from_bits(bits));
}

#[test]
fn calls_and_returns_between_regions_agree() {
    let mut m = machines();
    assert_eq!(call_both(&mut m, "fib", &[Arg::Int(20)], u64::MAX), Outcome::Returned(6765));
}

#[test]
fn the_instruction_limit_stops_native_code_at_the_same_instruction() {
    let mut m = machines();
    for limit in [1, 2, 3, 10, 999, 12_345, 1_000_003] {
        assert_eq!(call_both(&mut m, "spin", &[], limit), Outcome::OutOfInstructions, "limit {limit}");
        // The interrupted call may be followed by others.
        assert_eq!(call_both(&mut m, "fib", &[Arg::Int(10)], u64::MAX), Outcome::Returned(55));
    }
    // Near the end of the counter's range the budget saturates; native code must not wrap.
    for machine in m.iter_mut() {
        machine.cpu.instructions = u64::MAX - 10;
    }
    assert_eq!(call_both(&mut m, "spin", &[], 100), Outcome::OutOfInstructions);
    for machine in m.iter_mut() {
        machine.cpu.instructions = 0;
    }
    // A limit that ends in the middle of a compiled loop's work.
    for limit in [5_000, 77_777] {
        assert_eq!(call_both(&mut m, "mix", &[Arg::Int(1_000_000)], limit), Outcome::OutOfInstructions);
    }
}

#[test]
fn native_code_entered_past_the_end_of_the_budget_stops_at_once() {
    let mut m = machines();
    // At 100 the host call's charge alone overshoots the budget; at 20,000 the spin runs on.
    for limit in [100, 20_000] {
        assert_eq!(call_both(&mut m, "charge_then_spin", &[], limit), Outcome::OutOfInstructions, "limit {limit}");
    }
}

#[test]
fn faults_in_native_loads_and_in_handlers_are_reported_alike() {
    let mut m = machines();
    let near_end = (16 << 20) - 4096;
    let walked = call_both(&mut m, "walk", &[Arg::Int(near_end), Arg::Int(1 << 20)], u64::MAX);
    let Outcome::Failed(error) = walked else { panic!("walk off the end: {walked:?}") };
    assert!(error.contains("addr: 16777216") && error.contains("Read"), "{error}");
    // Below the image nothing may be read; text may be read but not written.
    let walked = call_both(&mut m, "walk", &[Arg::Int(8), Arg::Int(10)], u64::MAX);
    let Outcome::Failed(error) = walked else { panic!("read of address 8: {walked:?}") };
    assert!(error.contains("addr: 8,") && error.contains("Read"), "{error}");
    let text = m[0].address_of("spin").unwrap() as i64;
    let filled = call_both(&mut m, "fill", &[Arg::Int(text), Arg::Int(10)], u64::MAX);
    let Outcome::Failed(error) = filled else { panic!("write to text: {filled:?}") };
    assert!(error.contains(&format!("addr: {text},")) && error.contains("Write"), "{error}");
    // A byte store into the last bytes of memory is allowed (and done by the interpreter).
    assert_eq!(call_both(&mut m, "fill", &[Arg::Int((16 << 20) - 7), Arg::Int(7)], u64::MAX), Outcome::Returned(7));
    // Text is read-only: an atomic add to it faults inside the handler.
    let walked = call_both(&mut m, "atomic_walk", &[Arg::Int(text), Arg::Int(10)], u64::MAX);
    let Outcome::Failed(error) = walked else { panic!("atomic add to text: {walked:?}") };
    assert!(error.contains("Write"), "{error}");
    // The machines still work afterwards.
    assert_eq!(call_both(&mut m, "fib", &[Arg::Int(12)], u64::MAX), Outcome::Returned(144));
}

/// Every access size at each edge of what the guest may touch (the end of memory, the start of
/// the image, the start of writable memory): accesses that reach up to an edge work, accesses
/// that cross it fault, in native code exactly as in the interpreter.
#[test]
fn accesses_across_the_edges_of_memory_fault_in_native_code_too() {
    let mut m = machines();
    let memory = &m[0].memory;
    let end = memory.size() as i64;
    let writable = memory.writable_start() as i64;
    let readable = (0..end).step_by(4096).find(|&page| memory.read_u8(page as u64).is_ok()).expect("an image");
    // Which functions, and where their accesses may go: from `edge` on, or up to it.
    let integer = [("load_sized", [1, 2, 4, 8]), ("store_sized", [1, 2, 4, 8])];
    let float = [("load_float_sized", [4, 8]), ("store_float_sized", [4, 8])];
    let functions = integer.iter().flat_map(|(f, sizes)| sizes.map(|size| (*f, size)));
    let functions = functions.chain(float.iter().flat_map(|(f, sizes)| sizes.map(|size| (*f, size))));
    for (function, size) in functions {
        let start = if function.starts_with("load") { readable } else { writable };
        for (edge, edge_is_start) in [(end, false), (start, true)] {
            for addr in edge - size - 1..=edge + 1 {
                let allowed = if edge_is_start { addr >= edge } else { addr + size <= edge };
                let outcome = call_both(&mut m, function, &[Arg::Int(addr), Arg::Int(size)], u64::MAX);
                let faulted = matches!(outcome, Outcome::Failed(_));
                assert_eq!(faulted, !allowed, "{function}({addr:#x}, {size}): {outcome:?}");
            }
        }
    }
}

#[test]
fn machines_of_one_program_on_several_threads_share_native_code_safely() {
    let program = Program::parse(&elf()).expect("parse");
    let options =
        |compile_after| Options { memory_max: 16 << 20, stack_size: 1 << 20, compile_after, ..Options::default() };
    let expected = {
        let mut m = Machine::from_program(program.clone(), options(None), ()).unwrap();
        m.run(10_000_000).unwrap();
        [m.vmcall("mix", &[Arg::Int(3000)]).unwrap(), m.vmcall("fib", &[Arg::Int(18)]).unwrap()]
    };
    // Every thread compiles and runs the same code at the same time, with a low threshold so
    // that compiling and running overlap.
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let program = Arc::clone(&program);
            std::thread::spawn(move || {
                let mut m = Machine::from_program(program, options(Some(2)), ()).unwrap();
                m.run(10_000_000).unwrap();
                (0..20)
                    .map(|_| [m.vmcall("mix", &[Arg::Int(3000)]).unwrap(), m.vmcall("fib", &[Arg::Int(18)]).unwrap()])
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for thread in threads {
        for results in thread.join().expect("no thread panicked") {
            assert_eq!(results, expected);
        }
    }
    assert!(program.compile_stats().regions > 0);
}
