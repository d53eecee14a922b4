// compile_all.cpp - uses every public item of the guest SDK once, so `make check` proves
// that all headers compile and link together. It is not meant to be run.
#include <api.hpp>

#include <stdexcept>

// --- public functions in both calling conventions -----------------------------------------
PUBLIC Variant boxed_function(Variant a, const Variant &b) { return a + b; }
PUBLIC Variant unboxed_function(int64_t i, double f, bool b, Vector2 v2, Vector3 v3, String s, Object o) {
	return Array{ i, f, b, v2, v3, s, o };
}
static Variant callable_target(Variant bound, Variant arg) { return bound * arg; }
static Variant unboxed_callable_target(int64_t x) { return x + 1; }

// --- properties -------------------------------------------------------------------------------
static Variant g_speed = 2.5;
static Variant g_storage = 10;
static Variant get_speed() { return g_speed; }
static Variant set_speed(Variant v) { g_speed = v; return Nil; }
STATIC_PROPERTIES({ .name = "static_hp", .type = Variant::INT, .getter = get_speed, .setter = set_speed, .default_value = 100 });

PUBLIC Variant exercise_everything(Variant arg) {
	// syscalls.hpp
	(void)is_editor();
	(void)sys::call<sys::IS_EDITOR>();
	(void)sys::raw_ecall_fp(sys::MATH_OP64, int(sys::MathOp::SIN), 0, 0, 0, 1.0);

	// vector.hpp
	Vector2 v2 = Vector2(1, 2) + Vector2(3, 4) * 2.0f - Vector2(1, 1) / 2.0f;
	v2 += -v2.normalized();
	Vector3 v3 = Vector3(1, 0, 0).cross(Vector3(0, 1, 0)) * Vector3(1, 2, 3).dot(Vector3(1, 1, 1));
	v3 -= Vector3(0, 0, v3.length());
	const Vector2i v2i = Vector2i(1, 2) + Vector2i(3, 4);
	const Vector3i v3i = Vector3i(1, 2, 3) - Vector3i(1, 1, 1);
	const Vector4 v4(1, 2, 3, 4);
	const Vector4i v4i(1, 2, 3, 4);
	const Rect2 r2(0, 0, 10, 10);
	const Rect2i r2i(0, 0, 10, 10);
	const Color color(1, 0.5f, 0.25f);
	const Plane plane(Vector3(0, 1, 0), 2);
	(void)r2.has_point(v2);
	(void)plane.distance_to(v3);

	// variant.hpp
	Variant values[] = { Variant(), true, 42, int64_t(7), 3.5f, 2.25, v2, v2i, v3, v3i, v4, v4i, r2, r2i,
		color, plane, "text", std::string("std"), std::string_view("view") };
	Variant sn = Variant::string_name("name");
	Variant np = Variant::node_path("a/b");
	Variant q = Variant::construct(Variant::QUATERNION, 0.0, 0.0, 0.0, 1.0);
	const int64_t i = values[2];
	const int small = values[2];
	const double d = values[5];
	const float f = values[4];
	const bool b = values[1];
	const Vector2 back2 = values[6];
	const Vector2i back2i = values[7];
	const Vector3 back3 = values[8];
	const Vector3i back3i = values[9];
	const Vector4 back4 = values[10];
	const Vector4i back4i = values[11];
	const Rect2 backr = values[12];
	const Rect2i backri = values[13];
	const Color backc = values[14];
	const Plane backp = values[15];
	const std::string text = values[16];
	(void)i; (void)small; (void)d; (void)f; (void)b; (void)back2; (void)back2i; (void)back3; (void)back3i;
	(void)back4; (void)back4i; (void)backr; (void)backri; (void)backc; (void)backp;
	(void)values[0].as_int(); (void)values[0].as_float(); (void)values[0].as_bool();
	(void)values[0].is_nil(); (void)values[0].is_by_reference(); (void)values[16].is_string();
	(void)values[16].index(); (void)values[16].object_handle(); (void)values[16].type_name();
	(void)Variant::type_name(Variant::AABB); (void)values[0].get_type();
	(void)Variant::from_index(Variant::ARRAY, -1); (void)Variant::from_object(0);
	(void)values[0].as_vector2(); (void)values[0].as_vector2i(); (void)values[0].as_vector3();
	(void)values[0].as_vector3i(); (void)values[0].as_vector4(); (void)values[0].as_vector4i();
	(void)values[0].as_rect2(); (void)values[0].as_rect2i(); (void)values[0].as_color(); (void)values[0].as_plane();
	std::string s2 = sn.as_std_string() + np.stringify().as_std_string();
	Variant upper = values[16].call("to_upper");
	Variant first = values[16].get(0);
	Variant result;
	(void)Variant::evaluate(Variant::OP_MULTIPLY, upper, 2, result);
	result = Variant::evaluate(Variant::OP_ADD, first, result);
	result = values[2] - 1;
	result = 2 * values[2];
	result = values[2] / values[3];
	result = values[2] % 5;
	(void)(values[2] == 42); (void)(42 == values[2]); (void)(values[2] != values[3]);
	(void)(values[2] < 1); (void)(values[2] <= 1.5); (void)(values[2] > values[3]); (void)(1 >= values[2]);
	(void)(values[16] == "text");
	Variant dup = q.duplicate();
	dup.make_permanent();
	(void)dup.is_permanent();
	static Variant global_slot;
	global_slot.store_global(dup);

	// string.hpp
	String s("hello");
	String empty;
	String from_var(values[16]);
	s += " world";
	s += from_var;
	s.append("!").append(String("?"));
	String joined = s + empty + std::string_view("x");
	(void)joined.length(); (void)joined.size(); (void)joined.is_empty(); (void)joined[0];
	(void)(joined == s); (void)(joined == "hi"); (void)(joined == std::string_view("hi"));
	(void)joined.to_upper(); (void)joined.to_lower(); (void)joined.find("o"); (void)joined.contains("w");
	(void)joined.call("length");
	std::string utf8 = joined.utf8();
	std::string conv = joined;
	joined.make_permanent();
	(void)String::from_index(joined.index());
	String formatted = str("hp: ", 10, " pos: ", v2);

	// array.hpp
	Array arr{ 1, "two", v2 };
	Array sized = Array::sized(4);
	Array from_vec(std::vector<Variant>{ 1, 2 });
	Array copy_of(arg);
	arr.push_back(3);
	arr.append(4);
	arr.push_front(0);
	arr.insert(1, "ins");
	arr[0] = 5;
	Variant elem = arr[0];
	int64_t elem_int = arr[0];
	arr.set(1, arr.get(2));
	(void)arr.pop_at(0); (void)arr.pop_back(); (void)arr.pop_front();
	arr.erase(3);
	(void)arr.has(4);
	arr.sort();
	arr.resize(8);
	(void)arr.size(); (void)arr.is_empty();
	for (Variant item : arr)
		(void)item;
	std::vector<Variant> all = arr.to_vector();
	(void)arr.call("reverse");
	sized.clear();
	arr.make_permanent();
	(void)Array::from_index(arr.index());
	(void)elem; (void)elem_int; (void)from_vec; (void)copy_of;

	// dictionary.hpp
	Dictionary dict{ { "hp", 10 }, { "name", "Slime" } };
	Dictionary other;
	Dictionary from_var_dict(arg);
	dict["mp"] = 5;
	Variant hp = dict["hp"];
	int64_t mp = dict["mp"];
	dict.set("x", 1);
	(void)dict.get("x"); (void)dict.get_or_add("y", 2); (void)dict.has("y");
	dict.erase("y");
	(void)dict.size(); (void)dict.is_empty();
	other.merge(dict);
	Array keys = dict.keys();
	Array vals = dict.values();
	(void)dict.call("duplicate", true);
	other.clear();
	dict.make_permanent();
	(void)Dictionary::from_index(dict.index());
	(void)hp; (void)mp; (void)from_var_dict;

	// packed_array.hpp
	PackedByteArray bytes{ 1, 2, 3 };
	PackedInt32Array i32{ 1, 2 };
	PackedInt64Array i64(std::vector<int64_t>{ 1, 2 });
	PackedFloat32Array f32{ 1.0f };
	PackedFloat64Array f64{ 1.0 };
	PackedVector2Array pv2{ v2 };
	PackedVector3Array pv3{ v3 };
	PackedVector4Array pv4{ v4 };
	PackedColorArray pcol{ color };
	PackedStringArray pstr{ "a", "b" };
	PackedStringArray pstr_var((Variant(pstr))); // parentheses: braces would pick the initializer list
	(void)bytes.size(); (void)bytes.is_empty(); (void)bytes.get(0); (void)bytes[0];
	bytes.set(0, 9);
	bytes.push_back(4);
	pstr.assign(std::vector<std::string>{ "c" });
	pcol.assign(&color, 1);
	std::vector<std::string> strings = pstr.to_vector();
	f64.make_permanent();
	(void)PackedByteArray::from_index(bytes.index());
	(void)bytes.call("reverse"); (void)PackedByteArray::VARIANT_TYPE;
	(void)i32; (void)i64; (void)f32; (void)pv2; (void)pv3; (void)pv4; (void)pstr_var;

	// object.hpp
	Object obj(arg);
	Object input = Object::find("Input");
	Object created = Object::instantiate("RefCounted");
	(void)obj.handle(); (void)obj.is_null(); (void)!!obj; (void)(obj == input);
	Variant pos = obj.get("position");
	obj.set("position", pos);
	(void)obj.call("get_class");
	obj.call_deferred("set", "visible", true);
	obj.connect("tree_exited", created, "free");
	obj.disconnect("tree_exited", created, "free");
	obj.emit_signal("custom", 1, 2);
	(void)obj.get_class(); (void)obj.is_class("Node");
	Variant resource = load("res://icon.svg");

	// node.hpp
	Node root = get_node();
	Node child = root.get_node("Child");
	Node made = Node::create("Made");
	Node from_obj(obj);
	(void)child.get_name(); child.set_name("Renamed"); (void)child.get_path();
	(void)child.get_parent(); (void)child.get_child_count(); (void)child.get_child(0);
	std::vector<Node> children = root.get_children();
	root.add_child(made);
	root.add_child(made, true);
	made.add_sibling(Node::create());
	root.move_child(made, 0);
	made.reparent(child);
	made.replace_by(Node::create());
	(void)made.duplicate();
	root.remove_child(made, true);
	made.add_to_group("g"); made.remove_from_group("g"); (void)made.is_in_group("g");
	(void)made.is_inside_tree();
	made.queue_free();
	Node2D n2(get_node("Sprite"));
	Node2D n2b = Node2D::create("N2");
	n2.set_position(n2.get_position() + Vector2(1, 0));
	n2.set_rotation(n2.get_rotation());
	n2.set_scale(n2.get_scale());
	n2.set_skew(n2.get_skew());
	n2.set_transform(n2.get_transform());
	(void)n2.get("visible"); // Object::get is not hidden by the NODE2D helpers
	Node3D n3 = Node3D::create("N3");
	Node3D n3b(from_obj);
	n3.set_position(n3.get_position());
	n3.set_rotation(n3.get_rotation());
	n3.set_scale(n3.get_scale());
	n3.set_transform(n3.get_transform());
	n3.set_quaternion(n3.get_quaternion());
	(void)n2b; (void)n3b;

	// callable.hpp
	Callable c = Callable::create(callable_target, 2);
	Callable c2 = Callable::create(unboxed_callable_target);
	Callable c3 = Callable::create(obj, "queue_free");
	Callable c4((Variant(c)));
	(void)c.call(21); (void)c(21); c2.call_deferred(1);
	Callable bound = c3.bind(1);
	(void)bound.is_valid();
	c.make_permanent();
	(void)Callable::from_index(c.index()); (void)c4;

	// print.hpp
	print("print ", 1, " ", v2);
	prints("a", "b"); printt("a", "b"); printraw("raw"); print_rich("[b]rich[/b]");
	printerr("err"); print_verbose("verbose"); push_error("error"); push_warning("warning");
	print();

	if (arg.is_nil())
		sandbox_throw("ValueError", "arg must not be nil", &arg);
	if (arg.get_type() == Variant::INT)
		throw std::runtime_error("exceptions are supported");
	return Dictionary{ { "all", all.size() }, { "keys", keys }, { "vals", vals }, { "s2", s2 }, { "utf8", utf8 },
		{ "conv", conv }, { "strings", int64_t(strings.size()) }, { "children", int64_t(children.size()) },
		{ "resource", resource }, { "formatted", formatted } };
}

int main() {
	// public_api.hpp
	ADD_FUNCTION(boxed_function);
	ADD_FUNCTION(unboxed_function, "Array", "int i, float f, bool b, Vector2 v2, Vector3 v3, String s, Object o",
			"unboxed convention");
	add_function("exercise", exercise_everything, "Dictionary", "Variant arg", "uses every API");
	add_property("speed", Variant::FLOAT, 2.5, get_speed, set_speed);
	add_property("storage", Variant::INT, &g_storage);
	add_property_hint("speed", 1, "0,10,0.1");
	halt();
}
