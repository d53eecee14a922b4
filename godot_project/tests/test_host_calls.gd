## Host calls past the basic families: LOAD, VCONSTRUCT, VSTORE_GLOBAL, OBJ_RETAIN, VARIANT_GET,
## CALL_GUEST (with arguments beyond a7), UTILITY, the float math calls, PACKED_ARRAY_OPS,
## BREAKPOINT; the core's native heap calls (480-491); and guest function pointers that are not
## code.
extends "res://tests/test_case.gd"

const GUEST := "res://tests/guests/hostcalls.elf"
const ABI := "res://tests/guests/abi.elf"


class Target extends Node:
	var health := 100

	func ping():
		return "pong"


func _sandbox() -> Sandbox:
	return Sandbox.FromProgram(load(GUEST))


func test_load_a_resource() -> void:
	var s := _sandbox()
	var loaded = s.vmcallv("load_res", ABI)
	assert_true(loaded is SandboxProgram, "LOAD gives the resource")
	assert_true(s.vmcallv("load_res_variant", ABI) is SandboxProgram, "path given as a String Variant")
	expect_error("LOAD: no resource at 'res://missing.tres'")
	assert_null(s.vmcallv("load_res", "res://missing.tres"))
	s.free()


func test_vconstruct() -> void:
	var s := _sandbox()
	assert_eq(s.vmcallv("construct", TYPE_VECTOR2, [3, 4]), Vector2(3, 4))
	assert_eq(s.vmcallv("construct", TYPE_COLOR, []), Color())
	assert_eq(s.vmcallv("construct", TYPE_STRING_NAME, ["abc"]), &"abc")
	assert_eq(s.vmcallv("construct", TYPE_PACKED_INT32_ARRAY, [[1, 2]]), PackedInt32Array([1, 2]))
	var t := Target.new()
	var cb: Callable = s.vmcallv("construct", TYPE_CALLABLE, [t, "ping"])
	assert_eq(cb.call(), "pong", "Callable(object, method)")
	expect_error("VCONSTRUCT")
	assert_null(s.vmcallv("construct", TYPE_VECTOR2, ["a", "b", "c"]))
	t.free()
	s.free()


func test_packed_array_ops() -> void:
	var s := _sandbox()
	assert_eq(s.vmcallv("to_packed", TYPE_PACKED_FLOAT64_ARRAY, [1, 2.5]), PackedFloat64Array([1, 2.5]))
	expect_error("is not a packed array type")
	assert_null(s.vmcallv("to_packed", TYPE_INT, [1]))
	s.free()


func test_vstore_global() -> void:
	var s := _sandbox()
	s.vmcallv("store_global", [1, 2])
	assert_eq(s.vmcall("get_global"), [1, 2], "a permanent copy outlives the call")
	var permanent: int = s.monitor_permanent_references
	for i in 5:
		s.vmcallv("store_global", {"round": i})
	assert_eq(s.vmcall("get_global"), {"round": 4})
	assert_eq(s.monitor_permanent_references, permanent, "the previous value's slot is released")
	s.vmcallv("store_global", 7)
	assert_eq(s.vmcall("get_global"), 7, "inline values are copied")
	assert_eq(s.monitor_permanent_references, permanent - 1)
	# A RefCounted object stored in a global stays alive for it.
	s.vmcallv("store_global", RefCounted.new())
	assert_true(s.vmcall("get_global") is RefCounted, "retained between calls")
	s.vmcall("retain_global")
	assert_true(s.vmcall("get_global") is RefCounted)
	s.free()


func test_variant_get() -> void:
	var s := _sandbox()
	assert_eq(s.vmcallv("get_at", [10, 20, 30], -1), 30)
	assert_eq(s.vmcallv("get_at", {"k": "v"}, "k"), "v")
	assert_eq(s.vmcallv("get_at", "hey", 1), "e")
	assert_eq(s.vmcallv("get_at", Vector3(1, 2, 3), "z"), 3.0)
	assert_eq(s.vmcallv("get_at", PackedInt32Array([5, 6]), 1), 6)
	var t := Target.new()
	assert_eq(s.vmcallv("get_at", t, "health"), 100, "an object's property")
	expect_error("invalid access to [missing] on a DICTIONARY")
	assert_null(s.vmcallv("get_at", {}, "missing"))
	# A container key is named by its type: its text could be too large to make.
	expect_error("invalid access to [a ARRAY] on a INT")
	assert_null(s.vmcallv("get_at", 0, [1, 2]))
	t.free()
	s.free()


func test_float_math_and_utility() -> void:
	var s := _sandbox()
	assert_eq(s.vmcallv("math_demo"), [0.0, 1.0, 5.0, 1.0, 1.0, 1024.0, 0.0, 12.5, 1.0])
	assert_eq(s.vmcallv("utility_demo", [1, 2, 3]), [3, 2.0, 1.0, 7, 128, "A"])
	assert_eq(s.vmcallv("breakpoint"), true, "BREAKPOINT is a no-op")
	s.free()


