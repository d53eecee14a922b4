## The Sandbox node: registration, properties, programs (.elf resources, buffers), lookups.
extends "res://tests/test_case.gd"

const ABI := "res://tests/guests/abi.elf"


func test_sandbox_is_a_registered_node() -> void:
	assert_true(ClassDB.class_exists("Sandbox"), "Sandbox is registered")
	assert_eq(ClassDB.get_parent_class("Sandbox"), &"Node")
	var s := Sandbox.new()
	assert_true(s is Node, "Sandbox.new() is a Node")
	assert_eq(s.get_class(), "Sandbox")
	s.free()


func test_vararg_methods_are_declared() -> void:
	var found := {}
	for method in ClassDB.class_get_method_list("Sandbox", true):
		if method.name in ["vmcall", "vmcallv", "vmcallable", "vmcallable_address"]:
			found[method.name] = true
			assert_true(method.flags & METHOD_FLAG_VARARG, "%s is vararg" % method.name)
			assert_eq(method.args.size(), 1, "%s: one fixed parameter" % method.name)
			assert_true(method.return.usage & PROPERTY_USAGE_NIL_IS_VARIANT, "returns a Variant")
	assert_eq(found.size(), 4, "vmcall, vmcallv, vmcallable, vmcallable_address")


func test_properties_and_defaults() -> void:
	var s := Sandbox.new()
	assert_eq(s.memory_max, 32)
	assert_eq(s.execution_timeout, 8000)
	assert_eq(s.references_max, 100)
	assert_eq(s.host_memory_max, 256)
	assert_eq(s.unboxed_arguments, true)
	assert_null(s.program)
	for monitor in ["monitor_calls_made", "monitor_exceptions", "monitor_execution_timeouts",
			"monitor_instructions_executed", "monitor_scoped_references",
			"monitor_permanent_references"]:
		assert_eq(s.get(monitor), 0, monitor)
	var exported := {}
	for p in s.get_property_list():
		if p.usage & PROPERTY_USAGE_EDITOR:
			exported[p.name] = p
	for name in ["program", "memory_max", "execution_timeout", "references_max", "host_memory_max"]:
		assert_true(exported.has(name), "%s is editor-visible" % name)
	assert_eq(exported["program"].hint_string, "SandboxProgram", "the inspector takes .elf resources")
	s.free()


func test_elf_files_load_as_sandbox_programs() -> void:
	assert_true("elf" in ResourceLoader.get_recognized_extensions_for_type("SandboxProgram"))
	var program: SandboxProgram = load(ABI)
	assert_true(program != null, "load() gives a SandboxProgram")
	assert_true(program.is_valid())
	assert_true(program.get_content().size() > 1000)
	assert_true("echo" in program.get_symbols())
	assert_true(load(ABI) == program, "the resource is cached")


func test_scenes_made_with_godot_sandbox_load() -> void:
	# godot-sandbox names its .elf resources ELFScript: its scenes ask for that type.
	assert_true(ResourceLoader.load(ABI, "ELFScript") is SandboxProgram)
	var scene: PackedScene = load("res://tests/scenes/godot_sandbox_scene.tscn")
	var s: Sandbox = scene.instantiate()
	assert_true(s.has_program_loaded())
	assert_eq(s.vmcall("add_ints", 40, 2), 42)
	s.free()


func test_program_property_loads_and_runs_main() -> void:
	var s := Sandbox.new()
	s.program = load(ABI)
	assert_true(s.has_program_loaded())
	assert_eq(s.vmcall("add_ints", 40, 2), 42)
	assert_eq(s.vmcall("get_startup_string"), "made during main")
	s.free()


func test_from_buffer_and_from_program() -> void:
	var a := Sandbox.FromBuffer(FileAccess.get_file_as_bytes(ABI))
	assert_eq(a.vmcall("add_ints", 1, 2), 3)
	var b := Sandbox.FromProgram(load(ABI))
	assert_eq(b.vmcall("add_ints", 3, 4), 7)
	assert_eq(a.vmcall("add_ints", 5, 6), 11, "two machines of one program are independent")
	a.free()
	b.free()


