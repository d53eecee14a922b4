extends Node2D
## The rvsandbox demo: a RISC-V program (demo.cpp, built with guest_sdk/) runs inside the
## Sandbox node, and GDScript calls into it like a library. Run headless with tools/demo.

@onready var sandbox: Sandbox = $Sandbox
@onready var player: Node2D = $Player
@onready var enemies: Node2D = $Enemies


func _ready() -> void:
	# The .elf is a resource: load() goes through the addon's resource loader.
	sandbox.program = load("res://demo/demo.elf")
	report("add(40, 2)", sandbox.vmcall("add", 40, 2))
	report("add(1.5, 2)", sandbox.vmcall("add", 1.5, 2))
	report("add(Vector2(1, 2), Vector2(3, 4))", sandbox.vmcall("add", Vector2(1, 2), Vector2(3, 4)))
	report("greet(\"Godot\")", sandbox.vmcall("greet", "Godot"))
	report("sum_primes(1000000)", sandbox.vmcall("sum_primes", 1000000))
	report("fibonacci(90)", sandbox.vmcall("fibonacci", 90))
	report("squares(8)", sandbox.vmcall("squares", 8))
	report("make_inventory()", sandbox.vmcall("make_inventory"))

	# The guest reaches into the scene: it moves the player and inspects the enemies.
	report("player.position before", player.position)
	report("move_node(player, Vector2(10, 5))", sandbox.vmcall("move_node", player, Vector2(10, 5)))
	report("player.position after", player.position)
	report("describe_node(enemies)", sandbox.vmcall("describe_node", enemies))
	report("get_child_name(enemies, \"Slime\")", sandbox.vmcall("get_child_name", enemies, "Slime"))

	# A guest function comes back as an ordinary Callable.
	var triple: Callable = sandbox.vmcall("make_multiplier", 3)
	report("make_multiplier(3).call(14)", triple.call(14))

	# A property defined by the guest.
	sandbox.set("speed", 4.0)
	report("speed", sandbox.get("speed"))

	# Asking for something that is not there is an answer, not a crash.
	report("has_function(\"no_such_function\")", sandbox.has_function("no_such_function"))
	report("calls made", sandbox.monitor_calls_made)
	report("guest instructions executed", sandbox.monitor_instructions_executed)
	print("demo finished")
	get_tree().quit()


func report(what: String, value: Variant) -> void:
	print("%s = %s" % [what, value])