func test_call_guest_with_arguments_on_the_stack() -> void:
	var s := _sandbox()
	assert_eq(s.vmcallv("call_guest_demo"), [6, 9], "the ninth argument travels on the stack")
	s.free()


func test_nested_boxed_call_with_more_than_seven_arguments() -> void:
	var s := Sandbox.FromProgram(load(ABI))
	var t := Node.new()
	t.set_script(_reentering_script())
	t.set("sandbox", s)
	# guest -> GDScript -> vmcallv with 9 arguments on the same (busy) Sandbox.
	assert_eq(s.vmcallv("call_add", t, 0, 0), 9)
	t.free()
	s.free()


func _reentering_script() -> GDScript:
	var script := GDScript.new()
	script.source_code = "extends Node\nvar sandbox\nfunc add(_a, _b):\n\treturn sandbox.vmcallv(\"count_args\", 1, 2, 3, 4, 5, 6, 7, 8, 9)\n"
	script.reload()
	return script


func test_native_heap_calls() -> void:
	var s := _sandbox()
	assert_eq(s.vmcallv("native_demo"), [18, true, "hello, native heap"])
	s.free()


func test_native_heap_monitors_and_allocations_max() -> void:
	var s := _sandbox()
	var chunks: int = s.monitor_heap_chunk_count
	var bytes: int = s.get_heap_usage()
	var allocations: int = s.monitor_heap_allocation_counter
	var deallocations: int = s.monitor_heap_deallocation_counter
	assert_eq(s.vmcallv("native_allocate", 10, 3), 10)
	assert_eq(s.monitor_heap_chunk_count, chunks + 3)
	assert_eq(s.monitor_heap_usage, bytes + 3 * 32)
	assert_eq(s.get_heap_allocation_counter(), allocations + 10)
	assert_eq(s.get_heap_deallocation_counter(), deallocations + 7)
	assert_eq(s.allocations_max, 4000)
	s.allocations_max = 5
	s.reset()
	var free_chunks: int = 5 - s.get_heap_chunk_count()
	assert_true(free_chunks > 0, "main() leaves chunks to have")
	assert_eq(s.vmcallv("native_allocate", 10, 0), free_chunks, "malloc gives null past allocations_max")
	s.free()


func test_function_pointers_must_be_code() -> void:
	var s := _sandbox()
	var data: int = s.vmcallv("data_address")
	expect_error("is not the address of guest code")
	assert_null(s.vmcallv("callable_at", data), "CALLABLE_CREATE")
	assert_null(s.vmcallv("call_guest_at", data), "CALL_GUEST")
	expect_error("address is not the start of a guest function")
	assert_null(s.vmcallable_address(data))
	var ok: Callable = s.vmcallable_address(s.address_of("sum3"))
	assert_true(ok.is_valid())
	s.free()


func test_public_function_at_a_data_address_is_refused() -> void:
	expect_error("public function 'bogus'")
	var s := Sandbox.FromProgram(load("res://tests/guests/bad_function.elf"))
	assert_true(not s.has_program_loaded())
	s.free()


func test_vclone_of_a_typed_array_or_a_mistagged_index() -> void:
	var s := _sandbox()
	var typed: Array[int] = [1, 2, 3]
	var copy = s.vmcallv("clone_as", typed, TYPE_ARRAY)
	assert_eq(copy, typed, "a typed Array clones")
	assert_true(copy is Array and copy.is_typed(), "and stays typed")
	var dict := {"a": 1}
	assert_eq(s.vmcallv("clone_as", dict, TYPE_DICTIONARY), dict)
	var typed_dict: Dictionary[String, int] = {"b": 2}
	var dict_copy = s.vmcallv("clone_as", typed_dict, TYPE_DICTIONARY)
	assert_eq(dict_copy, typed_dict, "a typed Dictionary clones")
	assert_true(dict_copy is Dictionary and dict_copy.is_typed(), "and stays typed")
	# A guest may tag any index with any type; the host goes by what the index holds.
	assert_eq(s.vmcallv("clone_as", "text", TYPE_ARRAY), "text", "a String tagged as an Array")
	assert_eq(s.vmcallv("clone_as", [4], TYPE_DICTIONARY), [4], "an Array tagged as a Dictionary")
	assert_eq(s.vmcallv("sum3", 1, 2, 3), 6, "the next call works")
	s.free()


func test_a_string_cannot_double_without_bound() -> void:
	var s := _sandbox()
	assert_eq(s.vmcallv("double_string", "ab", 3), 16)
	# 24 doublings: 32 Mi characters, past the host's limit (each further one would double the
	# host memory for a few guest instructions).
	expect_error("too long")
	assert_null(s.vmcallv("double_string", "ab", 24))
	assert_eq(s.vmcallv("sum3", 1, 2, 3), 6, "the next call works")
	s.free()


