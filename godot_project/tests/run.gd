## The in-engine test runner.
##
##   tools/godot --headless --path godot_project --script res://tests/run.gd [-- NAME_PART...]
##
## Runs every `test_*` method of every suite `res://tests/test_*.gd` (only suites whose file
## name contains one of the NAME_PARTs, when given), prints one line per failure and
## `N passed, N failed` alone on the last line, and exits 1 if anything failed (0 otherwise).
## Engine errors are captured with a Logger: an error that a test did not announce with
## `expect_error()` fails that test; one outside any test fails the run. Each announced error
## is echoed as `expected-error: TEXT`, which tools/test-godot uses to tell expected `ERROR:`
## lines in Godot's output from unexpected ones.
extends SceneTree

const TESTS_DIR := "res://tests"


class ErrorCatcher extends Logger:
	var _mutex := Mutex.new()
	var _errors: Array[String] = []

	func _log_error(function: String, file: String, line: int, code: String, rationale: String,
			_editor_notify: bool, error_type: int, _script_backtraces: Array[ScriptBacktrace]) -> void:
		if error_type == ERROR_TYPE_WARNING:
			return
		var text := code if rationale.is_empty() else "%s: %s" % [code, rationale]
		_mutex.lock()
		_errors.append("%s (%s, %s:%d)" % [text, function, file, line])
		_mutex.unlock()

	func _log_message(_message: String, _error: bool) -> void:
		pass

	## Returns the errors logged since the last call, and forgets them.
	func take() -> Array[String]:
		_mutex.lock()
		var errors := _errors.duplicate()
		_errors.clear()
		_mutex.unlock()
		return errors


var _catcher := ErrorCatcher.new()
var _stray_errors: Array[String] = []  # Logged outside any test.
var _passed := 0
var _failed := 0


func _initialize() -> void:
	OS.add_logger(_catcher)
	_run.call_deferred()


func _run() -> void:
	var filters := OS.get_cmdline_user_args()
	for path in _suite_paths(filters):
		await _run_suite(path)
	_stray_errors.append_array(_catcher.take())
	for error in _stray_errors:
		_report("(outside tests)", "unexpected engine error: " + error)
	if not _stray_errors.is_empty():
		_failed += 1
	OS.remove_logger(_catcher)
	print("%d passed, %d failed" % [_passed, _failed])
	quit(1 if _failed > 0 or _passed == 0 else 0)


func _suite_paths(filters: PackedStringArray) -> Array[String]:
	var paths: Array[String] = []
	for file in DirAccess.get_files_at(TESTS_DIR):
		if not (file.begins_with("test_") and file.ends_with(".gd")) or file == "test_case.gd":
			continue
		if filters.is_empty() or Array(filters).any(func(f: String) -> bool: return f in file):
			paths.append(TESTS_DIR.path_join(file))
	paths.sort()
	return paths


func _run_suite(path: String) -> void:
	var script: GDScript = load(path)
	if script == null or not script.can_instantiate():
		_report(path.get_file(), "cannot load or instantiate the suite")
		_failed += 1
		return
	var names: Array[String] = []
	for method in script.get_script_method_list():
		if String(method.name).begins_with("test_") and not names.has(method.name):
			names.append(method.name)
	names.sort()
	for name in names:
		await _run_test(script, path.get_file().get_basename(), name)


func _run_test(script: GDScript, suite_name: String, test_name: String) -> void:
	var label := "%s.%s" % [suite_name, test_name]
	_stray_errors.append_array(_catcher.take())
	var suite: Object = script.new()
	await suite.call(test_name)
	var problems: Array[String] = suite._failures.duplicate()
	var expected: Array[String] = suite._expected_errors
	var seen := {}
	for error in _catcher.take():
		var matched := false
		for substring in expected:
			if substring in error:
				matched = true
				seen[substring] = true
		if not matched:
			problems.append("unexpected engine error: " + error)
	for substring in expected:
		print("expected-error: " + substring)
		if not seen.has(substring):
			problems.append("expected an engine error containing '%s', none came" % substring)
	if not (suite is RefCounted):
		suite.free()
	if problems.is_empty():
		_passed += 1
		print("ok   " + label)
	else:
		_failed += 1
		for problem in problems:
			_report(label, problem)


func _report(label: String, problem: String) -> void:
	print("FAIL %s: %s" % [label, problem])
