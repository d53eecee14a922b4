## Guests calling into Godot: methods, properties, nodes, singletons, printing, containers,
## permanent Variants, and re-entrancy (guest -> GDScript -> the same Sandbox).
extends "res://tests/test_case.gd"

const ABI := "res://tests/guests/abi.elf"


class Target extends Node:
	var health := 100
	var sandbox: Sandbox
	var depth := 0

	func add(a, b):
		return a + b

	## Called by the guest; calls the guest again on the same Sandbox.
	func reenter_cb(n):
		depth += 1
		if n > 0:
			# Guest -> here -> guest -> here ... three levels deep.
			return sandbox.vmcallv("reenter", self, n - 1)
		return sandbox.vmcall("add_ints", 100, 0)


func _sandbox() -> Sandbox:
	return Sandbox.FromProgram(load(ABI))


## The same arithmetic as the guest's hot_loop, with Target.add in place of the host call.
func _hot_loop(steps: int) -> int:
	var acc := 0
	var x := 0.0
	for i in steps:
		acc += (i * 7) ^ (acc >> 3)
		x += float(i & 1023) * 0.5
		if (i & 63) == 0:
			acc = acc + i
	return acc + int(x)


func test_compiled_guest_code_calls_into_godot() -> void:
	var s := _sandbox()
	var t := Target.new()
	var regions: int = s.monitor_native_regions
	# 100,000 steps: the loop is compiled after 4096 and runs natively from then on, leaving
	# native code for each of its 1,563 calls of t.add.
	assert_eq(s.vmcallv("hot_loop", t, 100000), _hot_loop(100000))
	assert_true(s.monitor_native_regions > regions, "the loop was compiled")
	assert_eq(s.vmcallv("hot_loop", t, 5000), _hot_loop(5000))
	assert_eq(s.monitor_scoped_references, 0)
	t.free()
	s.free()


func test_guest_calls_a_gdscript_method() -> void:
	var s := _sandbox()
	var t := Target.new()
	assert_eq(s.vmcallv("call_add", t, 40, 2), 42)
	assert_eq(s.vmcallv("call_add", t, "a", "b"), "ab")
	assert_eq(s.vmcallv("vcall_method", t, "get_class", null), "Node")
	assert_eq(s.vmcallv("vcall_method", [1, 2, 3], "size", null), 3, "VCALL on a builtin")
	assert_eq(s.vmcallv("vcall_method", "abc", "to_upper", null), "ABC")
	t.free()
	s.free()


func test_guest_reads_and_writes_properties() -> void:
	var s := _sandbox()
	var t := Target.new()
	assert_eq(s.vmcallv("get_health", t), 100)
	s.vmcallv("set_health", t, 55)
	assert_eq(t.health, 55)
	t.free()
	s.free()


func test_guest_object_operations() -> void:
	var s := _sandbox()
	var t := Target.new()
	assert_eq(s.vmcallv("obj_demo", t), [77, true], "OBJ SET, GET and GET_SIGNAL_LIST")
	assert_eq(t.health, 77)
	t.free()
	s.free()


func test_guest_get_node() -> void:
	var s := _sandbox()
	var child := Node.new()
	child.name = "Child"
	var grandchild := Node2D.new()
	grandchild.name = "Grand"
	s.add_child(child)
	child.add_child(grandchild)
	assert_true(s.vmcallv("find_node", null, "Child") == child, "relative to the Sandbox")
	assert_true(s.vmcallv("find_node", null, "Child/Grand") == grandchild)
	assert_true(s.vmcallv("find_node", child, "Grand") == grandchild, "relative to a node the guest got")
	expect_error("node not found: 'Missing'")
	assert_null(s.vmcallv("find_node", null, "Missing"))
	# A path Godot cannot parse (an empty subname) names no node either, and Godot logs no
	# error of its own about it.
	expect_error("node not found: 'Child::x'")
	assert_null(s.vmcallv("find_node", null, "Child::x"))
	assert_true(s.vmcallv("find_node", null, "Child:") == child, "a path may end in ':'")
	# An absolute path from a Sandbox outside the scene tree.
	expect_error("node not found: '/root'")
	assert_null(s.vmcallv("find_node", null, "/root"))
	s.free()


func test_guest_gets_singletons() -> void:
	var s := _sandbox()
	assert_true(s.vmcallv("singleton", "Engine") == Engine)
	assert_true(s.vmcallv("singleton", "SceneTree") == Engine.get_main_loop())
	s.free()


func test_reentrancy_guest_gdscript_same_sandbox() -> void:
	var s := _sandbox()
	var t := Target.new()
	t.sandbox = s
	# reenter(t, 2): guest -> reenter_cb(2) -> guest reenter(t, 1) -> reenter_cb(1) -> ...
	# -> reenter_cb(0) -> vmcall add_ints = 100; each guest level adds 1.
	assert_eq(s.vmcallv("reenter", t, 1), 102)
	assert_eq(t.depth, 2)
	assert_eq(s.vmcall("add_ints", 1, 2), 3, "the machine is intact afterwards")
	t.free()
	s.free()


func test_reentrancy_is_limited() -> void:
	var s := _sandbox()
	var t := Target.new()
	t.sandbox = s
	expect_error("too many VM calls in progress")
	# Level 4 is refused (null, an error); the three levels below it finish normally.
	assert_eq(s.vmcallv("reenter", t, 5), 3)
	assert_eq(s.vmcall("add_ints", 1, 2), 3, "the next call works")
	t.free()
	s.free()


