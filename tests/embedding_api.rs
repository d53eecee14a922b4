//! Tests of the emulator core's embedding API (rvsandbox-vm), driven by `tests/embedding/host_api.c`.

mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use rvsandbox_vm::{
    AccessKind, Arg, CachedAddress, Error, HostError, LoadError, Machine, NativeHeapUsage, Options, Program,
    RunOutcome, DEFAULT_COMPILE_AFTER,
};

/// Counts the allocations made by the current thread, to prove that calls allocate nothing.
struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
    static ALLOCATED_BYTES: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: every method forwards to the system allocator unchanged; the counter is thread-local
// and `Cell::set` cannot allocate or unwind.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
        let _ = ALLOCATED_BYTES.try_with(|bytes| bytes.set(bytes.get() + layout.size() as u64));
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract, which we pass on as is.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` above with this `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn allocations() -> u64 {
    ALLOCATIONS.with(|count| count.get())
}

fn allocated_bytes() -> u64 {
    ALLOCATED_BYTES.with(|bytes| bytes.get())
}

/// Host data for the test handlers: the registered guest callback.
#[derive(Default)]
struct Host {
    callback: Option<u64>,
    /// The error of the last nested call host call 504 made.
    nested_error: Option<Error>,
}

fn host_add(m: &mut Machine<Host>) -> Result<(), HostError> {
    m.set_result(m.sysarg(0).wrapping_add(m.sysarg(1)));
    Ok(())
}

fn register_callback(m: &mut Machine<Host>) -> Result<(), HostError> {
    m.data.callback = Some(m.sysarg(0));
    m.set_result(0);
    Ok(())
}

fn call_callback(m: &mut Machine<Host>) -> Result<(), HostError> {
    let callback = m.data.callback.ok_or_else(|| HostError::Refused("no callback registered".into()))?;
    let value = m.preempt(callback, &[Arg::Int(m.sysarg(0) as i64)]).map_err(Box::new)?;
    m.set_result(value);
    Ok(())
}

/// Calls the registered callback with an argument too large for the stack, and keeps the error.
fn call_callback_with_too_much(m: &mut Machine<Host>) -> Result<(), HostError> {
    let callback = m.data.callback.ok_or_else(|| HostError::Refused("no callback registered".into()))?;
    let too_much = "x".repeat(4 << 20);
    m.data.nested_error = m.preempt(callback, &[Arg::Str(&too_much)]).err();
    m.set_result(0);
    Ok(())
}

fn stop(m: &mut Machine<Host>) -> Result<(), HostError> {
    m.stop();
    Ok(())
}

fn elf() -> Vec<u8> {
    support::static_c_program("tests/embedding/host_api.c", "embedding")
}

/// A machine that has run `main`, with its output captured.
fn machine() -> (Machine<Host>, Rc<RefCell<Vec<u8>>>) {
    machine_with(Options { memory_max: 16 << 20, stack_size: 1 << 20, ..Options::default() })
}

/// [`machine`] with `options`.
fn machine_with(options: Options) -> (Machine<Host>, Rc<RefCell<Vec<u8>>>) {
    let mut m = Machine::new(&elf(), options, Host::default()).expect("load");
    let output = Rc::new(RefCell::new(Vec::new()));
    let sink = output.clone();
    m.set_output(move |_, bytes| {
        sink.borrow_mut().extend_from_slice(bytes);
        0
    });
    m.install_syscall_handler(500, host_add);
    m.install_syscall_handler(501, register_callback);
    m.install_syscall_handler(502, call_callback);
    m.install_syscall_handler(503, stop);
    m.install_syscall_handler(504, call_callback_with_too_much);
    assert_eq!(m.run(100_000_000).expect("main"), RunOutcome::Exited(0));
    (m, output)
}

#[test]
fn main_runs_and_output_goes_to_the_sink() {
    let (_, output) = machine();
    assert_eq!(String::from_utf8_lossy(&output.borrow()), "host_api ready\n");
}

#[test]
fn what_the_output_sink_answers_is_charged_to_the_budget() {
    let instructions_of_main = |cost: u64| {
        let options = Options { memory_max: 16 << 20, stack_size: 1 << 20, ..Options::default() };
        let mut m = Machine::new(&elf(), options, Host::default()).expect("load");
        m.set_output(move |_, _| cost);
        m.run(100_000_000).expect("main");
        m.instruction_count()
    };
    // main writes one line.
    assert!(instructions_of_main(1_000_000) >= instructions_of_main(0) + 1_000_000);
}

