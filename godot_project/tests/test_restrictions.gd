## Restrictions (godot-sandbox's API): nothing the guest does can touch objects, methods,
## properties, classes or resources it was not allowed. A denied access is one engine error
## and the call returns null.
extends "res://tests/test_case.gd"

const ABI := "res://tests/guests/abi.elf"
const GUEST := "res://tests/guests/hostcalls.elf"


class Target extends Node:
	signal hit
	var health := 100

	func add(a, b):
		return a + b


## An object whose text comes from its script.
class Printable extends RefCounted:
	var printed := 0

	func _to_string() -> String:
		printed += 1
		return "printable"


# UTILITY operations (Utility_Op) of the guest's `utility1`/`utility2`.
const VAR_TO_STR := 59
const STR_TO_VAR := 60
const VAR_TO_BYTES := 61
const TYPE_CONVERT := 64


## A Sandbox whose method and property rules allow everything: restricted, but by rules that
## would not think of anything to refuse.
func _permissive_sandbox() -> Sandbox:
	var s := Sandbox.FromProgram(load(GUEST))
	s.set_method_allowed_callback(func(_sandbox, _object, _method): return true)
	s.set_property_allowed_callback(func(_sandbox, _object, _property, _is_set): return true)
	return s


## Calls each [object, method, arguments] through OBJ_CALLP and expects it refused with `error`.
func _assert_callp_refused(s: Sandbox, calls: Array, error: String) -> void:
	for call in calls:
		expect_error(error)
		assert_null(s.callv("vmcallv", ["callp"] + call + [false]), "%s" % call[1])


func test_the_restrictions_property() -> void:
	var s := Sandbox.new()
	assert_eq(s.restrictions, false)
	assert_true(s.is_allowed_class("Node"))
	assert_eq(s.is_class_access_restricted(), false)
	s.restrictions = true
	assert_eq(s.restrictions, true)
	assert_true(not s.is_allowed_class("Node"))
	assert_eq(s.is_class_access_restricted(), true)
	assert_true(not s.is_allowed_resource("res://x.tres"))
	var t := Target.new()
	assert_true(not s.is_allowed_object(t))
	assert_true(not s.is_allowed_method(t, "add"))
	assert_true(not s.is_allowed_property(t, "health"))
	s.add_allowed_object(t)
	assert_true(s.is_allowed_object(t))
	s.set_class_allowed_callback(func(_sandbox, name): return name == "Node")
	assert_true(s.is_allowed_class("Node"))
	assert_true(not s.is_allowed_class("Node2D"))
	assert_eq(s.is_class_access_restricted(), false, "a class rule decides")
	assert_eq(Sandbox.restrictive_callback_function("res://x.tres"), false, "godot-sandbox's rule that allows nothing")
	s.set_class_allowed_callback(Callable(s, "restrictive_callback_function"))
	assert_true(not s.is_allowed_class("Node"), "as a rule, it refuses without being called")
	assert_eq(s.is_class_access_restricted(), true)
	s.restrictions = false
	assert_eq(s.restrictions, false, "false removes every rule, callbacks included")
	assert_true(s.is_allowed_class("Node2D"))
	t.free()
	s.free()


func test_arguments_stay_usable_under_restrictions() -> void:
	var s := Sandbox.FromProgram(load(ABI))
	s.restrictions = true
	s.set_method_allowed_callback(func(_sandbox, _object, _method): return true)
	s.set_property_allowed_callback(func(_sandbox, _object, _property, _is_set): return true)
	var t := Target.new()
	assert_eq(s.vmcallv("call_add", t, 40, 2), 42, "an object passed in may be used")
	assert_eq(s.vmcallv("get_health", t), 100)
	t.free()
	s.free()