func test_host_work_on_guest_chosen_sizes_is_billed() -> void:
	var s := _sandbox()
	s.execution_timeout = 1  # 2^20 instructions per call
	s.host_memory_max = 1024  # room for the Array: the budget is what stops it
	assert_eq(s.vmcallv("big_array", 1000), 1000)
	# Filling 16 M elements is charged to the guest's budget.
	expect_error("execution timeout")
	assert_null(s.vmcallv("big_array", 16000000))
	assert_eq(s.vmcallv("sum3", 1, 2, 3), 6, "the next call works")
	s.free()


func test_variant_get_on_a_typed_dictionary() -> void:
	var s := _sandbox()
	var typed: Dictionary[String, int] = {"a": 1}
	assert_eq(s.vmcallv("get_at", typed, "a"), 1)
	expect_error("invalid access to [b]")
	assert_null(s.vmcallv("get_at", typed, "b"))
	assert_eq(s.vmcallv("sum3", 1, 2, 3), 6, "the next call works")
	s.free()


func test_utf32_string_conversions() -> void:
	var s := _sandbox()
	assert_eq(s.vmcallv("utf32_round_trip", "héllo ✓"), "héllo ✓")
	assert_eq(s.vmcallv("utf32_round_trip", ""), "")
	s.free()


func test_retained_objects_are_bounded() -> void:
	var s := _sandbox()
	var obj := RefCounted.new()
	assert_eq(s.vmcallv("retain_many", obj, 10), 10)
	# Each retain holds a host entry across calls; a guest may not grow that without bound.
	expect_error("too many retained objects")
	assert_null(s.vmcallv("retain_many", obj, 70000))
	assert_eq(s.vmcallv("sum3", 1, 2, 3), 6, "the next call works")
	s.free()


func test_guest_properties_cannot_shadow_the_node_s_own() -> void:
	expect_error("property name 'name' is not allowed")
	var s := Sandbox.FromProgram(load("res://tests/guests/bad_property.elf"))
	assert_true(not s.has_program_loaded())
	s.name = "StillMine"
	assert_eq(String(s.name), "StillMine")
	s.free()


func test_an_object_the_guest_cannot_be_given_is_not_left_behind() -> void:
	var s := _sandbox()
	s.references_max = 1
	var orphans := Performance.get_monitor(Performance.OBJECT_ORPHAN_NODE_COUNT)
	expect_error("maximum number of scoped objects reached (1)")
	assert_null(s.vmcall("create_two_nodes"))
	assert_eq(Performance.get_monitor(Performance.OBJECT_ORPHAN_NODE_COUNT), orphans, "no orphan node left")
	s.free()


func test_a_guest_that_frees_its_own_sandbox() -> void:
	# Refused: inside main() or a property accessor, with the node bound, it would bring the
	# game down. (The game freeing the Sandbox mid-call: test_failures.test_a_callback_that_frees_the_sandbox.)
	var s := _sandbox()
	expect_error("freeing the Sandbox or a node above it while its program runs")
	assert_null(s.vmcall("free_self"))
	assert_true(is_instance_valid(s), "the Sandbox is still there")
	assert_eq(s.vmcallv("sum3", 1, 2, 3), 6, "and usable")
	s.free()


func test_a_handle_kept_past_its_object_is_refused() -> void:
	var s := _sandbox()
	var t := Target.new()
	t.name = "Short"
	s.vmcallv("keep_object", t)
	assert_eq(s.vmcallv("kept_name"), &"Short", "usable while the object lives")
	t.free()
	expect_error("no longer exists")
	assert_null(s.vmcallv("kept_name"), "refused once it is freed")
	var other := Target.new()
	other.name = "Other"
	assert_null(s.vmcallv("kept_name"), "a new object does not answer to the old handle")
	other.free()
	s.free()


func test_host_calls_build_at_most_host_memory_max_per_call() -> void:
	var s := _sandbox()
	assert_eq(s.host_memory_max, 256, "the default, MiB")
	# 4096 Strings of 1 MiB read from one guest text would take 16 GiB as UTF-32: refused
	# after the first 64 (256 MiB), before the host runs out of memory.
	expect_error("host calls would build more than host_memory_max (256 MiB) in one call")
	assert_null(s.vmcallv("many_long_strings", 4096, 1 << 20))
	var strings: PackedStringArray = s.vmcallv("many_long_strings", 10, 1000)
	assert_eq(strings.size(), 10, "small requests still work")
	# Eight Arrays of 2 million elements (46 MiB each) are more than 256 MiB in one call...
	assert_null(s.vmcallv("many_arrays", 8, 2_000_000))
	# ...but four are not, and each call has its own allowance.
	assert_eq(s.vmcallv("many_arrays", 4, 2_000_000), 8_000_000)
	assert_eq(s.vmcallv("many_arrays", 4, 2_000_000), 8_000_000)
	s.host_memory_max = 1024
	assert_eq(s.vmcallv("many_arrays", 8, 2_000_000), 16_000_000, "a larger allowance")
	s.free()


