## The vector, transform, basis and quaternion host calls (VEC3_OPS 537, TRANSFORM_2D_OPS 540,
## TRANSFORM_3D_OPS 541, BASIS_OPS 542, VEC2_OPS 543, QUAT_OPS 544): every operation gives
## what Godot's own method gives, and input Godot would log an error for is refused.
extends "res://tests/test_case.gd"

const GUEST := "res://tests/guests/math.elf"


func _sandbox() -> Sandbox:
	return Sandbox.FromProgram(load(GUEST))


## Compares two Arrays element by element, so that a failure names the operation.
func _assert_each(actual: Variant, expected: Array, names: Array) -> void:
	assert_true(actual is Array and actual.size() == expected.size(), "one result per operation")
	if not (actual is Array and actual.size() == expected.size()):
		return
	for i in expected.size():
		assert_eq(actual[i], expected[i], names[i])


func test_transform3d_operations() -> void:
	var s := _sandbox()
	var t := Transform3D(Basis(Vector3.UP, 0.5).scaled(Vector3(2, 2, 2)), Vector3(1, 2, 3))
	var axis := Vector3(0.6, 0.8, 0)
	var other := Transform3D(Basis(Vector3.RIGHT, 1.0), Vector3(-1, 0, 2))
	var basis := Basis(Vector3.BACK, 0.25)
	var angle := 0.3
	_assert_each(s.vmcallv("transform3d_ops", t, axis, other, basis, angle), [
		t.rotated(axis, angle), t.rotated_local(axis, angle), t.scaled(axis), t.scaled_local(axis),
		t.translated(axis), t.translated_local(axis), t.inverse(), t.affine_inverse(),
		t.orthonormalized(), t.looking_at(axis, Vector3.UP), t.interpolate_with(other, angle),
		t.basis, t.origin, Transform3D(basis, t.origin), Transform3D(t.basis, axis),
		Transform3D(basis, axis), Transform3D.IDENTITY,
	], ["ROTATED", "ROTATED_LOCAL", "SCALED", "SCALED_LOCAL", "TRANSLATED", "TRANSLATED_LOCAL",
		"INVERTED", "AFFINE_INVERTED", "ORTHONORMALIZED", "LOOKING_AT", "INTERPOLATE_WITH",
		"GET_BASIS", "GET_ORIGIN", "SET_BASIS", "SET_ORIGIN", "CREATE", "IDENTITY"])
	assert_eq(s.vmcallv("transform3d_invert_in_place", t), [t.inverse(), true],
		"a result written through the source's own index changes it in place")
	s.free()


func _row(b: Basis, i: int) -> Vector3:
	return Vector3(b.x[i], b.y[i], b.z[i])


func test_basis_operations() -> void:
	var s := _sandbox()
	var b := Basis.from_scale(Vector3(1, 2, 3)).rotated(Vector3.UP, 0.3)
	var axis := Vector3(0, 0.6, 0.8)
	var other := Basis(Vector3.RIGHT, 1.0)
	var weight := 0.25
	var with_row := b
	for i in 3:
		with_row[i][1] = axis[i]
	var with_column := b
	with_column.z = axis
	var lerped := Basis(b.x.lerp(other.x, weight), b.y.lerp(other.y, weight), b.z.lerp(other.z, weight))
	_assert_each(s.vmcallv("basis_ops", b, axis, other, weight), [
		_row(b, 0), _row(b, 1), _row(b, 2), b.y, with_row, with_column, b.inverse(), b.transposed(),
		b.determinant(), b.rotated(axis, weight), lerped, other.slerp(other, weight),
		Basis(Vector3(1, 4, 7), Vector3(2, 5, 8), Vector3(3, 6, 10)), Basis.IDENTITY,
	], ["GET_ROW 0", "GET_ROW 1", "GET_ROW 2", "GET_COLUMN 1", "SET_ROW 1", "SET_COLUMN 2",
		"INVERTED", "TRANSPOSED", "DETERMINANT", "ROTATED", "LERP", "SLERP", "CREATE", "IDENTITY"])
	s.free()


func test_quaternion_operations() -> void:
	var s := _sandbox()
	var q := Quaternion(Vector3.UP, 0.7)
	var other := Quaternion(Vector3.RIGHT, 0.4)
	var axis := Vector3.BACK
	var weight := 0.3
	_assert_each(s.vmcallv("quaternion_ops", q, other, axis, weight), [
		q.dot(other), q.length_squared(), q.length(), q.normalized(), q.inverse(), q.log(), q.exp(),
		q.slerp(other, weight), q.slerpni(other, weight), q.x, q.y, q.z, q.w, q.get_axis(),
		q.get_angle(), q * other, Quaternion(axis, weight), Quaternion.IDENTITY, other,
	], ["DOT", "LENGTH_SQUARED", "LENGTH", "NORMALIZE", "INVERSE", "LOG", "EXP", "SLERP", "SLERPNI",
		"AT 0", "AT 1", "AT 2", "AT 3", "GET_AXIS", "GET_ANGLE", "MUL", "CREATE (axis, angle)",
		"CREATE (identity)", "ASSIGN"])
	s.free()