func test_object_allowed_vs_denied() -> void:
	var s := Sandbox.FromProgram(load(GUEST))
	var allowed := Target.new()
	allowed.name = "Allowed"
	var other := Target.new()
	other.name = "Other"
	s.vmcallv("keep_object", other)  # handed over while unrestricted...
	s.restrictions = true
	s.set_property_allowed_callback(func(_sandbox, _object, _property, _is_set): return true)
	expect_error("is not allowed")
	assert_null(s.vmcallv("kept_name"), "...but not usable in a later restricted call")
	s.vmcallv("keep_object", allowed)
	s.add_allowed_object(allowed)
	assert_eq(s.vmcallv("kept_name"), &"Allowed", "an allowed object is usable in any call")
	s.remove_allowed_object(allowed)
	s.set_object_allowed_callback(func(_sandbox, object): return object.name == "Allowed")
	assert_eq(s.vmcallv("kept_name"), &"Allowed", "the object callback decides")
	allowed.free()
	other.free()
	s.free()


func test_get_node_of_a_node_not_allowed() -> void:
	var s := Sandbox.FromProgram(load(ABI))
	var open := Node.new()
	open.name = "Open"
	var hidden := Node.new()
	hidden.name = "Hidden"
	s.add_child(open)
	s.add_child(hidden)
	s.add_allowed_object(open)
	assert_true(s.vmcallv("find_node", null, "Open") == open)
	expect_error("GET_NODE: 'Hidden': object not allowed")
	assert_null(s.vmcallv("find_node", null, "Hidden"))
	s.free()


func test_method_allowed_vs_denied() -> void:
	var s := Sandbox.FromProgram(load(ABI))
	s.set_method_allowed_callback(func(_sandbox, _object, method): return method != "add")
	var t := Target.new()
	expect_error("banned method called: Node.add")
	assert_null(s.vmcallv("call_add", t, 1, 2))
	assert_eq(s.vmcallv("vcall_method", t, "get_class", null), "Node", "other methods are allowed")
	t.free()
	s.free()


func test_property_allowed_vs_denied() -> void:
	var s := Sandbox.FromProgram(load(ABI))
	s.set_property_allowed_callback(func(_sandbox, _object, property, is_set): return property == "health" and not is_set)
	var t := Target.new()
	assert_eq(s.vmcallv("get_health", t), 100, "reading is allowed")
	expect_error("banned property set: Node.health")
	assert_null(s.vmcallv("set_health", t, 1))
	assert_eq(t.health, 100, "untouched")
	t.free()
	s.free()


func test_class_allowed_vs_denied() -> void:
	var s := Sandbox.FromProgram(load(GUEST))
	s.set_class_allowed_callback(func(_sandbox, name): return name == "Node")
	var node = s.vmcallv("create_node", 1)
	assert_true(node is Node, "Node is allowed")
	node.free()
	expect_error("class not allowed: Node2D")
	assert_null(s.vmcallv("create_node", 2))
	expect_error("class not allowed: Timer")
	assert_null(s.vmcallv("create_node", 0))
	s.free()


func test_singletons_and_resources_under_restrictions() -> void:
	var s := Sandbox.FromProgram(load(ABI))
	s.restrictions = true
	expect_error("GET_OBJ: class not allowed: Engine")
	assert_null(s.vmcallv("singleton", "Engine"))
	s.free()
	var g := Sandbox.FromProgram(load(GUEST))
	g.set_resource_allowed_callback(func(_sandbox, path): return path == ABI)
	assert_true(g.vmcallv("load_res", ABI) is SandboxProgram)
	expect_error("resource path not allowed: res://tests/guests/hostcalls.elf")
	assert_null(g.vmcallv("load_res", GUEST))
	g.free()


func test_the_resource_rule_sees_the_path_that_is_loaded() -> void:
	# A rule that allows one folder is not fooled by paths Godot would resolve elsewhere.
	var s := Sandbox.FromProgram(load(GUEST))
	var asked := []
	s.set_resource_allowed_callback(func(_sandbox, path):
		asked.append(path)
		return path.begins_with("res://tests/guests/"))
	expect_error("resource path not allowed: res://tests/test_case.gd")
	assert_null(s.vmcallv("load_res", "res://tests/guests/../test_case.gd"))
	assert_true(s.vmcallv("load_res", "res:///tests//guests/./abi.elf") is SandboxProgram, "resolved, then allowed")
	assert_eq(asked, ["res://tests/test_case.gd", "res://tests/guests/abi.elf"], "the rule saw the resolved paths")
	for path in ["res://../outside.gd", "res://tests/guests/../../../outside.gd", "/tmp/outside.gd", "C:\\\\x.gd"]:
		expect_error("is not a path inside res:// or user://")
		assert_null(s.vmcallv("load_res", path), path)
	# A uid made now (a fresh clone has no uid cache until Godot imports the project).
	var id := ResourceUID.create_id()
	ResourceUID.add_id(id, "res://tests/test_case.gd")
	var uid := ResourceUID.id_to_text(id)
	expect_error("resource path not allowed: res://tests/test_case.gd")
	assert_null(s.vmcallv("load_res", uid), "a uid:// path is asked about as its file")
	ResourceUID.remove_id(id)
	s.free()


