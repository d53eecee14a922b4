// demo.cpp - the rvsandbox demo guest program.
//
// Build:  make -C guest_sdk PROGRAM=../godot_project/demo/demo.elf SOURCES=../godot_project/demo/demo.cpp
//    or:  make -C guest_sdk demo
//
// Calling convention: every function below takes Variant parameters, i.e. the BOXED
// convention (the Sandbox's `unboxed_arguments` must be false). Every function returns a
// Variant. Call them from GDScript with `sandbox.vmcall("name", args...)`.
//
// main() (runs when the program is loaded)
//     prints "Hello from the rvsandbox demo guest!", registers the functions below and the
//     `speed` property, then halt()s.
//
// add(a, b) -> a + b
//     Two ints give an int, any int/float mix gives a float; other types (Vector2, String,
//     ...) are added by Godot's own + operator. Prints nothing.
// greet(name: String) -> String "Hello, <name>! (greeting #N)"
//     N counts the calls since the program was loaded. Also prints that text.
// sum_primes(limit: int) -> int
//     Sum of all primes below `limit` (sieve of Eratosthenes); sum_primes(10) == 17.
//     limit is clamped to 0..10 000 000.
// fibonacci(n: int) -> int
//     The n-th Fibonacci number (fibonacci(0) == 0, fibonacci(10) == 55), wrapping at 64 bits.
// move_node(node: Node2D or Node3D, offset: Vector2 or Vector3) -> the new position
//     Reads the node's `position` property, adds `offset`, writes it back and prints
//     "Moved <name> to <position>".
// describe_node(node: Node) -> Dictionary
//     {"name": String, "class": String (via a get_class() method call), "children": int,
//      "path": String, "in_tree": bool}. Prints nothing.
// make_inventory() -> Dictionary
//     {"gold": 120, "items": ["sword", "potion", "shield"], "spawn": Vector2(3, 4),
//      "tint": Color(1, 0.5, 0.25, 1)}.
// squares(n: int) -> Array [0, 1, 4, ..., (n-1)^2]   (n clamped to 0..1000)
// get_child_name(parent: Node, path: String) -> String
//     Name of parent.get_node(path), or "" if there is no such node. Prints
//     "Found <name> at <path>" or "No node at <path>".
// find_node_name(path: String) -> String
//     Same, but the path is relative to the Sandbox's tree base (get_node with no base).
// make_multiplier(factor) -> Callable
//     A Callable wrapping a guest function with `factor` bound: calling it with x returns
//     factor * x. Valid during the current call only (scoped), like any new Variant.
// apply(callable: Callable, value) -> callable.call(value)
//
// Property `speed` (float, default 2.5): getter/setter on the guest; setting it prints
// "speed is now <value>".
#include <api.hpp>

#include <vector>

static int64_t greetings = 0;
static double speed = 2.5;

PUBLIC Variant add(Variant a, Variant b) {
	if (a.get_type() == Variant::INT && b.get_type() == Variant::INT)
		return a.as_int() + b.as_int();
	if ((a.get_type() == Variant::INT || a.get_type() == Variant::FLOAT) &&
			(b.get_type() == Variant::INT || b.get_type() == Variant::FLOAT))
		return a.as_float() + b.as_float();
	return a + b; // Godot's + (Vector2 + Vector2, String + String, ...)
}

PUBLIC Variant greet(Variant name) {
	greetings++;
	String text = str("Hello, ", name, "! (greeting #", greetings, ")");
	print(text);
	return text;
}

PUBLIC Variant sum_primes(Variant limit) {
	int64_t n = limit.as_int();
	n = n < 0 ? 0 : (n > 10'000'000 ? 10'000'000 : n);
	std::vector<bool> composite(static_cast<size_t>(n), false);
	int64_t sum = 0;
	for (int64_t i = 2; i < n; i++) {
		if (composite[i])
			continue;
		sum += i;
		for (int64_t j = i * i; j < n; j += i)
			composite[j] = true;
	}
	return sum;
}

