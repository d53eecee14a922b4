## The vmcall fast path (rust/godot/src/state.rs): function names in every form, name caches
## that follow the program, settings that apply to the next call, one state per node, and
## `.elf` resources loaded on a worker thread.
extends "res://tests/test_case.gd"

const ABI := "res://tests/guests/abi.elf"
const HOSTCALLS := "res://tests/guests/hostcalls.elf"


func _sandbox() -> Sandbox:
	return Sandbox.FromProgram(load(ABI))


func test_names_as_constants_built_strings_and_string_names() -> void:
	var s := _sandbox()
	assert_eq(s.vmcall("add_ints", 1, 2), 3, "a String constant")
	assert_eq(s.vmcall("add_ints", 3, 4), 7, "the same constant again")
	assert_eq(s.vmcall(&"add_ints", 5, 6), 11, "a StringName")
	assert_eq(s.vmcall(&"add_ints", 7, 8), 15, "the same StringName again")
	var built := "add_" + "ints"
	assert_eq(s.vmcall(built, 1, 1), 2, "a String built at run time")
	assert_eq(s.vmcall(StringName(built), 2, 2), 4, "a StringName built at run time")
	var name := "add_ints"
	assert_eq(s.vmcall(name, 1, 0), 1)
	name = "u_float"
	assert_eq(s.vmcall(name, 0.5), 0.5, "the same variable, now naming another function")
	assert_eq(s.vmcallv("add_boxed", 2, 3), 5, "vmcallv by name")
	assert_eq(s.vmcallv(&"add_boxed", 2, 4), 6, "vmcallv by StringName")
	assert_eq(s.monitor_calls_made, 10)
	s.free()


func test_more_names_than_the_recent_cache_holds() -> void:
	var s := _sandbox()
	# Boxed functions through vmcallv, unboxed ones through vmcall: 10 names in turn.
	for round in 3:
		assert_eq(s.vmcall("add_ints", 20, 22), 42)
		assert_eq(s.vmcallv("echo", "e"), "e")
		assert_eq(s.vmcall("u_int64", -5), -5)
		assert_eq(s.vmcall("u_float", 0.25), 0.25)
		assert_eq(s.vmcall("u_bool", true), true)
		assert_eq(s.vmcallv("type_of", Vector2.ONE), TYPE_VECTOR2)
		assert_eq(s.vmcallv("echo_second", 1, "second"), "second")
		assert_eq(s.vmcallv("add_boxed", 1, 2), 3)
		assert_eq(s.vmcall("u_vector2", Vector2(1, 2)), Vector2(1, 2))
		assert_eq(s.vmcall("u_vector2i", Vector2i(3, 4)), Vector2i(3, 4))
		# Fresh String objects with known text: found by text, not by identity.
		for i in 20:
			assert_eq(s.vmcall("u_int" + str(64), i), i)
	s.free()


func test_a_new_program_forgets_the_old_names() -> void:
	var s := _sandbox()
	assert_eq(s.vmcall("add_ints", 1, 2), 3)
	assert_eq(s.vmcallv(&"echo", 9), 9)
	s.program = load(HOSTCALLS)
	expect_error("function 'add_ints' not found")
	expect_error("function 'echo' not found")
	assert_null(s.vmcall("add_ints", 1, 2), "not a stale address of the old program")
	assert_null(s.vmcallv(&"echo", 9))
	assert_eq(s.vmcallv("sum3", 1, 2, 3), 6, "the new program's functions")
	s.program = load(ABI)
	assert_eq(s.vmcall("add_ints", 1, 2), 3, "and back")
	s.free()


func test_no_program_and_unloaded_programs() -> void:
	var s := Sandbox.new()
	expect_error("no program is loaded")
	assert_null(s.vmcall("add_ints", 1, 2))
	s.program = load(ABI)
	assert_eq(s.vmcall("add_ints", 1, 2), 3)
	s.reset(true)
	assert_null(s.vmcall("add_ints", 1, 2), "unloaded: the cached name is not used")
	s.reset()
	assert_eq(s.vmcall("add_ints", 1, 2), 3, "reset loads it again")
	s.free()


func test_settings_apply_to_the_next_call() -> void:
	var s := _sandbox()
	s.execution_timeout = 1
	expect_error("'spin' failed: execution timeout")
	assert_null(s.vmcall("spin"))
	assert_eq(s.monitor_execution_timeouts, 1)
	s.unboxed_arguments = false
	assert_eq(s.vmcall("add_boxed", 2, 3), 5, "boxed now")
	s.unboxed_arguments = true
	assert_eq(s.vmcall("add_ints", 2, 3), 5, "unboxed again")
	s.free()