#[test]
fn vmcall_passes_integer_float_string_and_struct_arguments() {
    let (mut m, _) = machine();
    assert_eq!(m.vmcall("add", &[Arg::Int(40), Arg::Int(2)]).unwrap(), 42);
    assert_eq!(m.vmcall("add", &[Arg::Int(-50), Arg::Int(8)]).unwrap() as i64, -42);
    let sum = m.vmcall("sum8", &(1..=8).map(Arg::Int).collect::<Vec<_>>()).unwrap();
    assert_eq!(sum, (1..=8).map(|i| i * i).sum::<i64>() as u64);
    m.vmcall("fmul", &[Arg::Float(1.5), Arg::Float(-4.0)]).unwrap();
    assert_eq!(m.return_f64(), -6.0);
    m.vmcall("mixed", &[Arg::Int(2), Arg::Float(0.25), Arg::Int(3), Arg::Float(0.5)]).unwrap();
    assert_eq!(m.return_f64(), 2.0);
    m.vmcall("fadd32", &[Arg::Float32(1.25), Arg::Float32(2.0)]).unwrap();
    assert_eq!(f32::from_bits(m.cpu.freg(10) as u32), 3.25);
    assert_eq!(m.vmcall("strlen_of", &[Arg::Str("hello, guest")]).unwrap(), 12);
    let point: Vec<u8> = [7u64, 3].iter().flat_map(|v| v.to_le_bytes()).collect();
    assert_eq!(m.vmcall("point_sum", &[Arg::Bytes(&point)]).unwrap(), 73);
}

#[test]
fn vmcall_ints_passes_integers_in_registers_and_nests_inside_handlers() {
    let (mut m, _) = machine();
    let (add, sum8, bump) =
        (m.address_of("add").unwrap(), m.address_of("sum8").unwrap(), m.address_of("bump").unwrap());
    assert_eq!(m.vmcall_ints(add, [40, 2]).unwrap(), 42);
    assert_eq!(m.vmcall_ints(add, [-50, 8]).unwrap() as i64, -42);
    assert_eq!(m.vmcall_ints(sum8, [1, 2, 3, 4, 5, 6, 7, 8]).unwrap(), (1..=8).map(|i| i * i).sum::<i64>() as u64);
    assert_eq!(m.vmcall_ints(bump, []).unwrap(), 1);
    assert_eq!(m.vmcall_ints(bump, []).unwrap(), 2);
    // From inside a handler it is a nested call, as `vmcall_address` is.
    fn call_callback_with_ints(m: &mut Machine<Host>) -> Result<(), HostError> {
        let value = m.vmcall_ints(m.data.callback.unwrap(), [m.sysarg(0) as i64]).map_err(Box::new)?;
        m.set_result(value);
        Ok(())
    }
    m.install_syscall_handler(502, call_callback_with_ints);
    m.vmcall("register_callback", &[]).unwrap();
    assert_eq!(m.vmcall("call_through_host", &[Arg::Int(21)]).unwrap(), 43);
    // The budget applies as to any call.
    let loop_forever = m.address_of("loop_forever").unwrap();
    assert!(matches!(m.vmcall_ints(loop_forever, []), Err(Error::InstructionLimit { .. })));
    assert_eq!(m.vmcall_ints(add, [1, 1]).unwrap(), 2);
}

#[test]
fn arguments_beyond_the_registers_go_on_the_stack() {
    let (mut m, _) = machine();
    let twelve: Vec<Arg> = (1..=12).map(Arg::Int).collect();
    assert_eq!(m.vmcall("sum12", &twelve).unwrap(), (1..=12).map(|i| i * i).sum::<i64>() as u64);
    let ten: Vec<Arg> = (1..=10).map(|i| Arg::Float(i as f64)).collect();
    m.vmcall("fsum10", &ten).unwrap();
    assert_eq!(m.return_f64(), (1..=10).map(|i| (i * i) as f64).sum::<f64>());
}