func test_load_buffer_and_reset() -> void:
	var s := Sandbox.new()
	assert_true(not s.has_program_loaded())
	s.load_buffer(FileAccess.get_file_as_bytes(ABI))
	assert_true(s.has_program_loaded())
	s.vmcallv("keep", "kept text")
	assert_eq(s.vmcall("get_kept"), "kept text")
	s.reset()
	assert_null(s.vmcall("get_kept"), "reset starts the program over")
	assert_eq(s.vmcall("add_ints", 1, 1), 2)
	s.reset(true)
	assert_true(not s.has_program_loaded())
	s.free()


func test_function_lookups() -> void:
	var s := Sandbox.FromProgram(load(ABI))
	assert_true(s.has_function("echo"))
	assert_true(s.has_function("spin"), "any symbol can be called")
	assert_true(not s.has_function("nope"))
	var functions := s.get_functions()
	assert_true("public_add" in functions and "echo" in functions, "registered public functions")
	var address := s.address_of("spin")
	assert_true(address > 0)
	assert_eq(s.lookup_address(address), "spin")
	assert_eq(s.address_of("nope"), 0)
	# A public name registered in main() for another symbol.
	assert_eq(s.vmcallv("public_add", 2, 3), 5)
	s.free()


func test_guest_property() -> void:
	var s := Sandbox.FromProgram(load(ABI))
	assert_eq(s.get("score"), 10)
	s.set("score", 25)
	assert_eq(s.get("score"), 25)
	var names := []
	for p in s.get_property_list():
		names.append(p.name)
	assert_true("score" in names, "guest properties are listed")
	s.free()


func test_monitors_count_calls_and_instructions() -> void:
	var s := Sandbox.FromProgram(load(ABI))
	var calls: int = s.monitor_calls_made
	var instructions: int = s.monitor_instructions_executed
	assert_true(instructions > 0, "main() ran")
	s.vmcall("add_ints", 1, 2)
	s.vmcall("add_ints", 1, 2)
	assert_eq(s.monitor_calls_made, calls + 2)
	assert_eq(s.get_calls_made(), calls + 2)
	assert_true(s.monitor_instructions_executed > instructions)
	assert_eq(s.monitor_scoped_references, 0, "nothing scoped between calls")
	s.free()


func test_global_monitors_count_every_sandbox() -> void:
	var calls := Sandbox.get_global_calls_made()
	var exceptions := Sandbox.get_global_exceptions()
	var timeouts := Sandbox.get_global_timeouts()
	var instances := Sandbox.get_global_instance_count()
	var startup := Sandbox.get_accumulated_startup_time()
	var a := Sandbox.FromProgram(load(ABI))
	var b := Sandbox.FromProgram(load(ABI))
	assert_eq(Sandbox.get_global_instance_count(), instances + 2)
	assert_true(Sandbox.get_accumulated_startup_time() > startup, "loading takes time")
	assert_eq(a.vmcall("add_ints", 1, 2), 3)
	expect_error("function 'missing' not found")
	assert_null(b.vmcall("missing"))
	b.execution_timeout = 1
	expect_error("spin")
	assert_null(b.vmcall("spin"))
	assert_eq(Sandbox.get_global_calls_made(), calls + 3)
	assert_eq(Sandbox.get_global_exceptions(), exceptions + 1)
	assert_eq(Sandbox.get_global_timeouts(), timeouts + 1)
	a.free()
	assert_eq(Sandbox.get_global_instance_count(), instances + 1)
	assert_eq(Sandbox.get_global_calls_made(), calls + 3, "a freed Sandbox's calls still count")
	assert_eq(b.monitor_global_calls_made, calls + 3)
	assert_eq(b.monitor_global_exceptions, exceptions + 1)
	assert_eq(b.monitor_global_execution_timeouts, timeouts + 1)
	assert_eq(b.monitor_global_instance_count, instances + 1)
	assert_eq(b.monitor_accumulated_startup_time, Sandbox.get_accumulated_startup_time())
	# godot-sandbox's names for this node's counters and limits.
	assert_eq([b.get_exceptions(), b.get_timeouts()], [1, 1])
	b.set_instructions_max(5)
	assert_eq([b.execution_timeout, b.get_instructions_max()], [5, 5])
	b.set_max_refs(7)
	assert_eq([b.references_max, b.get_max_refs()], [7, 7])
	b.set_max_refs()
	assert_eq(b.references_max, 100)
	b.free()


