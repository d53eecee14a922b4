## Guest functions as Godot Callables: made by the guest (CALLABLE_CREATE) or by the host
## (vmcallable, vmcallable_address), used with connect, call and call_deferred.
extends "res://tests/test_case.gd"

const ABI := "res://tests/guests/abi.elf"


class Emitter extends Node:
	signal fired(value)
	signal pair(a, b)


func _sandbox() -> Sandbox:
	return Sandbox.FromProgram(load(ABI))


func test_guest_callable_connected_to_a_signal() -> void:
	var s := _sandbox()
	var e := Emitter.new()
	var cb: Callable = s.vmcallv("make_callback", true)
	assert_true(cb.is_valid(), "a valid Callable")
	e.fired.connect(cb)
	e.fired.emit("first")
	e.fired.emit(5)
	assert_eq(s.vmcall("get_signal_count"), 2)
	assert_eq(s.vmcall("get_last_signal_arg"), 5)
	assert_eq(cb.call("direct"), 3, "Callable.call returns the guest's result")
	e.free()
	s.free()


func test_unboxed_guest_callable() -> void:
	var s := _sandbox()
	var e := Emitter.new()
	var cb: Callable = s.vmcallv("make_callback", false)
	e.pair.connect(cb)
	e.pair.emit(2, 3)
	assert_eq(s.vmcall("get_signal_count"), 5)
	e.free()
	s.free()


func test_call_deferred() -> void:
	var s := _sandbox()
	var cb: Callable = s.vmcallv("make_callback", true)
	cb.call_deferred("later")
	assert_eq(s.vmcall("get_signal_count"), 0, "not yet")
	await Engine.get_main_loop().process_frame
	assert_eq(s.vmcall("get_signal_count"), 1)
	assert_eq(s.vmcall("get_last_signal_arg"), "later")
	s.free()


func test_guest_connects_a_signal_itself() -> void:
	var s := _sandbox()
	var e := Emitter.new()
	assert_eq(s.vmcallv("connect_fired", e), OK)
	e.fired.emit([1])
	assert_eq(s.vmcall("get_signal_count"), 1)
	assert_eq(s.vmcall("get_last_signal_arg"), [1])
	e.free()
	s.free()


func test_vmcallable_with_bound_arguments() -> void:
	var s := _sandbox()
	var add: Callable = s.vmcallable("add_ints", [40])
	assert_eq(add.call(2), 42, "bound arguments come first")
	s.unboxed_arguments = false
	var boxed: Callable = s.vmcallable("on_signal")
	boxed.call("x")
	assert_eq(s.vmcall("get_last_signal_arg"), "x")
	var e := Emitter.new()
	e.fired.connect(s.vmcallable("on_signal"))
	e.fired.emit(9)
	assert_eq(s.vmcall("get_signal_count"), 2)
	e.free()
	s.free()


func test_vmcallable_address() -> void:
	var s := _sandbox()
	var address: int = s.vmcall("address_of_on_signal")
	assert_eq(address, s.address_of("on_signal"))
	s.unboxed_arguments = false
	var cb: Callable = s.vmcallable_address(address, ["bound"])
	assert_eq(cb.call(), 1)
	assert_eq(s.vmcall("get_last_signal_arg"), "bound")
	s.free()


func test_callable_of_a_freed_sandbox_is_invalid() -> void:
	var s := _sandbox()
	var cb: Callable = s.vmcallable("add_ints", [1])
	s.free()
	assert_true(not cb.is_valid(), "invalid once the Sandbox is gone")


func test_vmcallable_of_unknown_function() -> void:
	expect_error("function 'nope' not found")
	var s := _sandbox()
	assert_null(s.vmcallable("nope"))
	s.free()


func test_a_callable_belongs_to_the_program_it_was_made_for() -> void:
	# Its guest address means something only in that program: once the Sandbox loads another,
	# the Callable would call whatever is there.
	var s := _sandbox()
	var add: Callable = s.vmcallable("add_ints", [40])
	s.reset()
	assert_eq(add.call(2), 42, "the same program, reset, still has it")
	s.program = load("res://tests/guests/hostcalls.elf")
	expect_error("the Sandbox has loaded another program since this Callable was made")
	assert_null(add.call(2))
	s.free()