#[test]
fn too_many_arguments_and_unknown_functions_are_errors() {
    let (mut m, _) = machine();
    let too_many: Vec<Arg> = (0..8 + rvsandbox_vm::MAX_STACK_ARGS as i64 + 1).map(Arg::Int).collect();
    assert!(matches!(m.vmcall("sum8", &too_many), Err(Error::TooManyArguments)));
    assert!(
        matches!(m.vmcall("no_such_function", &[]), Err(Error::UnknownFunction(name)) if name == "no_such_function")
    );
    assert_eq!(m.vmcall("add", &[Arg::Int(1), Arg::Int(1)]).unwrap(), 2);
}

#[test]
fn state_persists_between_calls() {
    let (mut m, _) = machine();
    for expected in 1..=5 {
        assert_eq!(m.vmcall("bump", &[]).unwrap(), expected);
    }
    let counter = m.address_of("counter").unwrap();
    assert_eq!(m.memory.read_u64(counter).unwrap(), 5);
}

#[test]
fn host_calls_reach_installed_handlers() {
    let (mut m, _) = machine();
    assert_eq!(m.vmcall("host_add", &[Arg::Int(20), Arg::Int(22)]).unwrap(), 42);
}

#[test]
fn function_references_are_called_back_through_preempt() {
    let (mut m, _) = machine();
    m.vmcall("register_callback", &[]).unwrap();
    assert_eq!(m.data.callback, m.address_of("twice"));
    // The handler calls `twice(21)` in the middle of `call_through_host`, which then checks that
    // its saved register survived and adds one.
    assert_eq!(m.vmcall("call_through_host", &[Arg::Int(21)]).unwrap(), 43);
    // The host can call the reference directly too.
    assert_eq!(m.vmcall_address(m.data.callback.unwrap(), &[Arg::Int(5)]).unwrap(), 10);
}

#[test]
fn a_nested_call_gives_every_register_back_to_the_code_it_interrupted() {
    let (mut m, _) = machine();
    m.vmcall("register_clobber_callback", &[]).unwrap();
    // The callback overwrites every register it can and the rounding mode, against the calling
    // convention; the interrupted function finds its values, and its rounding mode, unchanged.
    assert_eq!(m.vmcall("registers_survive_nested_call", &[Arg::Int(21)]).unwrap(), 21);
}

#[test]
fn a_handler_can_stop_the_machine() {
    let (mut m, _) = machine();
    m.vmcall("stop_early", &[]).unwrap();
    assert!(m.stopped());
    assert_eq!(m.vmcall("add", &[Arg::Int(2), Arg::Int(3)]).unwrap(), 5);
}

#[test]
fn the_instruction_limit_is_a_distinct_outcome_and_the_machine_stays_usable() {
    let options = Options { call_instruction_limit: 100_000, memory_max: 16 << 20, ..Options::default() };
    let mut m = Machine::new(&elf(), options, ()).unwrap();
    m.set_output(|_, _| 0);
    m.run(u64::MAX).unwrap();
    let error = m.vmcall("loop_forever", &[]).unwrap_err();
    assert!(matches!(error, Error::InstructionLimit { limit: 100_000, .. }), "{error}");
    let pc = error.pc().unwrap();
    assert_eq!(m.symbol_at(pc).map(|(name, _)| name), Some("loop_forever"));
    assert_eq!(m.vmcall("add", &[Arg::Int(2), Arg::Int(3)]).unwrap(), 5);
}