func test_a_sandbox_made_and_freed_off_the_main_thread_is_counted() -> void:
	var instances := Sandbox.get_global_instance_count()
	var thread := Thread.new()
	thread.start(func() -> Sandbox: return Sandbox.new())
	var s: Sandbox = thread.wait_to_finish()
	assert_eq(Sandbox.get_global_instance_count(), instances + 1)
	thread = Thread.new()
	thread.start(func() -> void: s.free())
	thread.wait_to_finish()
	assert_eq(Sandbox.get_global_instance_count(), instances)


## Sandboxes calling one another through GDScript, each within its own limit of nested calls,
## are stopped before the thread's stack runs out.
class Ring extends Node:
	var next: Sandbox
	var next_ring: Ring

	func reenter_cb(n):
		return next.vmcallv("reenter", next_ring, n)


func test_a_ring_of_sandboxes_calling_each_other_is_bounded() -> void:
	var boxes: Array[Sandbox] = []
	var rings: Array[Ring] = []
	for i in 40:
		boxes.append(Sandbox.FromProgram(load(ABI)))
	for i in 40:
		rings.append(Ring.new())
	for i in 40:
		rings[i].next = boxes[(i + 1) % 40]
		rings[i].next_ring = rings[(i + 1) % 40]
	# reenter(ring, n) calls ring.reenter_cb(n), which calls the next Sandbox's reenter: without
	# a bound this goes on until the stack overflows.
	expect_error("too many guest calls in progress on this thread")
	boxes[0].vmcallv("reenter", rings[0], 1)
	assert_eq(boxes[0].vmcall("add_ints", 1, 2), 3, "still usable")
	for ring in rings:
		ring.free()
	for box in boxes:
		box.free()


func test_native_code_can_be_turned_off() -> void:
	assert_eq(Sandbox.has_feature_jit(), Engine.get_architecture_name() == "x86_64")
	assert_eq(Sandbox.has_feature_binary_translation(), false)
	var with_native := Sandbox.FromProgram(load(ABI))
	assert_eq(with_native.is_jit(), Sandbox.has_feature_jit())
	Sandbox.set_jit_enabled(false)
	assert_eq(Sandbox.is_jit_enabled(), false)
	var interpreted := Sandbox.FromProgram(load(ABI))
	Sandbox.set_jit_enabled(true)
	assert_eq(interpreted.is_jit(), false)
	assert_eq(with_native.is_jit(), Sandbox.has_feature_jit(), "loaded programs keep theirs")
	assert_eq(interpreted.vmcall("add_ints", 40, 2), 42)
	assert_eq(interpreted.is_binary_translated(), false)
	with_native.free()
	interpreted.free()


func test_vmcall_in_the_scene_tree() -> void:
	var s := Sandbox.new()
	Engine.get_main_loop().root.add_child(s)
	s.program = load(ABI)
	assert_eq(s.vmcall("add_ints", 40, 2), 42)
	s.free()


func test_function_must_be_a_name() -> void:
	expect_error("Sandbox.vmcall: the function must be given by name")
	var s := Sandbox.FromProgram(load(ABI))
	assert_null(s.vmcall(42))
	s.free()


func test_too_few_arguments_is_a_call_error() -> void:
	expect_error("expected 1 argument")
	var s := Sandbox.new()
	assert_null(s.callv("vmcall", []))
	s.free()


func test_vmcall_through_every_call_path() -> void:
	var typed: Sandbox = Sandbox.FromProgram(load(ABI))
	assert_eq(typed.vmcall("add_ints", 2, 3), 5, "typed receiver")
	var untyped: Variant = typed
	assert_eq(untyped.vmcall("add_ints", 2, 3), 5, "untyped receiver")
	assert_eq(typed.call("vmcall", "add_ints", 2, 3), 5, "Object.call")
	assert_eq(typed.callv("vmcall", ["add_ints", 2, 3]), 5, "Object.callv")
	assert_eq(Callable(typed, "vmcall").call("add_ints", 2, 3), 5, "Callable.call")
	assert_eq(typed.vmcall.bind(3).call("add_ints", 2), 5, "bound Callable")
	assert_eq(typed.vmcall(&"add_ints", 2, 3), 5, "function given as StringName")
	typed.free()
