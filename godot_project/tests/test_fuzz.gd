## Random host calls (tests/guests/fuzz.cpp): whatever numbers and arguments a guest passes,
## the host answers or ends the call with one engine error, and the node keeps working.
extends "res://tests/test_case.gd"

const FUZZ := "res://tests/guests/fuzz.elf"
# Every refusal prints an engine error with its backtrace: 2,500 runs make about 2 MB of test
# output. For a longer campaign, raise SEEDS (and start from another seed for new calls).
const SEEDS := 50
const RUNS_PER_SEED := 50
const CALLS_PER_RUN := 8


func test_random_host_calls_never_break_the_game() -> void:
	expect_error("'fuzz_host_calls' failed")
	# GET_OBJ and GET_NODE answer an unknown name with null (and this error), as godot-sandbox
	# does.
	expect_error("GET_OBJ: no singleton or autoload named")
	expect_error("GET_NODE: node not found")
	# The engine's random numbers (UTILITY's randi, randf...) reach the guest's arguments too.
	seed(12345)
	var s := Sandbox.FromProgram(load(FUZZ))
	var answered := 0
	var refused := 0
	for seed in SEEDS:
		s.vmcall("fuzz_start", seed)
		for i in RUNS_PER_SEED:
			match s.vmcall("fuzz_host_calls", CALLS_PER_RUN):
				true: answered += 1
				null: refused += 1
		assert_eq(s.vmcall("add_ints", seed, 1), seed + 1, "seed %d: the next call works" % seed)
	print("fuzz: %d runs of %d random host calls answered, %d ended by a refusal" % [answered, CALLS_PER_RUN, refused])
	# Random arguments are mostly refused (each refusal was one engine error, checked above), but
	# not always: the host did work too.
	assert_true(answered > 0 and refused > 0, "answered %d, refused %d" % [answered, refused])
	s.free()


func test_forged_return_values_are_converted_or_refused() -> void:
	expect_error("invalid return value")
	var s := Sandbox.FromProgram(load(FUZZ))
	var payloads := [0, 1, 2, 7, 99, -1, -2, 1 << 62, (1 << 62) | 12345, 0x7fffffffffffffff]
	var converted := 0
	for type in range(0, TYPE_MAX + 8):
		for payload in payloads:
			if s.vmcall("forged", type, payload) != null:
				converted += 1
		assert_eq(s.vmcall("add_ints", type, 1), type + 1, "type %d: the next call works" % type)
	print("forged returns: %d converted" % converted)
	assert_true(converted > 0, "inline values (bool, int, float) convert")
	s.free()