func test_each_node_has_its_own_state() -> void:
	var program: SandboxProgram = load(ABI)
	var a := Sandbox.FromProgram(program)
	var b := Sandbox.FromProgram(program)
	b.unboxed_arguments = false
	assert_eq(a.vmcall("add_ints", 1, 2), 3)
	assert_eq(b.vmcall("add_boxed", 1, 2), 3)
	assert_eq(b.vmcall("add_boxed", 1, 2), 3)
	assert_eq(a.monitor_calls_made, 1)
	assert_eq(b.monitor_calls_made, 2)
	a.free()
	# Many short-lived nodes: each call reaches its own node's state.
	for i in 100:
		var c := Sandbox.FromProgram(program)
		assert_eq(c.vmcall("add_ints", i, 1), i + 1)
		assert_eq(c.monitor_calls_made, 1)
		c.free()
	assert_eq(b.vmcall("add_boxed", 1, 2), 3)
	assert_eq(b.monitor_calls_made, 3)
	b.free()


func test_a_sandbox_made_in_a_script_subclass() -> void:
	var script := GDScript.new()
	script.source_code = "extends Sandbox\nfunc twice(a: int) -> int:\n\treturn vmcall(\"add_ints\", a, a)\n"
	assert_eq(script.reload(), OK)
	var s: Sandbox = script.new()
	s.program = load(ABI)
	assert_eq(s.twice(21), 42)
	assert_eq(s.vmcall("add_ints", 1, 2), 3)
	s.free()


func test_elf_loads_on_a_worker_thread() -> void:
	# A fresh copy (not the cached resource), loaded by the WorkerThreadPool.
	assert_eq(ResourceLoader.load_threaded_request(HOSTCALLS, "", true, ResourceLoader.CACHE_MODE_IGNORE), OK)
	var deadline := Time.get_ticks_msec() + 10_000
	while ResourceLoader.load_threaded_get_status(HOSTCALLS) == ResourceLoader.THREAD_LOAD_IN_PROGRESS:
		assert_true(Time.get_ticks_msec() < deadline, "the threaded load finishes")
		if Time.get_ticks_msec() >= deadline:
			return
		OS.delay_msec(1)
	assert_eq(ResourceLoader.load_threaded_get_status(HOSTCALLS), ResourceLoader.THREAD_LOAD_LOADED)
	var program = ResourceLoader.load_threaded_get(HOSTCALLS)
	assert_true(program is SandboxProgram, "a SandboxProgram")
	assert_true(program.is_valid())
	var s := Sandbox.FromProgram(program)
	assert_eq(s.vmcallv("sum3", 1, 2, 3), 6)
	s.free()


func test_scalar_arguments_and_results_keep_their_types() -> void:
	# Bools, ints and floats are read from and built as Variants directly (abi/raw.rs).
	var s := _sandbox()
	for b in [true, false]:
		var r = s.vmcall("u_bool", b)
		assert_eq(typeof(r), TYPE_BOOL)
		assert_eq(r, b)
	for i in [0, 1, -1, 9223372036854775807, -9223372036854775808, 0x0123456789abcdef]:
		var r = s.vmcall("u_int64", i)
		assert_eq(typeof(r), TYPE_INT)
		assert_eq(r, i)
	for f in [0.0, 0.1, -1.5e300, 5e-324, INF, -INF]:
		var r = s.vmcall("u_float", f)
		assert_eq(typeof(r), TYPE_FLOAT)
		assert_eq(r, f)
	assert_true(is_nan(s.vmcall("u_float", NAN)), "NaN")
	var negative_zero := PackedByteArray([0, 0, 0, 0, 0, 0, 0, 0x80]).decode_double(0)
	var out := PackedFloat64Array([s.vmcall("u_float", negative_zero)]).to_byte_array()
	assert_eq(out.hex_encode(), "0000000000000080", "the sign of zero")
	assert_eq(s.vmcall("u_mix", 1, 0.5, Vector2(2, 3), 4), 1 + 0.5 + 20 + 300 + 4000, "mixed")
	# The result slot of an untyped variable that held something else before.
	var held: Variant = "a string"
	held = s.vmcall("add_ints", 2, 3)
	assert_eq(held, 5)
	s.free()