#[test]
fn calls_that_run_in_short_blocks_end_as_native_code_does() {
    // `add`, `read_null` and `store_conditional` return (or fault) in their first block, and
    // `host_add` makes a host call in its first and returns in its second: a call runs those
    // blocks without the dispatch loop. A machine with `compile_after: Some(0)` runs every block
    // natively instead (native code behaves exactly as the interpreter does, see
    // tests/native_code.rs); both must end alike at every instruction budget.
    let calls: [(&str, &[Arg]); 4] = [
        ("add", &[Arg::Int(2), Arg::Int(3)]),
        ("read_null", &[]),
        ("host_add", &[Arg::Int(2), Arg::Int(3)]),
        // A store-conditional to read-only code faults.
        ("store_conditional", &[Arg::Int(0)]),
    ];
    for (function, args) in calls {
        for limit in [1, 2, 3, 4, 1000] {
            let ends = [Options::default().compile_after, Some(0)].map(|compile_after| {
                let options = Options {
                    memory_max: 16 << 20,
                    call_instruction_limit: limit,
                    compile_after,
                    ..Options::default()
                };
                let (mut m, _) = machine_with(options);
                let address = m.address_of(function).unwrap();
                let args: Vec<Arg> = match (function, args) {
                    ("store_conditional", _) => vec![Arg::Int(m.address_of("add").unwrap() as i64)],
                    _ => args.to_vec(),
                };
                let before = m.instruction_count();
                let outcome = match m.vmcall_address(address, &args) {
                    Ok(value) => format!("returned {value}"),
                    Err(error) => format!("{error:?}"),
                };
                (outcome, m.instruction_count() - before, m.cpu.registers())
            });
            assert_eq!(ends[0], ends[1], "{function} within {limit}");
        }
    }
    let (mut m, _) = machine();
    let counter = m.address_of("counter").unwrap();
    assert_eq!(m.vmcall("store_conditional", &[Arg::Int(counter as i64)]).unwrap(), 0, "stored");
}

#[test]
fn a_call_that_returns_at_once_clears_the_last_simulation_state() {
    let (mut m, _) = machine();
    m.setup_call(m.address_of("loop_forever").unwrap(), &[]).unwrap();
    m.simulate(10).unwrap();
    assert!(m.instruction_limit_reached() && !m.stopped());
    assert_eq!(m.vmcall("add", &[Arg::Int(2), Arg::Int(3)]).unwrap(), 5);
    assert!(m.stopped() && !m.instruction_limit_reached());
}

#[test]
fn with_compile_after_zero_even_the_shortest_calls_run_native_code() {
    let (mut m, _) = machine_with(Options { memory_max: 16 << 20, compile_after: Some(0), ..Options::default() });
    // A leaf function, and one that makes a host call and returns its answer.
    for (function, expected) in [("twice", 42), ("host_add", 23)] {
        let before = m.program().compile_stats().regions;
        assert_eq!(m.vmcall(function, &[Arg::Int(21), Arg::Int(2)]).unwrap(), expected);
        assert!(m.program().compile_stats().regions > before, "`{function}` was compiled before it ran");
    }
}

#[test]
fn stepwise_simulation_reports_limit_and_stop() {
    let (mut m, _) = machine();
    let add = m.address_of("add").unwrap();
    m.setup_call(add, &[Arg::Int(1), Arg::Int(2)]).unwrap();
    m.simulate(1).unwrap();
    assert!(m.instruction_limit_reached() && !m.stopped());
    m.simulate(1000).unwrap();
    assert!(m.stopped() && !m.instruction_limit_reached());
    assert_eq!(m.return_value(), 3);

    let spin = m.address_of("loop_forever").unwrap();
    m.setup_call(spin, &[]).unwrap();
    let before = m.instruction_count();
    for _ in 0..10 {
        m.simulate(1000).unwrap();
        assert!(m.instruction_limit_reached());
    }
    assert_eq!(m.instruction_count() - before, 10_000);
}

#[test]
fn a_fault_inside_a_long_straight_run_reports_its_instruction_and_count() {
    let (mut m, _) = machine();
    let long_block = m.address_of("long_block").unwrap();
    let counter = m.address_of("counter").unwrap();
    assert_eq!(m.vmcall_address(long_block, &[Arg::Int(counter as i64)]).unwrap(), 200);
    // The load faults in the middle of code the interpreter runs in several blocks at a time.
    let before = m.instruction_count();
    let pc = match m.vmcall_address(long_block, &[Arg::Int(8)]) {
        Err(Error::Memory { fault, pc }) => {
            assert_eq!((fault.addr, fault.kind), (8, AccessKind::Read));
            pc
        }
        other => panic!("expected a read fault, got {other:?}"),
    };
    let retired = m.instruction_count() - before;
    // One instruction at a time, the same call reaches the load after as many instructions.
    m.setup_call(long_block, &[Arg::Int(8)]).unwrap();
    let mut steps = 0;
    while m.cpu.pc != pc {
        m.simulate(1).unwrap();
        steps += 1;
        assert!(steps <= retired, "stepping passed {retired} instructions without reaching the load");
    }
    assert_eq!(steps, retired);
    assert!(retired > 100, "the 100 increments before the load retired");
    assert!(m.simulate(1).is_err(), "the load faults when stepped to");
    assert_eq!(m.vmcall_address(long_block, &[Arg::Int(counter as i64)]).unwrap(), 200);
}

