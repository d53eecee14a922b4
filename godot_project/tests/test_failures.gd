## Failure never breaks the game: faults, timeouts, unknown functions, guest exceptions,
## forged handles and indices, garbage programs. Each pushes one engine error naming the
## function, the reason and the guest location; the call returns null; the counters move; the
## next call works.
extends "res://tests/test_case.gd"

const ABI := "res://tests/guests/abi.elf"


func _sandbox() -> Sandbox:
	return Sandbox.FromProgram(load(ABI))


func test_memory_fault() -> void:
	var s := _sandbox()
	expect_error("Sandbox.vmcall: 'crash' failed")
	expect_error("(crash")
	var exceptions: int = s.monitor_exceptions
	assert_null(s.vmcall("crash"))
	assert_eq(s.monitor_exceptions, exceptions + 1)
	assert_eq(s.vmcall("add_ints", 1, 2), 3, "the next call works")
	s.free()


func test_timeout() -> void:
	var s := _sandbox()
	s.execution_timeout = 1
	expect_error("'spin' failed: execution timeout")
	expect_error("(spin")
	assert_null(s.vmcall("spin"))
	assert_eq(s.monitor_execution_timeouts, 1)
	assert_eq(s.vmcall("add_ints", 1, 2), 3, "the next call works")
	s.free()


func test_unknown_function() -> void:
	var s := _sandbox()
	expect_error("function 'nope' not found")
	assert_null(s.vmcall("nope", 1, 2))
	assert_eq(s.monitor_exceptions, 1)
	assert_eq(s.vmcall("add_ints", 1, 2), 3)
	s.free()


func test_guest_exception() -> void:
	var s := _sandbox()
	expect_error("ValueError: the guest threw in raise")
	assert_null(s.vmcall("raise"))
	assert_eq(s.vmcall("add_ints", 1, 2), 3)
	s.free()


func test_forged_object_handle_is_refused() -> void:
	var s := _sandbox()
	expect_error("was never given to the guest")
	assert_null(s.vmcall("bad_object"))
	assert_eq(s.vmcall("add_ints", 1, 2), 3)
	s.free()


func test_unknown_variant_index_is_refused() -> void:
	var s := _sandbox()
	expect_error("Variant index 999 is not known")
	assert_null(s.vmcall("bad_index"))
	s.free()


func test_garbage_program() -> void:
	var s := Sandbox.new()
	expect_error("Sandbox.load_buffer: invalid program")
	s.load_buffer(PackedByteArray([0x7f, 0x45, 0x4c, 0x46, 1, 2, 3]))
	assert_true(not s.has_program_loaded())
	expect_error("no program is loaded")
	assert_null(s.vmcall("add_ints", 1, 2))
	s.load_buffer(FileAccess.get_file_as_bytes(ABI))
	assert_eq(s.vmcall("add_ints", 1, 2), 3, "a good program loads afterwards")
	var random := PackedByteArray()
	for i in 4096:
		random.append(randi() % 256)
	s.load_buffer(random)
	s.free()


func test_garbage_elf_file() -> void:
	var path := "user://garbage.elf"
	var f := FileAccess.open(path, FileAccess.WRITE)
	f.store_buffer(PackedByteArray([1, 2, 3, 4]))
	f.close()
	expect_error("is not a program the Sandbox can run")
	expect_error("Failed loading resource: user://garbage.elf")
	expect_error("Error loading resource: 'user://garbage.elf'")
	assert_null(ResourceLoader.load(path, "", ResourceLoader.CACHE_MODE_IGNORE))
	DirAccess.remove_absolute(path)


func test_too_many_references() -> void:
	var s := _sandbox()
	s.references_max = 2
	expect_error("maximum number of scoped Variants reached")
	assert_null(s.vmcallv("echo_second", "a", "b", "c"))
	s.free()


