## 100 000 vmcalls in a loop: no growth in scoped or permanent references, or in memory.
extends "res://tests/test_case.gd"

const ABI := "res://tests/guests/abi.elf"
const CALLS := 100000


func test_many_calls_do_not_grow() -> void:
	var s := Sandbox.FromProgram(load(ABI))
	var node := Node.new()
	# Warm up (first-use allocations) before measuring.
	for i in 1000:
		s.vmcallv("echo", "warm %d" % i)
		s.vmcallv("echo", node)
	var permanent: int = s.monitor_permanent_references
	var memory := OS.get_static_memory_usage()
	var start := Time.get_ticks_msec()
	for i in CALLS:
		var text := "text %d" % i
		var back = s.vmcallv("echo", text) if i % 2 == 0 else s.vmcall("u_string", text)
		if back != text:
			fail("call %d returned %s" % [i, var_to_str(back)])
			break
		if i % 10 == 0:
			s.vmcallv("echo", node)
			s.vmcall("add_ints", i, 1)
	var elapsed := Time.get_ticks_msec() - start
	print("test_stress: %d vmcalls (plus %d) in %d ms" % [CALLS, CALLS / 5, elapsed])
	assert_eq(s.monitor_scoped_references, 0, "scoped references are released after each call")
	assert_eq(s.monitor_permanent_references, permanent, "no permanent references accumulate")
	var grown := OS.get_static_memory_usage() - memory
	assert_true(grown < 1 << 20, "static memory grew by %d bytes" % grown)
	assert_true(s.monitor_calls_made >= CALLS)
	node.free()
	s.free()