#[test]
fn a_nested_call_that_cannot_be_set_up_names_the_interrupted_code() {
    let (mut m, _) = machine();
    m.vmcall("register_callback", &[]).unwrap();
    // Once before, so that the nested call's register set has been used.
    assert_eq!(m.vmcall("call_through_host", &[Arg::Int(4)]).unwrap(), 9);
    assert_eq!(m.vmcall("nested_call_with_too_much", &[]).unwrap(), 0);
    match m.data.nested_error.take() {
        Some(Error::Memory { fault, pc }) => {
            assert_eq!(fault.kind, AccessKind::Write);
            assert_eq!(m.symbol_at(pc).map(|(name, _)| name), Some("nested_call_with_too_much"));
        }
        other => panic!("expected a write fault, got {other:?}"),
    }
}

#[test]
fn faults_name_address_kind_and_pc() {
    let (mut m, _) = machine();
    match m.vmcall("read_null", &[]) {
        Err(Error::Memory { fault, pc }) => {
            assert_eq!((fault.addr, fault.kind), (8, AccessKind::Read));
            assert_eq!(m.symbol_at(pc).unwrap().0, "read_null");
        }
        other => panic!("expected a read fault, got {other:?}"),
    }
    match m.vmcall("write_code", &[]) {
        Err(Error::Memory { fault, .. }) => {
            assert_eq!((fault.addr, fault.kind), (m.address_of("add").unwrap(), AccessKind::Write));
        }
        other => panic!("expected a write fault, got {other:?}"),
    }
    // Jumping to data is an execute fault.
    let data = m.address_of("counter").unwrap();
    match m.vmcall_address(data, &[]) {
        Err(Error::Memory { fault, .. }) => assert_eq!((fault.addr, fault.kind), (data, AccessKind::Execute)),
        other => panic!("expected an execute fault, got {other:?}"),
    }
    assert_eq!(m.vmcall("add", &[Arg::Int(2), Arg::Int(3)]).unwrap(), 5);
}

#[test]
fn memory_views_fail_cleanly_on_bad_ranges() {
    let (mut m, _) = machine();
    let size = m.memory.size();
    assert!(m.memory.view(0, 8).is_err());
    assert!(m.memory.view(size - 4, 8).is_err());
    assert!(m.memory.view(u64::MAX, 2).is_err());
    // A string that runs into the end of memory has no terminator.
    m.memory.write_u8(size - 1, b'x').unwrap();
    assert!(m.memory.c_string(size - 1, 100).is_err());
    let counter = m.address_of("counter").unwrap();
    m.memory.copy_to_guest(counter, &77u64.to_le_bytes()).unwrap();
    assert_eq!(m.vmcall("bump", &[]).unwrap(), 78);
    let mut out = [0u8; 8];
    m.memory.copy_from_guest(counter, &mut out).unwrap();
    assert_eq!(u64::from_le_bytes(out), 78);
}

#[test]
fn cached_addresses_resolve_once() {
    static ADD: CachedAddress = CachedAddress::new("add");
    let (mut m, _) = machine();
    let addr = ADD.get(&m).unwrap();
    assert_eq!(Some(addr), m.address_of("add"));
    assert_eq!(m.vmcall_address(addr, &[Arg::Int(4), Arg::Int(5)]).unwrap(), 9);
    assert_eq!(m.symbol_at(addr + 2), Some(("add", 2)));
    assert!(m.program().is_executable(addr));
    assert!(!m.program().is_executable(addr + 1));
    assert!(!m.program().is_executable(m.address_of("counter").unwrap()));
}

#[test]
fn machines_of_one_program_are_isolated() {
    let program = Program::parse(&elf()).unwrap();
    let mut a = Machine::from_program(program.clone(), Options::default(), ()).unwrap();
    let mut b = Machine::from_program(program, Options::default(), ()).unwrap();
    for m in [&mut a, &mut b] {
        m.set_output(|_, _| 0);
        m.run(u64::MAX).unwrap();
    }
    a.vmcall("bump", &[]).unwrap();
    a.vmcall("bump", &[]).unwrap();
    assert_eq!(b.vmcall("bump", &[]).unwrap(), 1);
}