func test_memory_max_too_small_for_the_stack() -> void:
	var s := Sandbox.new()
	s.memory_max = 1  # MiB: less than the guest stack
	expect_error("Sandbox.set_program: cannot load the program: invalid program")
	s.program = load(ABI)
	assert_true(not s.has_program_loaded())
	s.memory_max = 32
	s.program = load(ABI)
	assert_eq(s.vmcall("add_ints", 1, 2), 3, "a later load works")
	s.free()


func _call_from_worker(s: Sandbox) -> Variant:
	return s.vmcall("add_ints", 1, 2)


func _reset_from_worker(s: Sandbox) -> void:
	s.reset()


func test_calls_from_other_threads_are_refused() -> void:
	var s := _sandbox()
	expect_error("Sandbox.vmcall: a Sandbox can only be used from the main thread")
	expect_error("Sandbox.reset: a Sandbox can only be used from the main thread")
	var worker := Thread.new()
	worker.start(_call_from_worker.bind(s))
	assert_null(worker.wait_to_finish())
	worker = Thread.new()
	worker.start(_reset_from_worker.bind(s))
	worker.wait_to_finish()
	assert_true(s.has_program_loaded(), "the reset from the worker did nothing")
	assert_eq(s.vmcall("add_ints", 1, 2), 3, "the main thread still works")
	s.free()


func test_an_unknown_or_empty_builtin_method_is_one_error() -> void:
	# Only the sandbox's error: asking Godot through a Callable logged one of its own too.
	var s := Sandbox.FromProgram(load("res://tests/guests/abi.elf"))
	expect_error("STRING has no method 'no_such_method'")
	assert_null(s.vmcallv("vcall_method", "ab", "no_such_method", null))
	expect_error("ARRAY has no method ''")
	assert_null(s.vmcallv("vcall_method", [1], "", null))
	# `repeat` is sized before it is looked up: on a type without it, the same one error.
	expect_error("ARRAY has no method 'repeat'")
	assert_null(s.vmcallv("vcall_method", [1], "repeat", 3))
	assert_eq(s.vmcallv("vcall_method", "ab", "to_upper", null), "AB", "the next call works")
	s.free()


func test_builtin_methods_and_operators_cannot_build_unbounded_values() -> void:
	var s := Sandbox.FromProgram(load("res://tests/guests/abi.elf"))
	expect_error("repeat(100000000) would build more than 16777216 elements")
	assert_null(s.vmcallv("vcall_method", "ab", "repeat", 100000000))
	assert_eq(s.vmcallv("vcall_method", "ab", "repeat", 3), "ababab", "small sizes still work")
	var half := PackedByteArray()
	half.resize(9_000_000)
	expect_error("of 18000000 elements is too large")
	assert_null(s.vmcallv("veval_add", half, half))
	assert_eq(s.vmcallv("veval_add", "a", "b"), "ab", "the next call works")
	s.free()


class Meddler extends RefCounted:
	var sandbox: Sandbox

	func free_sandbox():
		sandbox.free()
		return "freed"

	func meddle():
		sandbox.reset()
		sandbox.program = load(ABI)
		sandbox.load_buffer(FileAccess.get_file_as_bytes(ABI))
		return "meddled"


func test_a_callback_cannot_replace_the_running_program() -> void:
	# GDScript called from the guest tries to swap the machine out from under it.
	var s := _sandbox()
	var meddler := Meddler.new()
	meddler.sandbox = s
	expect_error("Sandbox.reset: cannot reset while the program is running")
	expect_error("Sandbox.set_program: cannot change the program while the program is running")
	expect_error("Sandbox.load_buffer: cannot load a program while the program is running")
	assert_eq(s.vmcallv("vcall_method", meddler, "meddle", null), "meddled")
	assert_eq(s.vmcall("add_ints", 1, 2), 3, "the program is still there")
	s.free()


func test_a_callback_that_frees_the_sandbox() -> void:
	# The node goes away while its program waits for the callback; the program finishes the
	# call, and nothing touches the freed node.
	var s := _sandbox()
	var meddler := Meddler.new()
	meddler.sandbox = s
	assert_eq(s.vmcallv("vcall_method", meddler, "free_sandbox", null), "freed")
	assert_true(not is_instance_valid(s), "freed")