func test_callable_or_signal_of_an_object_needs_no_restrictions() -> void:
	var s := Sandbox.FromProgram(load(GUEST))
	s.set_class_allowed_callback(func(_sandbox, _name): return true)
	var t := Target.new()
	expect_error("Callable(Object, method) is only available to a fully unrestricted Sandbox")
	assert_null(s.vmcallv("construct", TYPE_CALLABLE, [t, "add"]))
	expect_error("Signal(Object, name) is only available to a fully unrestricted Sandbox")
	assert_null(s.vmcallv("construct", TYPE_SIGNAL, [t, "ready"]), "emitting it would run what the game connected")
	s.restrictions = false
	assert_eq(s.vmcallv("construct", TYPE_SIGNAL, [t, "ready"]), t.ready, "unrestricted, it is made")
	t.free()
	s.free()


func test_restrictions_cannot_change_during_a_call() -> void:
	var s := Sandbox.FromProgram(load(ABI))
	var t := Node.new()
	var script := GDScript.new()
	script.source_code = "extends Node\nvar sandbox\nfunc add(_a, _b):\n\tsandbox.restrictions = true\n\treturn sandbox.restrictions\n"
	script.reload()
	t.set_script(script)
	t.set("sandbox", s)
	expect_error("cannot change restrictions while the program is running")
	assert_eq(s.vmcallv("call_add", t, 0, 0), false)
	t.free()
	s.free()


func test_str_to_var_makes_values_not_objects() -> void:
	# Godot's text parser instantiates any class named in Object(...) and sets any property, a
	# GDScript's source code included; Resource("path") loads any resource. Refused for every
	# Sandbox, restricted or not.
	var s := Sandbox.FromProgram(load(GUEST))
	for text in [
		'Object(RefCounted,"script":Object(GDScript,"script/source":"extends RefCounted"))',
		'[1, Object(Node,"name":"made")]',
		'Resource("res://tests/guests/abi.elf")',
	]:
		expect_error("str_to_var: the text names Object(...) or Resource(...)")
		assert_null(s.vmcallv("utility1", STR_TO_VAR, text), text)
	expect_error("str_to_var: the argument is a")
	assert_null(s.vmcallv("utility1", STR_TO_VAR, 12))
	assert_eq(s.vmcallv("utility1", STR_TO_VAR, '[1, "Object(Node,)", Vector2(1, 2)]'), [1, "Object(Node,)", Vector2(1, 2)],
		"the words inside strings are text")
	assert_eq(s.vmcallv("utility1", STR_TO_VAR, '{"a": ; Object(Node,) in a comment\n2}'), {"a": 2})
	s.free()


func test_printing_an_object_asks_for_its_to_string() -> void:
	var s := Sandbox.FromProgram(load(GUEST))
	s.set_method_allowed_callback(func(_sandbox, _object, method): return method != "_to_string")
	var p := Printable.new()
	expect_error("banned method called: RefCounted._to_string")
	assert_null(s.vmcallv("str_of", p))
	expect_error("banned method called: RefCounted._to_string")
	assert_null(s.vmcallv("str_of", [1, {"key": p}]), "inside containers too")
	expect_error("banned method called: RefCounted._to_string")
	assert_null(s.vmcallv("utility2", TYPE_CONVERT, p, TYPE_STRING), "type_convert to a String")
	expect_error("banned method called: RefCounted._to_string")
	assert_null(s.vmcallv("utility2", TYPE_CONVERT, p, float(TYPE_STRING)), "the type given as a float")
	expect_error("banned method called: RefCounted._to_string")
	assert_null(s.vmcallv("to_packed", TYPE_PACKED_STRING_ARRAY, [p]), "a PackedStringArray of it")
	assert_eq(p.printed, 0, "its _to_string never ran")
	var plain := RefCounted.new()
	assert_eq(s.vmcallv("str_of", plain), str(plain), "an object without _to_string prints its class and id")
	assert_eq(s.vmcallv("utility2", TYPE_CONVERT, p, TYPE_INT), 0, "other conversions do not print it")
	s.set_method_allowed_callback(func(_sandbox, _object, _method): return true)
	assert_eq(s.vmcallv("str_of", p), "printable")
	assert_eq(p.printed, 1)
	s.free()