func test_what_the_guest_keeps_counts_against_host_memory_max() -> void:
	var s := _sandbox()
	# Five Arrays of 2 million elements (46 MiB each) kept in permanent Variants, one per call...
	for i in 5:
		assert_eq(s.vmcallv("keep_array", 2_000_000), 2_000_000, "call %d" % i)
	assert_eq(s.monitor_permanent_references, 5)
	# ...leave 27 MiB of the 256 for the next call.
	expect_error("(228 MiB of it kept in permanent Variants)")
	assert_null(s.vmcallv("keep_array", 2_000_000))
	assert_eq(s.vmcallv("keep_array", 100_000), 100_000, "a smaller one still fits")
	s.free()


func test_a_packed_array_count_that_overflows_is_refused() -> void:
	# The count times the element size does not fit 64 bits: refused, not an arithmetic
	# overflow inside the host (a panic in a debug build).
	var s := _sandbox()
	expect_error("VCREATE: too many elements")
	assert_null(s.vmcallv("vcreate_raw", TYPE_PACKED_INT64_ARRAY, 0x7fffffffffffffff, 0x1000))
	s.free()


func test_timer_periodic_calls_the_guest_until_the_sandbox_goes() -> void:
	var s := _sandbox()
	s.unboxed_arguments = false
	var tree := Engine.get_main_loop() as SceneTree
	tree.root.add_child(s)
	var timer = s.vmcallv("start_timer", 0.02, false, 7)
	assert_true(timer is Timer and timer.get_parent() == s, "a Timer under the Sandbox")
	await tree.create_timer(0.3).timeout
	var ticks: int = s.vmcallv("tick_count")
	assert_true(ticks >= 3, "a periodic timer ticks (%d times)" % ticks)
	assert_eq(s.vmcallv("last_tick_tag"), 7, "the callback gets the capture block")
	timer.stop()
	var once = s.vmcallv("start_timer", 0.02, true, 9)
	await tree.create_timer(0.2).timeout
	assert_eq(s.vmcallv("tick_count"), ticks + 1, "a one-shot timer ticks once")
	assert_eq(s.vmcallv("last_tick_tag"), 9)
	assert_true(once.one_shot and once.is_stopped())
	# A reset stops the timers of the machine it replaces (they would call into the new one),
	# and frees them at the end of the frame.
	s.reset()
	assert_true(timer.is_stopped() and once.is_stopped(), "reset stops them")
	await tree.process_frame
	assert_true(not is_instance_valid(timer) and not is_instance_valid(once), "and frees them")
	assert_eq(s.get_child_count(), 0)
	expect_error("TIMER_PERIODIC: invalid interval 0")
	assert_null(s.vmcallv("start_timer", 0.0, false, 1))
	s.restrictions = true
	expect_error("Timer")
	assert_null(s.vmcallv("start_timer", 0.02, false, 1), "the class rule applies")
	s.queue_free()
	await tree.process_frame


func test_a_sandbox_has_at_most_256_timers() -> void:
	var s := _sandbox()
	s.unboxed_arguments = false
	for i in 256:
		assert_true(s.vmcallv("start_timer", 1.0, false, i) is Timer)
	expect_error("TIMER_PERIODIC: at most 256 timers at once")
	assert_null(s.vmcallv("start_timer", 1.0, false, 256))
	s.get_child(0).free()
	assert_true(s.vmcallv("start_timer", 1.0, false, 257) is Timer, "room again once one is gone")
	s.free()


func test_what_main_builds_counts_once() -> void:
	# main() keeps five Arrays of 46 MiB (229 MiB): within the 256 MiB allowance, as what
	# main() builds is counted once, as kept.
	var s := Sandbox.FromProgram(load("res://tests/guests/big_main.elf"))
	assert_eq(s.vmcall("kept_sizes"), 10_000_000, "main() ran to the end")
	assert_eq(s.vmcall("another_array", 500_000), 500_000, "11 MiB more fit")
	expect_error("(228 MiB of it kept in permanent Variants)")
	assert_null(s.vmcall("another_array", 2_000_000))
	s.free()


class Sized extends RefCounted:
	var called := false

	func size():
		called = true
		return 42


