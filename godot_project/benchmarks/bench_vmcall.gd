extends SceneTree
## Benchmarks the Sandbox from GDScript (issue 4): a guest `add(a, b)` through vmcall against the
## same function in GDScript, and a numeric loop in the guest against the same loop in GDScript.
## Run with tools/bench-godot; prints a Markdown table.

const CALLS := 200_000
const LOOP_ITERATIONS := 10_000_000
const ROUNDS := 11


func add(a: int, b: int) -> int:
	return a + b


func numeric_loop(iterations: int) -> int:
	var acc := 0
	var x := 0.0
	for i in iterations:
		acc += (i * 7) ^ (acc >> 3)
		x += float(i & 1023) * 0.5
	return acc + int(x)


## Median microseconds of `ROUNDS` runs of `first` and of `second`, taken in turns so that a
## change in machine load affects both alike.
func median_usec(first: Callable, second: Callable) -> Array[float]:
	var a: Array[float] = []
	var b: Array[float] = []
	for round in ROUNDS:
		var start := Time.get_ticks_usec()
		first.call()
		a.append(float(Time.get_ticks_usec() - start))
		start = Time.get_ticks_usec()
		second.call()
		b.append(float(Time.get_ticks_usec() - start))
	a.sort()
	b.sort()
	return [a[ROUNDS / 2], b[ROUNDS / 2]]


func _initialize() -> void:
	var sandbox := Sandbox.new()
	root.add_child(sandbox)
	sandbox.execution_timeout = 0
	sandbox.program = load("res://benchmarks/bench.elf")
	if sandbox.vmcall("add", 2, 3) != 5 or sandbox.vmcall("numeric_loop", 1000) != numeric_loop(1000):
		push_error("the guest and GDScript disagree")
		quit(1)
		return

	var calls := median_usec(
		func():
			for i in CALLS:
				add(i, 1),
		func():
			for i in CALLS:
				sandbox.vmcall("add", i, 1))
	var gdscript_call := calls[0]
	var guest_call := calls[1]
	var loops := median_usec(
		func(): numeric_loop(LOOP_ITERATIONS),
		func(): sandbox.vmcall("numeric_loop", LOOP_ITERATIONS))
	var gdscript_loop := loops[0]
	var guest_loop := loops[1]

	print("| what | GDScript | rvsandbox guest | ratio |")
	print("|---|---:|---:|---:|")
	print("| call add(a, b), ns per call | %.1f | %.1f | %.2fx guest/GDScript |" % [
		gdscript_call * 1000.0 / CALLS, guest_call * 1000.0 / CALLS, guest_call / gdscript_call])
	print("| numeric loop, %d iterations, ms | %.1f | %.1f | %.1fx faster in the guest |" % [
		LOOP_ITERATIONS, gdscript_loop / 1000.0, guest_loop / 1000.0, gdscript_loop / guest_loop])
	quit(0)