func test_var_to_str_refuses_objects() -> void:
	# var_to_str writes out every property of an Object, around the property rule.
	var s := Sandbox.FromProgram(load(GUEST))
	var p := Printable.new()
	expect_error("var_to_str of an Object (RefCounted) would write out all its properties")
	assert_null(s.vmcallv("utility1", VAR_TO_STR, [1, p]))
	assert_eq(s.vmcallv("utility1", VAR_TO_STR, [1, "a"]), var_to_str([1, "a"]))
	assert_eq(typeof(s.vmcallv("utility1", VAR_TO_BYTES, p)), TYPE_PACKED_BYTE_ARRAY, "var_to_bytes writes its id only")
	assert_eq(p.printed, 0)
	s.free()


func test_str_to_var_refuses_deep_nesting() -> void:
	# About twenty thousand levels overflow the game's stack inside Godot's parser.
	var s := Sandbox.FromProgram(load(GUEST))
	expect_error("str_to_var: the text nests brackets more than 100 deep")
	assert_null(s.vmcallv("utility1", STR_TO_VAR, "[".repeat(20_000)))
	var deep := "[".repeat(100) + "]".repeat(100)
	assert_eq(typeof(s.vmcallv("utility1", STR_TO_VAR, deep)), TYPE_ARRAY, "a hundred levels parse")
	s.free()


func test_builtin_methods_that_reach_past_the_restrictions_are_refused() -> void:
	var s := Sandbox.FromProgram(load(GUEST))
	# Bytes of an encoded Object: decoding them with allow_objects would instantiate its class
	# and set its properties (a GDScript's source, for one).
	var object_bytes := var_to_bytes_with_objects(RefCounted.new())
	expect_error("decode_var with allow_objects would create objects")
	assert_null(s.vmcallv("vcallv", object_bytes, "decode_var", [0, true]))
	expect_error("decode_var_size with allow_objects would create objects")
	assert_null(s.vmcallv("vcallv", object_bytes, "decode_var_size", [0, true]))
	assert_eq(s.vmcallv("vcallv", var_to_bytes(42), "decode_var", [0]), 42, "plain values decode")
	var buffer := PackedByteArray()
	buffer.resize(256)
	expect_error("encode_var with allow_objects would write out an Object's properties")
	assert_null(s.vmcallv("vcallv", buffer, "encode_var", [0, Printable.new(), true]))
	assert_eq(s.vmcallv("vcallv", buffer, "encode_var", [0, 42]), buffer.encode_var(0, 42), "plain values encode")
	expect_error("duplicate_deep copies the Resources inside")
	assert_null(s.vmcallv("vcallv", [1, [2]], "duplicate_deep", []))
	assert_eq(s.vmcallv("vcallv", [1, [2]], "duplicate_deep", [0]), [1, [2]], "mode 0 copies containers only")
	s.free()