func test_builtin_paths_do_not_run_an_objects_methods() -> void:
	# LEN (and every other builtin-method path) is for builtin values; an Object's methods go
	# through OBJ_CALLP or VCALL, which check the restrictions.
	var s := _sandbox()
	s.restrictions = true
	var sized := Sized.new()
	expect_error("len: a OBJECT has no length")
	assert_null(s.vmcallv("utility_demo", sized))
	assert_true(not sized.called, "the script's size() did not run")
	s.free()


func test_copies_count_against_host_memory_max() -> void:
	# A copy of a String shares its characters only until either is written: each counts.
	var s := _sandbox()
	var text := "x".repeat(4 << 20)  # 16 MiB as UTF-32
	assert_eq(s.vmcallv("clone_many", text, 10), 10)
	expect_error("host calls would build more than host_memory_max (256 MiB)")
	assert_null(s.vmcallv("clone_many", text, 20))
	s.free()


func test_printing_what_nests_without_bound_is_refused() -> void:
	# Three levels of 150 Arrays print 3.4 million elements (over 16 Mi characters): refused
	# before anything is printed.
	var s := _sandbox()
	expect_error("ARRAY is too large or too deeply nested to print")
	assert_null(s.vmcallv("nested_str", 3, 150, false))
	var text: String = s.vmcallv("nested_str", 2, 100, false)
	assert_eq(text.length(), 100 * (2 + 100 * 3 - 2) + 2 + 99 * 2, "ten thousand elements print")
	# An Array that holds itself would print as Godot's "[...]", with an error of Godot's.
	assert_null(s.vmcallv("nested_str", 1, 3, true))
	# A flat value prints in proportion to what it holds, whatever its size.
	var bytes := PackedByteArray()
	bytes.resize(2_000_000)
	assert_eq(s.vmcallv("str_of", bytes).length(), 2 + 3 * 2_000_000 - 2, "two million bytes print")
	var typed: Array[int] = [1, 2]
	var typed_dictionary: Dictionary[String, int] = {"a": 1}
	assert_eq(s.vmcallv("str_of", [typed, typed_dictionary]), "[[1, 2], { \"a\": 1 }]", "typed containers print")
	s.free()


func test_printing_is_charged_to_the_instruction_budget() -> void:
	# Printing takes the host time in proportion to the text: what a guest loop writing it
	# would take, half an instruction per character.
	var s := _sandbox()
	var before: int = s.monitor_instructions_executed
	s.vmcallv("str_of", [1, 2])
	var small: int = s.monitor_instructions_executed - before
	assert_true(small < 10_000, "a short text costs little (%d)" % small)
	var bytes := PackedByteArray()
	bytes.resize(2_000_000)
	before = s.monitor_instructions_executed
	s.vmcallv("str_of", bytes)
	var flat: int = s.monitor_instructions_executed - before
	assert_true(flat > 3_000_000, "six million characters of a packed array (%d)" % flat)
	var numbers := []
	numbers.resize(200_000)
	numbers.fill(7)
	before = s.monitor_instructions_executed
	s.vmcallv("str_of", numbers)
	var nested: int = s.monitor_instructions_executed - before
	assert_true(nested > 1_000_000, "two hundred thousand elements (%d)" % nested)
	s.free()


func test_a_kept_array_grown_through_a_shared_index_is_measured() -> void:
	var s := _sandbox()
	s.vmcallv("keep_and_grow", 4_000_000)  # 92 MiB, kept
	expect_error("(91 MiB of it kept in permanent Variants)")
	assert_null(s.vmcallv("many_arrays", 4, 2_000_000), "the next call has 164 MiB left")
	s.free()


func test_a_duplicate_the_guest_cannot_be_given_is_not_left_behind() -> void:
	var s := _sandbox()
	var node := Node.new()
	var copy = s.vmcallv("duplicate_node", node)
	assert_true(copy is Node and copy != node, "a copy")
	copy.free()
	# The argument takes the only object handle the guest may have in a call.
	s.references_max = 1
	var orphans := Performance.get_monitor(Performance.OBJECT_ORPHAN_NODE_COUNT)
	expect_error("maximum number of scoped objects reached (1)")
	assert_null(s.vmcallv("duplicate_node", node))
	assert_eq(Performance.get_monitor(Performance.OBJECT_ORPHAN_NODE_COUNT), orphans, "no orphan node left")
	node.free()
	s.free()


func test_a_refused_growth_of_a_kept_array_is_still_measured() -> void:
	# resize() grows the kept Array before its growth is counted; the call is refused, but the
	# Array has grown and counts as kept from then on.
	var s := _sandbox()
	assert_eq(s.vmcallv("keep_array", 0), 0)
	expect_error("host calls would build more than host_memory_max (256 MiB) in one call")
	assert_null(s.vmcallv("resize_kept", 12_000_000))
	expect_error("(274 MiB of it kept in permanent Variants)")
	assert_null(s.vmcallv("many_arrays", 1, 1))
	s.free()