#[test]
fn malformed_elves_are_typed_errors() {
    let good = elf();
    let load = |bytes: &[u8]| Machine::new(bytes, Options::default(), ()).err().expect("must not load");
    assert!(matches!(load(b""), LoadError::Malformed(_)));
    assert!(matches!(load(b"\x7fELF garbage"), LoadError::Malformed(_)));
    assert!(matches!(load(&good[..100]), LoadError::Malformed(_) | LoadError::BadSegment { .. }));

    let mut wrong_class = good.clone();
    wrong_class[4] = 1; // ELFCLASS32
    assert!(matches!(load(&wrong_class), LoadError::WrongClass | LoadError::Malformed(_)));

    let mut wrong_machine = good.clone();
    wrong_machine[18..20].copy_from_slice(&62u16.to_le_bytes()); // EM_X86_64
    assert_eq!(load(&wrong_machine), LoadError::WrongMachine(62));

    let mut relocatable = good.clone();
    relocatable[16..18].copy_from_slice(&1u16.to_le_bytes()); // ET_REL
    assert_eq!(load(&relocatable), LoadError::NotExecutable(1));

    // Program header 0 moved far beyond any memory size.
    let phoff = u64::from_le_bytes(good[32..40].try_into().unwrap()) as usize;
    let phentsize = u16::from_le_bytes(good[54..56].try_into().unwrap()) as usize;
    let phnum = u16::from_le_bytes(good[56..58].try_into().unwrap()) as usize;
    let load_header = (0..phnum)
        .map(|i| phoff + i * phentsize)
        .find(|&at| u32::from_le_bytes(good[at..at + 4].try_into().unwrap()) == 1)
        .unwrap();
    let mut far = good.clone();
    far[load_header + 16..load_header + 24].copy_from_slice(&(1u64 << 50).to_le_bytes());
    assert!(matches!(load(&far), LoadError::SegmentOutOfRange { .. }));

    let mut huge = good.clone();
    huge[load_header + 40..load_header + 48].copy_from_slice(&u64::MAX.to_le_bytes()); // p_memsz
    assert!(matches!(load(&huge), LoadError::SegmentOutOfRange { .. }));

    let mut truncated_segment = good.clone();
    truncated_segment[load_header + 32..load_header + 40].copy_from_slice(&(1u64 << 40).to_le_bytes()); // p_filesz
    assert!(matches!(load(&truncated_segment), LoadError::BadSegment { .. } | LoadError::Malformed(_)));

    // Two loadable segments at the same address overlap.
    let second = (0..phnum)
        .map(|i| phoff + i * phentsize)
        .filter(|&at| u32::from_le_bytes(good[at..at + 4].try_into().unwrap()) == 1)
        .nth(1)
        .unwrap();
    let mut overlapping = good.clone();
    let first_vaddr: [u8; 8] = good[load_header + 16..load_header + 24].try_into().unwrap();
    overlapping[second + 16..second + 24].copy_from_slice(&first_vaddr);
    assert!(matches!(load(&overlapping), LoadError::OverlappingSegments { .. }));
    // ...or where either starts inside the other, whichever comes first in the file.
    let second_vaddr = u64::from_le_bytes(good[second + 16..second + 24].try_into().unwrap());
    let mut inside = good.clone();
    inside[second + 16..second + 24].copy_from_slice(&(u64::from_le_bytes(first_vaddr) + 8).to_le_bytes());
    assert!(matches!(load(&inside), LoadError::OverlappingSegments { .. }), "the second inside the first");
    let mut below = good.clone();
    below[load_header + 16..load_header + 24].copy_from_slice(&(second_vaddr + 8).to_le_bytes());
    assert!(matches!(load(&below), LoadError::OverlappingSegments { .. }), "the second running into the first");

    // A memory limit smaller than the program.
    let tiny = Options { memory_max: 64 << 10, ..Options::default() };
    assert!(matches!(Machine::new(&good, tiny, ()), Err(LoadError::TooLarge { .. })));
}