func test_callables_and_signals_ask_the_method_rule() -> void:
	# A Callable of an object's method calls that method; a Signal's emit is its object's
	# emit_signal. Whoever holds one asks the method rule, and so does handing one to the game.
	var s := Sandbox.FromProgram(load(GUEST))
	s.set_method_allowed_callback(func(_sandbox, _object, method): return method not in ["add", "emit_signal"])
	var t := Target.new()
	var hits := [0]
	t.hit.connect(func(): hits[0] += 1)
	expect_error("banned method called: Node.add")
	assert_null(s.vmcallv("vcallv", Callable(t, "add"), "call", [1, 2]))
	expect_error("banned method called: Node.add")
	assert_null(s.vmcallv("vcallv", [1, 2], "reduce", [Callable(t, "add")]), "passed to a builtin method")
	expect_error("banned method called: Node.emit_signal")
	assert_null(s.vmcallv("vcallv", t.hit, "emit", []))
	assert_eq(hits[0], 0, "no handler ran")
	expect_error("banned method called: Node.add")
	assert_null(s.vmcallv("vcallv", t, "call_deferred", ["get_class", Callable(t, "add")]), "handed to the game")
	expect_error("call_deferred: the method name is a CALLABLE")
	assert_null(s.vmcallv("vcallv", t, "call_deferred", [Callable(t, "add")]))
	expect_error("banned method called: Node.add")
	assert_null(s.vmcallv("callp", t, "set_meta", ["later", [{"key": Callable(t, "add")}]], false), "inside containers")
	assert_true(not t.has_meta("later"))
	assert_eq(s.vmcallv("vcallv", Callable(t, "get_class"), "call", []), "Node", "allowed methods are called")
	assert_eq(s.vmcallv("vcallv", t.hit, "get_name", []), &"hit", "and a Signal's other methods answer")
	s.set_method_allowed_callback(func(_sandbox, _object, _method): return true)
	s.vmcallv("vcallv", t.hit, "emit", [])
	assert_eq(hits[0], 1, "emitted once allowed")
	t.free()
	s.free()


func test_a_duplicate_asks_about_every_node_it_makes() -> void:
	var s := Sandbox.FromProgram(load(GUEST))
	s.set_class_allowed_callback(func(_sandbox, name): return name == "Node")
	var parent := Node.new()
	var child := Node2D.new()
	parent.add_child(child)
	expect_error("class not allowed: Node2D")
	assert_null(s.vmcallv("duplicate_with", parent, 0), "the child's class is asked too")
	var scroll := ScrollContainer.new()  # its scroll bars are internal children, not copied
	s.set_class_allowed_callback(func(_sandbox, name): return name in ["Node", "ScrollContainer"])
	var copy_of_scroll = s.vmcallv("duplicate_with", scroll, 0)
	assert_true(copy_of_scroll is ScrollContainer, "internal children are not asked about")
	copy_of_scroll.free()
	scroll.free()
	s.set_class_allowed_callback(func(_sandbox, name): return name == "Node")
	parent.remove_child(child)
	child.free()
	var copy = s.vmcallv("duplicate_with", parent, 2)
	assert_true(copy is Node and copy != parent, "groups may be copied")
	copy.free()
	for flags in [1, 4, 15]:
		expect_error("NODE DUPLICATE of scripts or signals (flags 1 and 4) is only available to a fully unrestricted Sandbox")
		assert_null(s.vmcallv("duplicate_with", parent, flags), "flags %d" % flags)
	parent.free()
	s.free()


func test_name_in_object_asks_the_property_rule() -> void:
	# `"health" in object` reads the property: its getter, or the script's _get, runs.
	var s := Sandbox.FromProgram(load(GUEST))
	s.set_property_allowed_callback(func(_sandbox, _object, property, _is_set): return property != "health")
	var t := Target.new()
	expect_error("banned property accessed: Node.health")
	assert_null(s.vmcallv("veval_op", OP_IN, "health", t))
	assert_eq(s.vmcallv("veval_op", OP_IN, "name", t), true, "other properties answer")
	assert_eq(s.vmcallv("veval_op", OP_IN, "health", {"health": 1}), true, "a key in a Dictionary is no property")
	t.free()
	s.free()


func test_methods_that_reach_other_methods_by_name_ask_about_those() -> void:
	# A rule that allows `call` or `set` would otherwise allow every method or property.
	var s := Sandbox.FromProgram(load(ABI))
	s.set_method_allowed_callback(func(_sandbox, _object, method): return method != "add")
	s.set_property_allowed_callback(func(_sandbox, _object, property, _is_set): return property != "health")
	var t := Target.new()
	expect_error("banned method called: Node.add")
	assert_null(s.vmcallv("vcall_method", t, "call", "add"))
	expect_error("banned property accessed: Node.health")
	assert_null(s.vmcallv("vcall_method", t, "get", "health"))
	expect_error("banned property accessed: Node.health")
	assert_null(s.vmcallv("vcall_method", t, "get_indexed", "health:x"))
	assert_eq(s.vmcallv("vcall_method", t, "get", "name"), t.name, "other properties are read")
	assert_eq(s.vmcallv("vcall_method", t, "call", "get_class"), "Node", "other methods are called")
	t.free()
	s.free()


