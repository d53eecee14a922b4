//! Random system calls (tests/embedding/syscall_fuzz.c): whatever numbers and arguments a guest
//! passes, the core answers each call or ends the vmcall with an error; it never panics, never
//! runs away with the host's memory or time, and the machine stays usable.

mod support;

use rvsandbox_vm::{Arg, Machine, Options, Program};

const SEEDS: i64 = 3000;
const CALLS_PER_SEED: i64 = 200;

#[test]
fn random_system_calls_are_answered_or_refused_and_the_machine_stays_usable() {
    let elf = support::static_c_program("tests/embedding/syscall_fuzz.c", "syscall_fuzz");
    let program = Program::parse(&elf).expect("parse");
    let options = Options { memory_max: 32 << 20, stack_size: 1 << 20, ..Options::default() };
    let (mut completed, mut failed) = (0, 0);
    for seed in 0..SEEDS {
        let mut m = Machine::from_program(program.clone(), options.clone(), ()).expect("load");
        // Random writes to stdout and stderr would only be noise.
        m.set_output(|_, _| 0);
        m.run(10_000_000).expect("main");
        match m.vmcall("fuzz", &[Arg::Int(seed), Arg::Int(CALLS_PER_SEED)]) {
            Ok(made) => {
                assert_eq!(made as i64, CALLS_PER_SEED, "seed {seed}");
                completed += 1;
            }
            // A bad pointer or a refused request ends the call: that is an answer too.
            Err(_) => failed += 1,
        }
        assert_eq!(m.vmcall("echo", &[Arg::Int(seed)]).expect("the next call works"), seed as u64, "seed {seed}");
    }
    // Both outcomes happen: the calls are neither all refused nor never refused.
    assert!(completed > 0 && failed > 0, "completed {completed}, failed {failed}");
}