func test_transform2d_operations() -> void:
	var s := _sandbox()
	var t := Transform2D(0.5, Vector2(2, 3), 0.1, Vector2(4, 5))
	var v := Vector2(0.5, -1)
	var other := Transform2D(1.2, Vector2(7, 8))
	var angle := 0.3
	var with_column := t
	with_column.y = v
	_assert_each(s.vmcallv("transform2d_ops", t, v, other, angle), [
		Transform2D.IDENTITY, t.x, t.y, t.origin, with_column, t.rotated(angle), t.scaled(v),
		t.translated(v), t.inverse(), t.affine_inverse(), t.interpolate_with(other, angle),
	], ["IDENTITY", "GET_COLUMN 0", "GET_COLUMN 1", "GET_COLUMN 2", "SET_COLUMN 1", "ROTATED",
		"SCALED", "TRANSLATED", "INVERTED", "AFFINE_INVERTED", "INTERPOLATE_WITH"])
	s.free()


func test_vector2_operations() -> void:
	var s := _sandbox()
	var v := Vector2(3, 4)
	var w := Vector2(-1, 2)
	var normal := Vector2(0, 1)
	var f := 0.5
	var g := 2.0
	_assert_each(s.vmcallv("vector2_ops", v, w, normal, Vector2(f, g)), [
		v.normalized(), v.length(), v.length_squared(), v.angle(), v.angle_to(Vector2(cos(f), sin(f))),
		v.angle_to(Vector2(f, g)), v.project(w), v.direction_to(w), v.slide(normal), v.bounce(normal),
		v.reflect(normal), v.limit_length(f), v.lerp(w, g),
		v.cubic_interpolate(w, Vector2(-1, 0), Vector2(3, 3), g), v.move_toward(w, f),
	], ["NORMALIZE", "LENGTH", "LENGTH_SQ", "ANGLE", "ANGLE_TO", "ANGLE_TO_POINT", "PROJECT",
		"DIRECTION_TO", "SLIDE", "BOUNCE", "REFLECT", "LIMIT_LENGTH", "LERP", "CUBIC_INTERPOLATE",
		"MOVE_TOWARD"])
	s.free()


func test_vector3_operations() -> void:
	var s := _sandbox()
	var v := Vector3(1.5, -2.25, 3)
	var w := Vector3(0.5, 1, -1)
	_assert_each(s.vmcallv("vector3_ops", v, w), [
		hash(v), v.length(), v.normalized(), v, v.dot(w), v.cross(w), v.distance_to(w),
		v.distance_squared_to(w), v.angle_to(w), v.normalized(), v.floor(),
	], ["HASH", "LENGTH", "NORMALIZE into a1", "the source of NORMALIZE into a1", "DOT", "CROSS",
		"DISTANCE_TO", "DISTANCE_SQ_TO", "ANGLE_TO", "NORMALIZE in place", "FLOOR"])
	s.free()


func test_input_godot_would_log_an_error_for_is_refused() -> void:
	var s := _sandbox()
	var t := Transform3D(Basis.IDENTITY, Vector3(1, 2, 3))
	var q := Quaternion(Vector3.UP, 0.7)
	expect_error("the axis of Transform3D.rotated must be normalized")
	assert_null(s.vmcallv("transform3d_raw", t, 7, Vector3(1, 1, 0), Vector3.UP, 1.0))
	expect_error("Transform3D.looking_at: the direction to the target is parallel to the up vector")
	assert_null(s.vmcallv("transform3d_raw", t, 16, t.origin + Vector3.UP, Vector3.UP, 0.0))
	expect_error("Transform3D.looking_at: the target is at the origin")
	assert_null(s.vmcallv("transform3d_raw", t, 16, t.origin, Vector3.UP, 0.0))
	expect_error("Basis.inverse: the basis is degenerate")
	assert_null(s.vmcallv("basis_raw", Basis(Vector3.ZERO, Vector3.UP, Vector3.BACK), 7, 0, Vector3.ZERO))
	expect_error("Basis.slerp: the basis is not a rotation")
	assert_null(s.vmcallv("basis_raw", Basis.from_scale(Vector3(2, 2, 2)), 12, 0, Basis.IDENTITY))
	expect_error("a Quaternion to invert must be normalized")
	assert_null(s.vmcallv("quaternion_raw", Quaternion(1, 2, 3, 4), 6, q, 0.0))
	expect_error("the normal of Vector2.slide must be normalized")
	assert_null(s.vmcallv("vector2_raw", Vector2(1, 1), 8, Vector2(2, 0)))
	expect_error("Transform2D.affine_inverse: the transform is degenerate")
	assert_null(s.vmcallv("transform2d_raw", Transform2D(Vector2.ZERO, Vector2.ZERO, Vector2.ONE), 9, 0))
	# The node stays usable.
	assert_eq(s.vmcallv("transform3d_invert_in_place", t), [t.inverse(), true])
	s.free()