func test_what_object_methods_reach_by_name_is_asked_about_at_any_depth() -> void:
	var s := Sandbox.FromProgram(load(GUEST))
	s.set_method_allowed_callback(func(_sandbox, _object, method): return method != "add")
	s.set_property_allowed_callback(func(_sandbox, _object, property, _is_set): return property != "health")
	s.set_class_allowed_callback(func(_sandbox, name): return name not in ["Node2D", "OS"])
	var t := Target.new()
	for call in [
		[t, "call", ["call", "add", 1, 2], false],
		[t, "callv", ["callv", ["add", [1, 2]]], false],
		[t, "call", ["add", 1, 2], true],  # deferred
		[t, "call_deferred", ["add", 1, 2], false],
	]:
		expect_error("banned method called: Node.add")
		assert_null(s.callv("vmcallv", ["callp"] + call), str(call))
	expect_error("banned property accessed: Node.health")
	assert_null(s.vmcallv("callp", t, "get_indexed", [":health"], false), "a property path")
	expect_error("banned property set: Node.health")
	assert_null(s.vmcallv("callp", t, "set", ["health", 1], true), "deferred")
	assert_eq(t.health, 100)
	var class_db: Object = Engine.get_singleton("ClassDB")
	expect_error("class not allowed: Node2D")
	assert_null(s.vmcallv("callp", class_db, "instantiate", ["Node2D"], false))
	expect_error("banned property accessed: Node.health")
	assert_null(s.vmcallv("callp", class_db, "class_get_property", [t, "health"], false))
	expect_error("class not allowed: OS")
	assert_null(s.vmcallv("callp", Engine, "get_singleton", ["OS"], false))
	expect_error("is only available to a fully unrestricted Sandbox")
	assert_null(s.vmcallv("callp", t, "propagate_call", ["get_class"], false))
	t.free()
	s.free()


func test_the_guest_cannot_free_its_own_sandbox_or_what_holds_it() -> void:
	# Inside main() or a property accessor the node is bound while the guest runs: Godot would
	# bring the game down.
	var s := Sandbox.FromProgram(load(GUEST))
	var holder := Node.new()
	holder.add_child(s)
	var frees := [[holder, "free", []], [holder, "call", ["free"]], [s, "callv", ["free", []]]]
	_assert_callp_refused(s, frees, "freeing the Sandbox or a node above it while its program runs")
	expect_error("freeing the Sandbox or a node above it while its program runs")
	assert_null(s.vmcallv("vcallv", Callable(holder, "free"), "call", []))
	assert_true(is_instance_valid(holder) and is_instance_valid(s))
	holder.free()


func test_what_no_deny_list_thinks_of_needs_a_fully_unrestricted_sandbox() -> void:
	# Rules that allow everything still restrict: these run code the guest writes, build
	# objects from its data, or change what the game's own names and loads mean.
	var s := _permissive_sandbox()
	var script := GDScript.new()
	script.source_code = "extends RefCounted"
	script.reload()
	var undo := UndoRedo.new()
	var resource := Resource.new()
	_assert_callp_refused(s, [
		[script, "set_source_code", ["extends RefCounted\nfunc _init(): print('guest code')"]],
		[script, "reload", [true]],
		[script, "new", []],
		[script, "set", ["source_code", "extends RefCounted"]],
		[Expression.new(), "parse", ["1 + 1"]],
		[undo, "create_action", ["x"]],
		[JSON.new(), "to_native", [{}, true]],
		[Marshalls, "base64_to_variant", ["", true]],
		[resource, "take_over_path", ["res://tests/test_case.gd"]],
		[resource, "set", ["resource_path", "res://tests/test_case.gd"]],
		[Engine, "register_singleton", ["Guest", resource]],
	], "is only available to a fully unrestricted Sandbox")
	assert_eq(script.source_code, "extends RefCounted")
	assert_eq(resource.resource_path, "")
	undo.free()
	s.free()