func test_formatting_what_nests_without_bound_is_refused() -> void:
	var s := _sandbox()
	var inner := []
	inner.resize(150)
	inner.fill(1)
	var middle := []
	middle.resize(150)
	middle.fill(inner)
	var outer := []
	outer.resize(150)
	outer.fill(middle)
	assert_eq(s.vmcallv("veval_op", OP_MODULE, "%s!", [inner.slice(0, 2)]), "[1, 1]!")
	expect_error("ARRAY is too large or too deeply nested to print")
	assert_null(s.vmcallv("veval_op", OP_MODULE, "%s!", [outer]), "text % values")
	s.free()
	var abi := Sandbox.FromProgram(load(ABI))
	assert_null(abi.vmcallv("vcall_method", "{0}", "format", [outer]), "text.format(values)")
	abi.free()



func test_text_that_multiplies_what_it_is_given_is_refused_before_it_is_built() -> void:
	# Each of these would build tens of millions of characters (%2147483000d: two billion,
	# which aborted the game) from a few kilobytes of input.
	var s := _sandbox()
	expect_error("text % values could build")
	assert_null(s.vmcallv("veval_op", OP_MODULE, "%2147483000d", 1), "a width written in the template")
	expect_error("text % values could build")
	assert_null(s.vmcallv("veval_op", OP_MODULE, "%*d", [2147483000, 1]), "a width taken from the values")
	assert_eq(s.vmcallv("veval_op", OP_MODULE, "%5d|%.2f|%s", [42, 1.5, "x"]), "   42|1.50|x")
	var long := "x".repeat(8192)
	expect_error("format could build")
	assert_null(s.vmcallv("vcallv", "{0}".repeat(8192), "format", [[long]]))
	assert_eq(s.vmcallv("vcallv", "{0}-{1}", "format", [[1, 2]]), "1-2")
	expect_error("replace could build")
	assert_null(s.vmcallv("vcallv", long, "replace", ["x", long]))
	assert_eq(s.vmcallv("vcallv", "abc", "replace", ["b", "xx"]), "axxc")
	var parts := PackedStringArray()
	parts.resize(5000)
	expect_error("join could build")
	assert_null(s.vmcallv("vcallv", "s".repeat(4000), "join", [parts]))
	assert_eq(s.vmcallv("vcallv", ", ", "join", [PackedStringArray(["a", "b"])]), "a, b")
	expect_error("join takes a PackedStringArray")
	assert_null(s.vmcallv("vcallv", ", ", "join", [["a", "b"]]), "an Array's elements would be printed")
	expect_error("indent could build")
	assert_null(s.vmcallv("vcallv", "\n".repeat(5000), "indent", [long]))
	assert_eq(s.vmcallv("vcallv", "a\nb", "indent", ["  "]), "  a\n  b")
	expect_error("uri_encode could build")
	assert_null(s.vmcallv("vcallv", "x".repeat(2_000_000), "uri_encode", []), "a character may become twelve")
	assert_eq(s.vmcallv("vcallv", "a b", "uri_encode", []), "a%20b")
	s.free()


## An Array holding sixteen times the same Array, `levels` deep: 16^levels Arrays at the
## bottom, from 16 * levels appends.
func _dag(levels: int) -> Array:
	var a := []
	for i in levels:
		var b := []
		for j in 16:
			b.append(a)
		a = b
	return a


func test_going_through_nested_containers_is_bounded() -> void:
	# Comparing, hashing or copying deeply 16^6 Arrays would take the game seconds and
	# gigabytes (and two levels more, hours): refused before Godot starts.
	var s := _sandbox()
	var big := _dag(6)
	var other := _dag(6)
	var calls := [
		["vcallv", big, "hash", []],
		["vcallv", big, "duplicate", [true]],
		["vcallv", [big], "has", [other]],
		["veval_op", OP_EQUAL, big, other],
		["veval_op", OP_IN, other, [big]],
		["utility1", 58, big],  # UTILITY HASH
		["vcallv", {}, "has", [big]],
		["get_at", {1: 2}, big],
	]
	for i in calls.size():
		expect_error("too large or too deeply nested to compare, hash or copy deeply")
		assert_null(s.callv("vmcallv", calls[i]), "call %d" % i)
	var small := _dag(3)
	assert_eq(s.vmcallv("vcallv", small, "hash", []), small.hash(), "4096 Arrays hash")
	assert_eq(s.vmcallv("veval_op", OP_EQUAL, small, _dag(3)), true)
	assert_eq(s.vmcallv("vcallv", small, "duplicate", [true]), small)
	var flat := []
	flat.resize(1_000_000)
	assert_eq(s.vmcallv("vcallv", flat, "has", [1]), false, "a million flat elements are compared")
	s.free()