## Where Godot's checks look at something other than the obvious value, the refusals follow
## what Godot checks (found by an audit; each case made Godot log an error of its own, or was
## refused though Godot accepts it).
func test_refusals_follow_godots_own_checks() -> void:
	var s := _sandbox()
	# Basis.inverse checks the determinant it computes itself (first-row cofactors), which can be
	# exactly 0 when determinant() is not, and the other way round.
	var singular := Basis(Vector3(1.7457623481750488, -0.31157198548316956, 1.3201427459716797),
		Vector3(2.670869827270508, -0.4766789674758911, 2.019707679748535),
		Vector3(0.6812222599983215, -0.7865259647369385, 0.350322425365448)).transposed()
	assert_true(singular.determinant() != 0.0)
	expect_error("Basis.inverse: the basis is degenerate")
	assert_null(s.vmcallv("basis_raw", singular, 7, 0, Vector3.ZERO))
	var invertible := Basis(Vector3(-0.7674541473388672, 0.42377665638923645, 0.42720693349838257),
		Vector3(0.32683777809143066, -0.1804749071598053, -0.18193577229976654),
		Vector3(0.3248160779476166, -1.3664685487747192, -0.2773214280605316)).transposed()
	assert_eq(invertible.determinant(), 0.0)
	assert_eq(s.vmcallv("basis_raw", invertible, 7, 0, Vector3.ZERO), invertible.inverse())
	# looking_at compares the target with the origin relative to their size.
	var far := Transform3D(Basis.IDENTITY, Vector3(1000, 0, 0))
	expect_error("Transform3D.looking_at: the target is at the origin")
	assert_null(s.vmcallv("transform3d_raw", far, 16, Vector3(1000.005, 0, 0), Vector3.UP, 0.0))
	# interpolate_with takes each basis's rotation: a degenerate one has none, even with a
	# determinant that is not 0.
	var flat := Transform3D(Basis.from_scale(Vector3(1, 1, 1e-30)), Vector3.ZERO)
	expect_error("Transform3D.interpolate_with: the basis is not a rotation")
	assert_null(s.vmcallv("transform3d_interpolate", flat, Transform3D.IDENTITY, 0.5))
	var not_a_number := Transform3D(Basis(Vector3(NAN, 0, 0), Vector3.UP, Vector3.BACK), Vector3.ZERO)
	assert_null(s.vmcallv("transform3d_interpolate", Transform3D.IDENTITY, not_a_number, 0.5))
	# Godot orthonormalizes a degenerate basis without complaint: so does the host call.
	var degenerate := Transform3D(Basis(Vector3.ZERO, Vector3.UP, Vector3.BACK), Vector3.ONE)
	assert_eq(s.vmcallv("transform3d_raw", degenerate, 15, Vector3.ZERO, Vector3.ZERO, 0.0),
		degenerate.orthonormalized())
	s.free()


func test_bad_operands_are_refused() -> void:
	var s := _sandbox()
	var b := Basis.IDENTITY
	expect_error("invalid Basis row 3")
	assert_null(s.vmcallv("basis_raw", b, 3, 3, Vector3.ZERO))
	expect_error("invalid Quaternion component 4")
	assert_null(s.vmcallv("quaternion_raw", Quaternion.IDENTITY, 14, 4, 0.0))
	expect_error("invalid Transform2D operation 99")
	assert_null(s.vmcallv("transform2d_raw", Transform2D.IDENTITY, 99, 0))
	expect_error("invalid Vector3 operation 99")
	assert_null(s.vmcallv("vector3_raw", Vector3.ONE, 99))
	expect_error("invalid TRANSFORM3D object: index 0 holds a BASIS")
	assert_null(s.vmcallv("transform3d_raw", b, 13, Vector3.ZERO, Vector3.ZERO, 0.0))
	expect_error("invalid TRANSFORM2D object: no Variant at index 12345")
	assert_null(s.vmcallv("transform2d_raw", 12345, 8, 0))
	expect_error("invalid QUATERNION object")
	assert_null(s.vmcallv("quaternion_raw", Quaternion.IDENTITY, 17, Basis.IDENTITY, 0.0))
	s.free()
