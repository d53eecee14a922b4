## Every Variant type through the guest ABI and back: boxed (guest Variants) and unboxed
## (registers by type), plus register allocation and stack-passed arguments.
extends "res://tests/test_case.gd"

const ABI := "res://tests/guests/abi.elf"

signal sample_signal


## One value of every Variant type, and the unboxed guest function that echoes it.
func _samples(node: Node) -> Array:
	return [
		[null, "u_pointer"],
		[true, "u_bool"],
		[false, "u_bool"],
		[-1234567890123, "u_int64"],
		[3.25, "u_float"],
		["text ✓", "u_string"],
		[Vector2(1.5, -2.25), "u_vector2"],
		[Vector2i(3, -4), "u_vector2i"],
		[Rect2(1, 2, 3, 4.5), "u_pointer"],
		[Rect2i(1, -2, 3, 4), "u_pointer"],
		[Vector3(1.5, 2.5, -3.5), "u_vector3"],
		[Vector3i(1, -2, 3), "u_vector3i"],
		[Transform2D(0.5, Vector2(3, 4)), "u_transform2d"],
		[Vector4(1, 2, 3, 4.5), "u_vector4"],
		[Vector4i(1, -2, 3, -4), "u_vector4i"],
		[Plane(0, 1, 0, 7.5), "u_plane"],
		[Quaternion(0, 0.6, 0, 0.8), "u_quaternion"],
		[AABB(Vector3(1, 2, 3), Vector3(4, 5, 6)), "u_pointer"],
		[Basis.from_scale(Vector3(1, 2, 3)), "u_basis"],
		[Transform3D(Basis.IDENTITY, Vector3(7, 8, 9)), "u_transform3d"],
		[Projection.IDENTITY, "u_pointer"],
		[Color(0.25, 0.5, 0.75, 1.0), "u_color"],
		[&"a_string_name", "u_string_name"],
		[NodePath("a/b:c"), "u_node_path"],
		[RID(), "u_rid"],
		[node, "u_object"],
		[Callable(node, "get_name"), "u_callable"],
		[sample_signal, "u_pointer"],
		[{"a": 1, 2: [3]}, "u_dictionary"],
		[[1, "two", 3.0], "u_array"],
		[PackedByteArray([1, 2, 255]), "u_packed_byte_array"],
		[PackedInt32Array([1, -2, 3]), "u_packed_int32_array"],
		[PackedInt64Array([1 << 40, -2]), "u_packed_int64_array"],
		[PackedFloat32Array([1.5, -2.5]), "u_packed_float32_array"],
		[PackedFloat64Array([1.25, 1e300]), "u_packed_float64_array"],
		[PackedStringArray(["x", "yz"]), "u_packed_string_array"],
		[PackedVector2Array([Vector2(1, 2)]), "u_packed_vector2_array"],
		[PackedVector3Array([Vector3(1, 2, 3)]), "u_packed_vector3_array"],
		[PackedColorArray([Color.RED]), "u_packed_color_array"],
		[PackedVector4Array([Vector4(1, 2, 3, 4)]), "u_packed_vector4_array"],
	]


func _sandbox() -> Sandbox:
	return Sandbox.FromProgram(load(ABI))


func test_every_type_round_trips_boxed() -> void:
	var s := _sandbox()
	var node := Node.new()
	var seen := {}
	for sample in _samples(node):
		var value = sample[0]
		seen[typeof(value)] = true
		var back = s.vmcallv("echo", value)
		assert_eq(typeof(back), typeof(value), "type of %s" % var_to_str(value))
		assert_true(back == value, "boxed round trip of %s gave %s" % [var_to_str(value), var_to_str(back)])
		assert_eq(s.vmcallv("type_of", value), typeof(value), "guest sees the Godot type number")
	assert_eq(seen.size(), TYPE_MAX, "every Variant type was tried")
	node.free()
	s.free()


func test_every_type_round_trips_unboxed() -> void:
	var s := _sandbox()
	s.unboxed_arguments = true
	var node := Node.new()
	for sample in _samples(node):
		var value = sample[0]
		var back = s.vmcall(sample[1], value)
		assert_eq(typeof(back), typeof(value), "type of %s via %s" % [var_to_str(value), sample[1]])
		assert_true(back == value, "unboxed round trip of %s gave %s" % [var_to_str(value), var_to_str(back)])
	node.free()
	s.free()


func test_vmcall_follows_unboxed_arguments() -> void:
	var s := _sandbox()
	s.unboxed_arguments = false
	assert_eq(s.vmcall("add_boxed", 20, 22), 42, "boxed when unboxed_arguments is off")
	s.unboxed_arguments = true
	assert_eq(s.vmcall("add_ints", 20, 22), 42, "unboxed when it is on")
	assert_eq(s.vmcallv("add_boxed", 1, 2), 3, "vmcallv is always boxed")
	s.free()


func test_unboxed_registers_mix_integer_and_float_classes() -> void:
	var s := _sandbox()
	# a1 = 1, fa0 = 0.5, fa1/fa2 = Vector2(2, 3), a2 = 4 -> 1 + 0.5 + 20 + 300 + 4000
	assert_eq(s.vmcall("u_mix", 1, 0.5, Vector2(2, 3), 4), 4321.5)
	s.free()


func test_boxed_arguments_beyond_registers_go_on_the_stack() -> void:
	var s := _sandbox()
	assert_eq(s.vmcallv("count_args", 1, 2, 3, 4, 5, 6, 7, 8, "ninth"), "ninth")
	assert_eq(s.vmcallv("echo_second", "first", [2]), [2])
	s.free()


func test_objects_are_opaque_handles() -> void:
	var s := _sandbox()
	var node := Node.new()
	var handle = s.vmcall("u_int64", 0)
	var back = s.vmcallv("echo", node)
	assert_true(back == node, "the same object comes back")
	var freed := Node.new()
	freed.free()
	assert_null(s.vmcallv("echo", freed), "a freed object reaches the guest as null")
	assert_eq(handle, 0)
	node.free()
	s.free()