PUBLIC Variant fibonacci(Variant n) {
	uint64_t a = 0, b = 1;
	for (int64_t i = n.as_int(); i > 0; i--) {
		const uint64_t next = a + b;
		a = b;
		b = next;
	}
	return static_cast<int64_t>(a);
}

PUBLIC Variant move_node(Variant node_arg, Variant offset) {
	Node node(node_arg);
	Variant position = node.get("position");
	if (position.get_type() == Variant::VECTOR3)
		position = position.as_vector3() + offset.as_vector3();
	else
		position = position.as_vector2() + offset.as_vector2();
	node.set("position", position);
	print("Moved ", node.get_name(), " to ", position);
	return position;
}

PUBLIC Variant describe_node(Variant node_arg) {
	Node node(node_arg);
	return Dictionary{
		{ "name", node.get_name() },
		{ "class", node.call("get_class") },
		{ "children", node.get_child_count() },
		{ "path", node.get_path().as_std_string() },
		{ "in_tree", node.is_inside_tree() },
	};
}

PUBLIC Variant make_inventory() {
	Dictionary inventory;
	inventory["gold"] = 120;
	inventory["items"] = Array{ "sword", "potion", "shield" };
	inventory["spawn"] = Vector2(3, 4);
	inventory["tint"] = Color(1.0f, 0.5f, 0.25f);
	return inventory;
}

PUBLIC Variant squares(Variant n) {
	const int64_t count = n.as_int() < 0 ? 0 : (n.as_int() > 1000 ? 1000 : n.as_int());
	Array result;
	for (int64_t i = 0; i < count; i++)
		result.push_back(i * i);
	return result;
}

static Variant report_node(const Node &found, const std::string &path) {
	if (!found) {
		print("No node at ", path);
		return "";
	}
	String name = found.get_name();
	print("Found ", name, " at ", path);
	return name;
}

PUBLIC Variant get_child_name(Variant parent, Variant path) {
	const std::string p = path.as_std_string();
	return report_node(Node(parent).get_node(p), p);
}

PUBLIC Variant find_node_name(Variant path) {
	const std::string p = path.as_std_string();
	return report_node(get_node(p), p);
}

// Called by Godot through the Callable made in make_multiplier(): the bound factor comes
// first, then the call argument.
static Variant multiply(Variant factor, Variant x) {
	return factor * x;
}

PUBLIC Variant make_multiplier(Variant factor) {
	return Callable::create(multiply, factor);
}

PUBLIC Variant apply(Variant callable, Variant value) {
	return Callable(callable).call(value);
}

static Variant get_speed() {
	return speed;
}

static Variant set_speed(Variant value) {
	speed = value.as_float();
	print("speed is now ", speed);
	return Nil;
}

int main() {
	print("Hello from the rvsandbox demo guest!");

	ADD_FUNCTION(add, "Variant", "Variant a, Variant b", "Adds two values");
	ADD_FUNCTION(greet, "String", "String name", "Returns and prints a greeting");
	ADD_FUNCTION(sum_primes, "int", "int limit", "Sum of the primes below limit");
	ADD_FUNCTION(fibonacci, "int", "int n", "The n-th Fibonacci number");
	ADD_FUNCTION(move_node, "Variant", "Node node, Variant offset", "Moves a Node2D/Node3D by offset");
	ADD_FUNCTION(describe_node, "Dictionary", "Node node", "Name, class, child count and path of a node");
	ADD_FUNCTION(make_inventory, "Dictionary", "", "A sample inventory");
	ADD_FUNCTION(squares, "Array", "int n", "The first n square numbers");
	ADD_FUNCTION(get_child_name, "String", "Node parent, String path", "Name of parent.get_node(path)");
	ADD_FUNCTION(find_node_name, "String", "String path", "Name of get_node(path) from the tree base");
	ADD_FUNCTION(make_multiplier, "Callable", "float factor", "A Callable that multiplies by factor");
	ADD_FUNCTION(apply, "Variant", "Callable callable, Variant value", "Calls callable with value");

	add_property("speed", Variant::FLOAT, speed, get_speed, set_speed);

	halt();
}