#[test]
fn native_heap_and_memory_functions_work_and_refuse_bad_frees() {
    let (mut m, _) = machine();
    assert_eq!(m.vmcall("native_functions", &[]).unwrap(), 127);
    // Everything was freed: the same calls work again in the same space.
    assert_eq!(m.vmcall("native_functions", &[]).unwrap(), 127);
    match m.vmcall("bad_free", &[]) {
        Err(Error::HostCall { number: 483, error: HostError::Refused(text), .. }) => assert!(text.contains("0x3039")),
        other => panic!("expected a refused free, got {other:?}"),
    }
    assert_eq!(m.vmcall("add", &[Arg::Int(1), Arg::Int(1)]).unwrap(), 2);
}

#[test]
fn the_native_heap_holds_at_most_heap_allocations_max_chunks_and_counts_them() {
    let (mut m, _) = machine();
    assert_eq!(m.native_heap_usage(), NativeHeapUsage::default(), "nothing until the guest allocates");
    let max = rvsandbox_vm::DEFAULT_HEAP_ALLOCATIONS_MAX as u64;
    assert_eq!(m.vmcall("allocate_and_free", &[Arg::Int(max as i64 + 5)]).unwrap(), max);
    let usage = m.native_heap_usage();
    assert_eq!((usage.allocations, usage.deallocations, usage.chunks, usage.bytes_used), (max, max, 0, 0));

    let options = Options { memory_max: 16 << 20, stack_size: 1 << 20, heap_allocations_max: 10, ..Options::default() };
    let mut small = Machine::new(&elf(), options, Host::default()).unwrap();
    small.run(u64::MAX).unwrap();
    assert_eq!(small.vmcall("allocate_and_free", &[Arg::Int(20)]).unwrap(), 10);
    assert_eq!(small.vmcall("allocate_and_free", &[Arg::Int(3)]).unwrap(), 3, "freed chunks can be had again");
    let usage = small.native_heap_usage();
    assert_eq!((usage.allocations, usage.deallocations), (13, 13));

    // At the limit, a chunk realloc moves still can move: the old one goes right after.
    let options = Options { memory_max: 16 << 20, stack_size: 1 << 20, heap_allocations_max: 2, ..Options::default() };
    let mut two = Machine::new(&elf(), options, Host::default()).unwrap();
    two.run(u64::MAX).unwrap();
    assert_eq!(two.vmcall("realloc_two_chunks", &[]).unwrap(), 1);
    assert_eq!(two.native_heap_usage().chunks, 0);
}

#[test]
fn vmcalls_allocate_nothing() {
    let (mut m, _) = machine();
    m.vmcall("register_callback", &[]).unwrap();
    let point = [0u8; 16];
    let calls = |m: &mut Machine<_>, rounds: u32| {
        for i in 0..rounds as i64 {
            assert_eq!(m.vmcall("add", &[Arg::Int(i), Arg::Int(1)]).unwrap(), i as u64 + 1);
            assert_eq!(m.vmcall_ints(m.address_of("add").unwrap(), [i, 2]).unwrap(), i as u64 + 2);
            m.vmcall("strlen_of", &[Arg::Str("no allocation")]).unwrap();
            m.vmcall("point_sum", &[Arg::Bytes(&point)]).unwrap();
            m.vmcall("host_add", &[Arg::Int(1), Arg::Int(2)]).unwrap();
            m.vmcall("call_through_host", &[Arg::Int(1)]).unwrap();
        }
    };
    // The first rounds also compile the code to native code (which allocates, once).
    calls(&mut m, DEFAULT_COMPILE_AFTER + 1);
    assert!(m.program().compile_stats().regions > 0);
    let before = allocations();
    calls(&mut m, 100);
    assert_eq!(allocations() - before, 0);
}

#[test]
fn unknown_system_calls_return_enosys_and_are_counted() {
    let (mut m, _) = machine();
    let before = m.unknown_syscalls();
    assert_eq!(m.vmcall("unknown_syscall", &[]).unwrap() as i64, -rvsandbox_vm::ENOSYS);
    assert_eq!(m.unknown_syscalls(), before + 1);
}