func test_tree_changes_godot_would_refuse_are_refused_first() -> void:
	# Each would make Godot log an error of its own; the guest gets the Sandbox's one.
	const ADD_CHILD := 7
	const ADD_SIBLING := 9
	const MOVE_CHILD := 11
	const REMOVE_CHILD := 12
	const REPARENT := 16
	const REPLACE_BY := 17
	var s := _sandbox()
	var root := Node.new()
	var child := Node.new()
	var loose := Node.new()
	assert_eq(s.vmcallv("node_op", ADD_CHILD, root, child, 0), true)
	assert_eq(child.get_parent(), root, "a valid change is made")
	var refusals := [
		[ADD_CHILD, loose, child, "add_child: the node already has a parent"],
		[ADD_CHILD, child, root, "add_child: the node is an ancestor of this one"],
		[ADD_CHILD, root, root, "add_child: a node and itself"],
		[ADD_SIBLING, root, loose, "add_sibling: this node has no parent"],
		[REMOVE_CHILD, root, loose, "remove_child: not a child of this node"],
		[REPARENT, loose, root, "reparent: this node has no parent"],
		[REPARENT, root, child, "reparent: this node has no parent"],
		[REPLACE_BY, loose, child, "replace_by: the node already has a parent"],
	]
	for refusal in refusals:
		expect_error(refusal[3])
		assert_null(s.vmcallv("node_op", refusal[0], refusal[1], refusal[2], 0), refusal[3])
	var outer := Node.new()
	outer.add_child(root)
	expect_error("reparent: the new parent is inside this node")
	assert_null(s.vmcallv("node_op", REPARENT, root, child, 0))
	expect_error("move_child: index 99 is outside the 1 children")
	assert_null(s.vmcallv("node_op", MOVE_CHILD, root, child, 99))
	assert_eq(s.vmcallv("node_op", MOVE_CHILD, root, child, -1), true)
	assert_eq(root.get_parent(), outer, "nothing moved")
	outer.free()
	loose.free()
	s.free()


func test_builtin_methods_call_guest_callables() -> void:
	# `map` calls the guest's own function for each element, nested inside the VCALL.
	var s := _sandbox()
	s.unboxed_arguments = false  # twice and sum3 take Variants
	assert_eq(s.vmcallv("vcallv", [1, 2, 3], "map", [s.vmcallable("twice")]), [2, 4, 6])
	assert_eq(s.vmcallv("vcallv", [3, 1, 2], "reduce", [s.vmcallable("sum3").bind(0)]), 6, "with a bound argument")
	s.free()


func test_float_sizes_are_read_as_godot_reads_them() -> void:
	# Godot's methods take a float where they take an int: 1e12 is a size too.
	var s := _sandbox()
	expect_error("repeat(1000000000000) would build more than")
	assert_null(s.vmcallv("vcallv", "ab", "repeat", [1e12]))
	expect_error("resize(1000000000000) would build more than")
	assert_null(s.vmcallv("vcallv", [], "resize", [1e12]))
	assert_eq(s.vmcallv("vcallv", "ab", "repeat", [2.0]), "abab")
	expect_error("text % values could build")
	assert_null(s.vmcallv("veval_op", OP_MODULE, "%*d", [1e9, 1]), "a float width")
	expect_error("text % values could build")
	assert_null(s.vmcallv("veval_op", OP_MODULE, "%4000000.4000000v", Vector4()), "each component padded")
	s.free()


func test_format_values_that_would_be_expanded_again_are_refused() -> void:
	# Godot replaces one value after another in the growing text: "{1}" inside value 0 would
	# be replaced by value 1, and so on, doubling with every value.
	var s := _sandbox()
	expect_error("format: a value's text contains '{', which would be expanded again")
	assert_null(s.vmcallv("vcallv", "{0}", "format", [["{1}{1}{1}{1}", "{2}{2}{2}{2}", "xy"]]))
	assert_eq(s.vmcallv("vcallv", "{a}: {b}", "format", [{"a": 1, "b": "x"}]), "1: x")
	assert_eq(s.vmcallv("vcallv", "$a", "format", [{"a": 1}, "$_"]), "1", "a placeholder of the guest's")
	s.free()


func test_ordering_nested_containers_is_bounded() -> void:
	# Godot orders two Arrays by asking a < b and b < a of each pair of elements: the work
	# doubles with every level, and two chains forty deep would take a day.
	var s := _sandbox()
	var a := [1]
	var b := [1]
	for i in 40:
		a = [a]
		b = [b]
	expect_error("too large or too deeply nested to order")
	assert_null(s.vmcallv("veval_op", OP_LESS, a, b))
	expect_error("too large or too deeply nested to order")
	assert_null(s.vmcallv("vcallv", [a, b], "sort", []))
	assert_eq(s.vmcallv("veval_op", OP_LESS, [[1, 2]], [[1, 3]]), true, "shallow nesting orders")
	assert_eq(s.vmcallv("vcallv", [[2], [1]], "max", []), [2])
	s.free()


