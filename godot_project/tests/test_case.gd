## Base of every test suite: `extends "res://tests/test_case.gd"`.
##
## A suite is a file `tests/test_*.gd` whose methods named `test_*` are the tests. The runner
## (`tests/run.gd`) makes a fresh instance for each test, calls the method (awaiting it if it
## is a coroutine), and fails the test if any assertion failed, if an engine error was logged
## that the test did not announce with `expect_error()`, or if an announced one never came.
extends RefCounted

var _failures: Array[String] = []
var _expected_errors: Array[String] = []


## Records a failure unless `actual == expected` (same type and value; ints and floats compare
## numerically, like GDScript's `==`).
func assert_eq(actual: Variant, expected: Variant, message := "") -> void:
	var same_kind := typeof(actual) == typeof(expected) \
		or (typeof(actual) in [TYPE_INT, TYPE_FLOAT] and typeof(expected) in [TYPE_INT, TYPE_FLOAT])
	if not same_kind or actual != expected:
		fail("expected %s (%s), got %s (%s)%s" % [
			var_to_str(expected), type_string(typeof(expected)),
			var_to_str(actual), type_string(typeof(actual)), _suffix(message)])


func assert_true(condition: bool, message := "") -> void:
	if not condition:
		fail("expected true%s" % _suffix(message))


func assert_null(value: Variant, message := "") -> void:
	if value != null:
		fail("expected null, got %s%s" % [var_to_str(value), _suffix(message)])


func fail(message: String) -> void:
	var where := ""
	var stack := get_stack()
	for frame in stack:
		if not String(frame.source).ends_with("test_case.gd"):
			where = "%s:%d: " % [String(frame.source).get_file(), frame.line]
			break
	_failures.append(where + message)


## Announces that this test will make Godot log an error whose text contains `substring`.
## The error is then not counted as a failure (and tools/test-godot does not flag its line);
## it must occur at least once before the test ends.
func expect_error(substring: String) -> void:
	_expected_errors.append(substring)


func _suffix(message: String) -> String:
	return "" if message.is_empty() else " (%s)" % message