func test_tricks_with_arguments_are_seen_through() -> void:
	var s := Sandbox.FromProgram(load(GUEST))
	s.set_method_allowed_callback(func(_sandbox, _object, method): return method != "add")
	var t := Target.new()
	expect_error("banned method called: Node.add")
	assert_null(s.vmcallv("callp", t, "callv", ["call", PackedStringArray(["add"])], false), "callv of a packed array")
	expect_error("format takes an Array or a Dictionary of values")
	assert_null(s.vmcallv("vcallv", "{health}", "format", [t]), "format of an object reads its properties")
	expect_error("make_read_only would make the game's own data read-only")
	assert_null(s.vmcallv("vcallv", [1], "make_read_only", []))
	t.free()
	var unrestricted := Sandbox.FromProgram(load(GUEST))
	var node := Node.new()
	node.add_child(Node.new())
	expect_error("a lifecycle notification")
	assert_null(unrestricted.vmcallv("callp", node, "notification", [1], false), "PREDELETE would free its children")
	assert_eq(node.get_child_count(), 1)
	node.free()
	unrestricted.free()
	s.free()


func test_files_are_the_guests_only_inside_user() -> void:
	# A ConfigFile saved to any path wrote a shell script a section name could fill.
	var s := Sandbox.FromProgram(load(GUEST))
	var config := ConfigFile.new()
	config.set_value("section", "key", 1)
	expect_error("save: a guest writes only inside user://sandbox/ ('res://tests/written.cfg')")
	assert_null(s.vmcallv("callp", config, "save", ["res://tests/written.cfg"], false))
	expect_error("save: a guest writes only inside user://sandbox/ ('user://settings.cfg')")
	assert_null(s.vmcallv("callp", config, "save", ["user://settings.cfg"], false), "not the game's own files")
	expect_error("is not a path inside res:// or user://")
	assert_null(s.vmcallv("callp", config, "save", ["/tmp/rvsandbox-written.cfg"], false))
	expect_error("save: give the path as Godot resolves it ('user://sandbox/test.cfg')")
	assert_null(s.vmcallv("callp", config, "save", ["user://sandbox/x/../test.cfg"], false))
	assert_eq(s.vmcallv("callp", config, "save", ["user://sandbox/test.cfg"], false), OK, "its own folder")
	var written := ConfigFile.new()
	assert_eq(written.load("user://sandbox/test.cfg"), OK)
	assert_eq(written.get_value("section", "key"), 1)
	DirAccess.remove_absolute("user://sandbox/test.cfg")
	s.set_resource_allowed_callback(func(_sandbox, path): return not path.begins_with("user://sandbox/private"))
	expect_error("resource path not allowed: user://sandbox/private.cfg")
	assert_null(s.vmcallv("callp", config, "save", ["user://sandbox/private.cfg"], false), "and the resource rule is asked")
	expect_error("is only available to a fully unrestricted Sandbox")
	assert_null(s.vmcallv("callp", ConfigFile.new(), "parse", ["[a]\nb=Object(RefCounted,\"x\":1)"], false),
		"a ConfigFile's text builds objects")
	s.free()


func test_what_would_crash_hang_or_run_the_guests_code_is_refused() -> void:
	var s := _permissive_sandbox()
	var node := Node.new()
	var animation := Animation.new()
	_assert_callp_refused(s, [
		[node, "set_script", [GDScript.new()]],
		[node, "set", ["script", GDScript.new()]],
		[animation, "add_track", [Animation.TYPE_METHOD]],
		[OS, "execute", ["true", []]],
		[PacketPeerUDP.new(), "bind", [4242]],
		[GDScript.new(), "set", ["script/source", "extends RefCounted"]],
	], "is only available to a fully unrestricted Sandbox")
	node.free()
	var unrestricted := Sandbox.FromProgram(load(GUEST))
	expect_error("freeing the engine singleton Input")
	assert_null(unrestricted.vmcallv("callp", Input, "free", [], false), "the game's next use would crash")
	expect_error("the Sandbox's own properties are not its guest's")
	assert_null(unrestricted.vmcallv("callp", unrestricted, "get_property_list", [], false))
	unrestricted.free()
	s.free()