func test_lines_in_godots_output_are_charged_to_the_budget() -> void:
	# Godot takes microseconds to print a line (an error with its backtrace, more): a guest
	# looping over them would otherwise make the game spend seconds it is charged nothing for.
	var s := _sandbox()
	var before: int = s.monitor_instructions_executed
	s.vmcallv("write_lines", 10)
	assert_true(s.monitor_instructions_executed - before >= 100_000, "ten lines")
	before = s.monitor_instructions_executed
	for i in 3:
		expect_error("GET_OBJ: no singleton or autoload named 'NoSuchSingleton'")
	assert_eq(s.vmcallv("missing_singletons", 3), 0)
	assert_true(s.monitor_instructions_executed - before >= 30_000, "three engine errors")
	s.free()


func test_connections_godot_would_refuse_are_refused_first() -> void:
	# Each would make Godot log an error of its own (or, for a disconnect, only its own).
	var s := _sandbox()
	var emitter := Node.new()
	var receiver := Node.new()
	expect_error("connect('nope', 'queue_free'): no such signal")
	assert_null(s.vmcallv("obj_connect", 4, emitter, receiver, "nope", "queue_free"))
	expect_error("connect('ready', 'nope'): the receiver has no such method")
	assert_null(s.vmcallv("obj_connect", 4, emitter, receiver, "ready", "nope"))
	expect_error("disconnect('ready', 'queue_free'): not connected")
	assert_null(s.vmcallv("obj_connect", 5, emitter, receiver, "ready", "queue_free"))
	assert_eq(s.vmcallv("obj_connect", 4, emitter, receiver, "ready", "queue_free"), true)
	assert_eq(emitter.get_signal_connection_list("ready").size(), 1, "connected (through the guard)")
	expect_error("connect('ready', 'queue_free'): already connected")
	assert_null(s.vmcallv("obj_connect", 4, emitter, receiver, "ready", "queue_free"))
	assert_eq(s.vmcallv("obj_connect", 5, emitter, receiver, "ready", "queue_free"), true)
	assert_eq(emitter.get_signal_connection_list("ready").size(), 0, "disconnected")
	emitter.free()
	receiver.free()
	s.free()


func test_the_quaternion_of_a_node_scaled_to_nothing_is_refused() -> void:
	const GET_QUATERNION := 8
	var s := _sandbox()
	var node := Node3D.new()
	assert_eq(s.vmcallv("node3d_op", GET_QUATERNION, node, null), Quaternion())
	node.scale = Vector3.ZERO
	expect_error("quaternion: the node's basis is degenerate")
	assert_null(s.vmcallv("node3d_op", GET_QUATERNION, node, null), "Godot would log an error of its own")
	node.free()
	s.free()


func test_a_connection_that_re_emits_its_own_signal_is_bounded() -> void:
	# changed -> emit_changed would recurse inside Godot until the game's stack overflows.
	var s := _sandbox()
	var resource := Resource.new()
	assert_eq(s.vmcallv("obj_connect", 4, resource, resource, "changed", "emit_changed"), true)
	expect_error("connections made by guests nested 8 deep")
	s.vmcallv("callp", resource, "emit_changed", [], false)
	expect_error("a deferred connection of an object's method")
	assert_null(s.vmcallv("callp", resource, "connect", ["changed", Callable(resource, "emit_changed"), 1], false))
	expect_error("connect through a Callable")
	assert_null(s.vmcallv("vcallv", Callable(resource, "connect"), "call", ["changed", Callable(resource, "emit_changed")]))
	expect_error("connecting a bound Callable of an object's method")
	assert_null(s.vmcallv("callp", resource, "connect", ["changed", Callable(resource, "emit_changed").bind(1)], false))
	var node := Node.new()
	assert_eq(s.vmcallv("callp", resource, "connect", ["changed", Callable(node, "get_class")], false), OK)
	assert_eq(resource.get_signal_connection_list("changed").size(), 2, "an ordinary connection is made")
	node.free()
	s.free()


func test_connections_that_re_emit_each_other_are_bounded_in_number() -> void:
	# Four objects whose signals re-emit each other's: thousands of calls within the depth
	# limit, so the calls are counted too, and reported once.
	var s := _sandbox()
	var ring: Array[Resource] = [Resource.new(), Resource.new(), Resource.new(), Resource.new()]
	for from in ring:
		for to in ring:
			if from != to:
				assert_eq(s.vmcallv("obj_connect", 4, from, to, "changed", "emit_changed"), true)
	expect_error("connections made by guests nested 8 deep or made 256 calls")
	ring[0].emit_changed()
	s.free()