#[test]
fn static_pie_programs_are_relocated_above_the_null_pages() {
    support::require_toolchain();
    let src = support::repo_root().join("tests/embedding/static_pie.S");
    let out = support::scratch_dir("embedding").join("static_pie");
    support::compile(support::CC, &["-nostdlib", "-static-pie", "-fPIE", "-Wl,--no-dynamic-linker"], &src, &out, &[]);
    let mut m = Machine::new(&std::fs::read(out).unwrap(), Options::default(), ()).unwrap();
    assert!(m.program().entry() >= rvsandbox_vm::LOWEST_ADDRESS);
    let output = Rc::new(RefCell::new(Vec::new()));
    let sink = output.clone();
    m.set_output(move |_, bytes| {
        sink.borrow_mut().extend_from_slice(bytes);
        0
    });
    assert_eq!(m.run(1000).unwrap(), RunOutcome::Exited(7));
    assert_eq!(&*output.borrow(), b"position-free\n");
}

/// System calls with values no real program passes: each answers with an errno (or faults), and
/// none may panic the host.
#[test]
fn hostile_system_call_arguments_are_refused() {
    const MREMAP: i64 = 216;
    const KILL: i64 = 129;
    const TGKILL: i64 = 131;
    const EINVAL: i64 = 22;
    let (mut m, _) = machine();
    let mut syscall = |args: [i64; 5]| m.vmcall("raw_syscall", &args.map(Arg::Int)).map(|r| r as i64);
    // Signal numbers beyond Linux's 64 (128 + signal would overflow the exit status).
    assert_eq!(syscall([KILL, 1, 0x7fff_ffff, 0, 0]).unwrap(), -EINVAL);
    assert_eq!(syscall([TGKILL, 1, 1, 0x7fff_fff0, 0]).unwrap(), -EINVAL);
    // An old range whose end is past the top of the address space, shrunk and grown.
    let top_page = -4096;
    assert_eq!(syscall([MREMAP, top_page, 2 * 4096, 4096, 0]).unwrap(), -EINVAL);
    assert_eq!(syscall([MREMAP, top_page, 4096, 2 * 4096, 1]).unwrap(), -EINVAL);
    assert_eq!(syscall([MREMAP, 12345, 4096, 4096, 0]).unwrap(), -EINVAL);
    assert_eq!(m.vmcall("add", &[Arg::Int(1), Arg::Int(1)]).unwrap(), 2);
}

/// A mapping that mremap moves keeps its contents, copied inside guest memory: the host allocates
/// nothing the size of the mapping (only the bookkeeping of free ranges).
#[test]
fn mremap_moves_mappings_without_host_copies() {
    let (mut m, _) = machine();
    let pages = 256; // 1 MiB
    let before = allocated_bytes();
    let moved = m.vmcall("remap_moves", &[Arg::Int(pages)]).unwrap() as i64;
    assert!(moved > 0, "remap_moves returned {moved}");
    assert!(allocated_bytes() - before < 4096, "{} bytes allocated", allocated_bytes() - before);
}

#[test]
fn an_exit_inside_a_nested_call_ends_the_interrupted_call_too() {
    let (mut m, _) = machine();
    m.vmcall("register_exit_callback", &[]).unwrap();
    let counter = m.address_of("counter").unwrap();
    m.vmcall("call_back_then_count", &[Arg::Int(1)]).unwrap();
    assert!(m.stopped());
    assert_eq!(m.exit_status(), Some(5));
    // The interrupted function did not go on after the exit.
    assert_eq!(m.memory.read_u64(counter).unwrap(), 0);
}

#[test]
fn host_work_is_charged_against_the_instruction_budget() {
    let options = Options { call_instruction_limit: 100_000, memory_max: 16 << 20, ..Options::default() };
    let mut m = Machine::new(&elf(), options, ()).unwrap();
    m.set_output(|_, _| 0);
    m.run(u64::MAX).unwrap();
    let error = m.vmcall("host_work_forever", &[]).unwrap_err();
    assert!(matches!(error, Error::InstructionLimit { .. }), "{error}");
    // Each 64 KiB memset costs what 8 KiB of stores would: about a dozen rounds fit in the budget
    // (uncharged, the same budget would allow some 20,000).
    let rounds = m.memory.read_u64(m.address_of("rounds").unwrap()).unwrap();
    assert!((1..=13).contains(&rounds), "{rounds} rounds");
}
