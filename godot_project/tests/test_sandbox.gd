## The Sandbox node and its true vararg `vmcall(function, ...args)`.
##
## Until the emulator core is wired in, vmcall is served by placeholder functions built into
## the extension (rust/godot/src/sandbox.rs, `placeholder_call`): echo, count, sum, reenter,
## panic. These tests prove the plumbing; guest-program tests replace the placeholders later.
extends "res://tests/test_case.gd"


func test_sandbox_is_a_registered_node() -> void:
	assert_true(ClassDB.class_exists("Sandbox"), "Sandbox is registered")
	assert_eq(ClassDB.get_parent_class("Sandbox"), &"Node")
	var s := Sandbox.new()
	assert_true(s is Node, "Sandbox.new() is a Node")
	assert_eq(s.get_class(), "Sandbox")
	s.free()


func test_vmcall_is_declared_vararg_with_one_fixed_parameter() -> void:
	var found := false
	for method in ClassDB.class_get_method_list("Sandbox", true):
		if method.name == "vmcall":
			found = true
			assert_true(method.flags & METHOD_FLAG_VARARG, "METHOD_FLAG_VARARG is set")
			assert_eq(method.args.size(), 1, "one fixed parameter")
			assert_eq(method.args[0].name, "function")
			assert_true(method.return.usage & PROPERTY_USAGE_NIL_IS_VARIANT, "returns a Variant")
	assert_true(found, "vmcall is in the method list")


func test_vmcall_with_no_extra_arguments() -> void:
	var s := Sandbox.new()
	assert_eq(s.vmcall("count"), 0)
	assert_eq(s.vmcall("echo"), [])
	s.free()


func test_vmcall_with_two_extra_arguments() -> void:
	var s := Sandbox.new()
	assert_eq(s.vmcall("sum", 1, 2), 3)
	assert_eq(s.vmcall("echo", "a", 2.5), ["a", 2.5])
	s.free()


func test_vmcall_with_five_extra_arguments() -> void:
	var s := Sandbox.new()
	assert_eq(s.vmcall("sum", 1, 2, 3, 4, 5), 15)
	assert_eq(s.vmcall("sum", 1, 2, 3, 4, 0.5), 10.5)
	var args := [1, "two", 3.5, Vector2(1, 2), null]
	assert_eq(s.vmcall("echo", args[0], args[1], args[2], args[3], args[4]), args)
	assert_eq(s.vmcall("count", 1, 2, 3, 4, 5), 5)
	s.free()


func test_vmcall_through_every_call_path() -> void:
	var typed: Sandbox = Sandbox.new()
	# One argument with a statically typed receiver: must not become a validated call.
	assert_eq(typed.vmcall("count"), 0, "typed receiver, fixed argument only")
	assert_eq(typed.vmcall("sum", 2, 3), 5, "typed receiver")
	var untyped: Variant = typed
	assert_eq(untyped.vmcall("sum", 2, 3), 5, "untyped receiver")
	assert_eq(typed.call("vmcall", "sum", 2, 3), 5, "Object.call")
	assert_eq(typed.callv("vmcall", ["sum", 2, 3]), 5, "Object.callv")
	assert_eq(Callable(typed, "vmcall").call("sum", 2, 3), 5, "Callable.call")
	assert_eq(typed.vmcall.bind(3).call("sum", 2), 5, "bound Callable")
	assert_eq(typed.vmcall(&"sum", 2, 3), 5, "function given as StringName")
	typed.free()


func test_vmcall_in_the_scene_tree() -> void:
	var s := Sandbox.new()
	Engine.get_main_loop().root.add_child(s)
	assert_true(s.is_inside_tree())
	assert_eq(s.vmcall("sum", 40, 2), 42)
	s.free()


func test_nested_vmcall_into_the_same_node() -> void:
	var s := Sandbox.new()
	# "reenter" calls vmcall("sum", ...) on the same node while the outer call is running.
	assert_eq(s.vmcall("reenter", 1, 2, 3), 6)
	assert_eq(s.get_calls_made(), 2, "outer and nested call both dispatched")
	s.free()


func test_unknown_function_is_null_and_an_engine_error() -> void:
	expect_error("Sandbox.vmcall: no function named 'nope'")
	var s := Sandbox.new()
	assert_null(s.vmcall("nope", 1, 2))
	s.free()


func test_bad_argument_is_null_and_an_engine_error() -> void:
	expect_error("Sandbox.vmcall: argument 1: expected int or float")
	var s := Sandbox.new()
	assert_null(s.vmcall("sum", 1, "x"))
	s.free()


func test_function_must_be_a_name() -> void:
	expect_error("Sandbox.vmcall: the function must be given by name")
	var s := Sandbox.new()
	assert_null(s.vmcall(42))
	s.free()


func test_panic_is_contained() -> void:
	# Two engine errors carry this text: gdext's panic hook reports the panic (with location
	# and, in debug builds, a backtrace), then vmcall reports "internal error (panic): ...".
	expect_error("placeholder function 'panic' was called")
	var s := Sandbox.new()
	assert_null(s.vmcall("panic", 1, 2))
	assert_eq(s.vmcall("sum", 1, 2), 3, "the node still works after a panic")
	s.free()


func test_too_few_arguments_is_a_call_error() -> void:
	expect_error("expected 1 argument")
	var s := Sandbox.new()
	assert_null(s.callv("vmcall", []))
	s.free()