func test_print_and_stdout() -> void:
	var s := _sandbox()
	assert_eq(s.vmcallv("greet", "world"), "hello, world")
	assert_null(s.vmcall("write_stdout"))
	assert_eq(s.vmcall("is_editor"), false)
	s.free()


func test_output_can_go_to_a_callback() -> void:
	var s := _sandbox()
	var lines: Array[String] = []
	s.set_redirect_stdout(func(line: String) -> void:
		lines.append(line)
		if line == "hello, world":
			# The callback may call the guest again; what that prints comes after.
			s.vmcall("write_stdout"))
	assert_eq(s.vmcallv("greet", "world"), "hello, world")
	assert_eq(lines, ["hello, world", "guest stdout line"], "PRINT, then the nested call's write")
	lines.clear()
	s.vmcall("write_stdout")
	s.vmcallv("str_of", "x =", 1.5)
	assert_eq(lines, ["guest stdout line", "x = 1.5"], "standard output, and every print channel")
	s.set_redirect_stdout(Callable())
	s.vmcall("write_stdout")
	assert_eq(lines.size(), 2, "an invalid Callable gives the output back to Godot")
	s.free()


const PRINTING := "res://tests/guests/printing.elf"


class Console extends Logger:
	var sandbox: Sandbox
	var seen := 0

	func _log_message(message: String, _error: bool) -> void:
		if message.contains("guest stdout line"):
			seen += 1
			# Godot runs loggers while it prints: the Sandbox must not be in use then.
			sandbox.set_redirect_stdout(Callable())


func test_output_callback_while_the_node_is_bound_runs_after() -> void:
	var s := Sandbox.new()
	var lines: Array[String] = []
	s.set_redirect_stdout(func(line: String) -> void:
		lines.append(line)
		# The node is bound while it loads (or runs a property accessor): the callback, which
		# may free or use it, runs once the binding method has returned.
		s.set_redirect_stdout(func(later: String) -> void: lines.append(later))
		if line == "main tail":
			s.free())
	s.program = load(PRINTING)
	assert_eq(lines, [], "not while set_program runs")
	await Engine.get_main_loop().process_frame
	assert_eq(lines, ["main says hi", "main stdout", "main tail"])
	assert_true(not is_instance_valid(s), "the callback freed the Sandbox, afterwards")
	var t := Sandbox.FromProgram(load(PRINTING))
	var got: Array[String] = []
	t.set_redirect_stdout(func(line: String) -> void:
		got.append(line)
		t.set_redirect_stdout(func(_line: String) -> void: pass))
	t.loud = 5
	assert_eq(t.loud, 5)
	await Engine.get_main_loop().process_frame
	assert_eq(got, ["setting loud", "getting loud"], "property accessors print too")
	t.free()


func test_a_logger_may_use_the_sandbox_while_it_prints_guest_output() -> void:
	var s := _sandbox()
	var console := Console.new()
	console.sandbox = s
	OS.add_logger(console)
	s.vmcall("write_stdout")
	OS.remove_logger(console)
	assert_eq(console.seen, 1)
	s.free()


func test_redirected_output_waiting_for_delivery_is_bounded() -> void:
	var s := Sandbox.FromProgram(load(PRINTING))
	var bytes := [0]
	var notes: Array[String] = []
	s.set_redirect_stdout(func(line: String) -> void:
		bytes[0] += line.length()
		if line.contains("dropped"):
			notes.append(line))
	# 8 MiB without a newline, delivered when the call ends.
	assert_eq(s.vmcallv("flood", 128), 128)
	assert_true(bytes[0] <= 4 << 20, "at most 4 MiB waits")
	assert_eq(notes.size(), 1, "one note says how much was dropped")
	s.free()


func test_containers() -> void:
	var s := _sandbox()
	var arr := [1, 2]
	var result = s.vmcallv("array_demo", arr)
	assert_eq(arr, [1, 2, 42], "the guest pushed to the caller's array")
	assert_eq(result, [3, 1, [null, 7]])
	var dict := {}
	assert_eq(s.vmcallv("dict_demo", dict), {"has": true, "size": 1, "missing": null})
	assert_eq(dict, {"answer": 42})
	assert_eq(s.vmcallv("string_demo", "hey"), [3, "hey!?", "?"])
	assert_eq(s.vmcallv("packed_demo", PackedByteArray([1, 2, 3, 250])), PackedInt32Array([256, 4, -1]))
	assert_eq(s.vmcallv("veval_add", 40, 2), 42)
	assert_eq(s.vmcallv("veval_add", "a", "b"), "ab")
	s.free()


func test_permanent_variants_outlive_calls() -> void:
	var s := _sandbox()
	s.vmcallv("keep", [1, 2, 3])
	assert_eq(s.vmcall("add_ints", 0, 0), 0)
	assert_eq(s.vmcall("get_kept"), [1, 2, 3])
	assert_eq(s.vmcall("get_startup_string"), "made during main")
	assert_true(s.monitor_permanent_references >= 2)
	s.free()


func test_nodes_str_and_print_channels() -> void:
	var s := _sandbox()
	var parent := Node.new()
	var result = s.vmcallv("node_demo", parent, "Made")
	assert_eq(result[0], 1, "one child")
	assert_eq(result[1], &"Made")
	var child: Node2D = result[2]
	assert_true(child.get_parent() == parent)
	assert_eq(child.scale, Vector2(2, 3))
	assert_eq(result[3], true, "GET_PARENT gives the same handle")
	assert_eq(s.vmcallv("str_of", "x = ", 1.5), "x = 1.5")
	parent.free()
	s.free()