func test_a_callable_is_checked_as_the_call_it_makes() -> void:
	# obj.get("execute") is Callable(OS, "execute"): calling it is calling OS.execute.
	var s := Sandbox.FromProgram(load(GUEST))
	s.set_method_allowed_callback(func(_sandbox, _object, _method): return true)
	s.set_class_allowed_callback(func(_sandbox, _name): return true)
	expect_error("is only available to a fully unrestricted Sandbox")
	assert_null(s.vmcallv("vcallv", Callable(OS, "execute"), "call", ["true", []]))
	var config := ConfigFile.new()
	expect_error("save: a guest writes only inside user://sandbox/")
	assert_null(s.vmcallv("vcallv", Callable(config, "save"), "call", ["user://settings.cfg"]), "a file method too")
	var t := Target.new()
	expect_error("a Callable of a method that reaches members, files or the system")
	assert_null(s.vmcallv("callp", t, "set_meta", ["later", Callable(OS, "execute")], false), "handed to the game")
	assert_eq(s.vmcallv("vcallv", Callable(t, "add"), "call", [1, 2]), 3, "an ordinary method is called")
	t.free()
	s.free()


func test_callables_reaching_the_game_by_other_roads_are_checked() -> void:
	var s := Sandbox.FromProgram(load(GUEST))
	s.set_method_allowed_callback(func(_sandbox, _object, method): return method != "add")
	s.set_class_allowed_callback(func(_sandbox, name): return name != "Timer")
	var t := Target.new()
	expect_error("banned method called: Node.add")
	assert_null(s.vmcallv("vcallv", Callable(t, "add").bind(1), "call", [2]), "a bound Callable from the game's data")
	expect_error("is only available to a fully unrestricted Sandbox")
	assert_null(s.vmcallv("callp", t, "set_meta", ["later", Callable(OS, "execute").bind([])], false))
	expect_error("is only available to a fully unrestricted Sandbox")
	assert_null(s.vmcallv("vcallv", ["Timer"], "map", [Callable(ClassDB, "instantiate")]), "instantiate checks its class")
	var game_array := []
	expect_error("is only available to a fully unrestricted Sandbox")
	assert_null(s.vmcallv("vcallv", game_array, "append", [[Callable(OS, "execute")]]), "inside what goes into the game's Array")
	assert_eq(game_array, [])
	expect_error("is only available to a fully unrestricted Sandbox")
	assert_null(s.vmcallv("callp", Thread.new(), "start", [Callable(t, "get_class")], false), "game methods off the main thread")
	t.free()
	s.free()


func test_what_would_crash_or_block_the_game_is_refused_to_every_sandbox() -> void:
	# Even a game that grants everything does not mean to grant these.
	var s := Sandbox.FromProgram(load(GUEST))  # fully unrestricted
	var refusals := [
		[[OS, "crash", ["guest"]], "crash: it would end the game"],
		[[OS, "kill", [OS.get_process_id()]], "kill: it would end the game"],
		[[OS, "delay_msec", [100_000]], "delay_msec: it would block the game's main thread"],
		[[Semaphore.new(), "wait", []], "wait: it would block the game's main thread"],
		[[Mutex.new(), "lock", []], "lock: a guest holding the game's Mutex could deadlock it"],
		[[RefCounted.new(), "free", []], "free: an object that is not a Node is not the guest's to free"],
		[[s, "vmcall", ["sum3", 1, 2, 3]], "vmcall: a guest does not call its own Sandbox's methods"],
		[[Image.new(), "resize", [16384, 16384]], "resize: an Image of more than 16 Mi pixels"],
	]
	for refusal in refusals:
		_assert_callp_refused(s, [refusal[0]], refusal[1])
	var node := Node.new()
	expect_error("a Callable of crash: it would end the game")
	assert_null(s.vmcallv("callp", node, "set_meta", ["later", Callable(OS, "crash")], false), "handed over")
	node.free()
	s.free()
