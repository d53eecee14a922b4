// node.hpp - Node, Node2D and Node3D: scene-tree objects, plus get_node().
//
// These are Objects (an 8-byte handle) with the NODE / NODE2D / NODE3D fast paths. Their
// sub-operations take the sub-operation in a0, the node handle in a1 and, for most of them,
// a Variant pointer in a2 that the host reads (setters) or writes (getters).
// The host checks the class of the handle and raises an error on a mismatch.
#pragma once
#include "object.hpp"

#include <vector>

namespace node_detail {
/// The fast-path system call of each sub-operation enum.
constexpr sys::Call call_of(sys::NodeOp) { return sys::NODE; }
constexpr sys::Call call_of(sys::Node2DOp) { return sys::NODE2D; }
constexpr sys::Call call_of(sys::Node3DOp) { return sys::NODE3D; }
} // namespace node_detail

class Node : public Object {
public:
	/// The null node, a node from a handle (explicit) or from an OBJECT Variant, as Object.
	using Object::Object;
	constexpr Node() noexcept = default;
	/// Treats an Object as a Node (the host checks the class when it is used).
	explicit Node(const Object &object) noexcept : Object(object.handle()) {}

	/// A new Node (NODE_CREATE), not yet in the tree.
	static Node create(std::string_view name = {}) { return Node(create_kind(sys::NodeCreate::NODE, "Node", name)); }

	/// The node at `path`, relative to this node (GET_NODE). Null if there is none.
	Node get_node(std::string_view path) const {
		return Node(sys::call<sys::GET_NODE>(handle(), path.data(), path.size()));
	}

	/// The node's name.
	String get_name() const { return String(get_op(sys::NodeOp::GET_NAME)); }
	void set_name(std::string_view name) { set_op(sys::NodeOp::SET_NAME, Variant(name)); }
	/// The absolute path, as a NodePath Variant (`.as_std_string()` gives the text).
	Variant get_path() const { return get_op(sys::NodeOp::GET_PATH); }

	/// The parent node, or null.
	Node get_parent() const { return Node(u64_op(sys::NodeOp::GET_PARENT)); }
	int64_t get_child_count() const { return static_cast<int64_t>(u64_op(sys::NodeOp::GET_CHILD_COUNT)); }
	/// Child number `index`, or null if missing or not allowed.
	Node get_child(int64_t index) const {
		Variant io(index); // in: the index; out: INT(handle) or Nil
		sys::call<sys::NODE>(sys::NodeOp::GET_CHILD, handle(), &io);
		return io.is_nil() ? Node() : Node(static_cast<uint64_t>(io.as_int()));
	}
	/// Every child (one GET_CHILD per child).
	std::vector<Node> get_children() const {
		std::vector<Node> out;
		const int64_t n = get_child_count();
		for (int64_t i = 0; i < n; i++)
			out.push_back(get_child(i));
		return out;
	}

	void add_child(const Node &child, bool deferred = false) {
		set_op(deferred ? sys::NodeOp::ADD_CHILD_DEFERRED : sys::NodeOp::ADD_CHILD, child);
	}
	void add_sibling(const Node &sibling, bool deferred = false) {
		set_op(deferred ? sys::NodeOp::ADD_SIBLING_DEFERRED : sys::NodeOp::ADD_SIBLING, sibling);
	}
	void remove_child(const Node &child, bool deferred = false) {
		set_op(deferred ? sys::NodeOp::REMOVE_CHILD_DEFERRED : sys::NodeOp::REMOVE_CHILD, child);
	}
	void move_child(const Node &child, int64_t to_index) {
		const Variant args[2] = { Variant::from_object(child.handle()), Variant(to_index) };
		sys::call<sys::NODE>(sys::NodeOp::MOVE_CHILD, handle(), args);
	}
	/// Moves this node under `new_parent`.
	void reparent(const Node &new_parent, bool keep_global_transform = true) {
		sys::call<sys::NODE>(sys::NodeOp::REPARENT, handle(), new_parent.handle(), keep_global_transform);
	}
	void replace_by(const Node &node, bool keep_groups = false) {
		sys::call<sys::NODE>(sys::NodeOp::REPLACE_BY, handle(), node.handle(), keep_groups);
	}
	/// A copy of this node (Godot duplicate flags, default 15 = everything). A Sandbox with
	/// restrictions refuses copying signals (1) and scripts (4): pass 2 (groups) or 0 there.
	Node duplicate(int flags = 15) const {
		uint64_t copy = 0;
		sys::call<sys::NODE>(sys::NodeOp::DUPLICATE, handle(), &copy, flags);
		return Node(copy);
	}
	/// Frees the node at the end of the frame.
	void queue_free() { sys::call<sys::NODE>(sys::NodeOp::QUEUE_FREE, handle(), 0); }

	void add_to_group(std::string_view group) { sys::call<sys::NODE>(sys::NodeOp::ADD_TO_GROUP, handle(), group.data(), group.size()); }
	void remove_from_group(std::string_view group) { sys::call<sys::NODE>(sys::NodeOp::REMOVE_FROM_GROUP, handle(), group.data(), group.size()); }
	bool is_in_group(std::string_view group) const {
		bool result = false;
		sys::call<sys::NODE>(sys::NodeOp::IS_IN_GROUP, handle(), group.data(), group.size(), &result);
		return result;
	}
	bool is_inside_tree() const {
		bool result = false;
		sys::call<sys::NODE>(sys::NodeOp::IS_INSIDE_TREE, handle(), &result);
		return result;
	}

protected:
	static uint64_t create_kind(sys::NodeCreate kind, std::string_view cls, std::string_view name) {
		return sys::call<sys::NODE_CREATE>(kind, cls.data(), cls.size(), name.data(), name.size());
	}
	/// A getter sub-operation: the host writes the answer to the Variant at a2.
	template <typename Op>
	Variant get_op(Op op) const {
		Variant out;
		sys::call<node_detail::call_of(Op{})>(op, handle(), &out);
		return out;
	}
	/// A setter sub-operation: the host reads `value` through a2.
	template <typename Op>
	void set_op(Op op, const Variant &value) {
		sys::call<node_detail::call_of(Op{})>(op, handle(), &value);
	}

private:
	uint64_t u64_op(sys::NodeOp op) const {
		uint64_t out = 0;
		sys::call<sys::NODE>(op, handle(), &out);
		return out;
	}
};

/// A 2D node: position, rotation, scale, skew and transform through NODE2D.
class Node2D : public Node {
public:
	using Node::Node;

	static Node2D create(std::string_view name = {}) { return Node2D(create_kind(sys::NodeCreate::NODE2D, "Node2D", name)); }

	Vector2 get_position() const { return get_op(sys::Node2DOp::GET_POSITION).as_vector2(); }
	/// Note: the host applies the position with set_deferred (end of frame).
	void set_position(Vector2 p) { set_op(sys::Node2DOp::SET_POSITION, p); }
	double get_rotation() const { return get_op(sys::Node2DOp::GET_ROTATION).as_float(); }
	void set_rotation(double radians) { set_op(sys::Node2DOp::SET_ROTATION, radians); }
	Vector2 get_scale() const { return get_op(sys::Node2DOp::GET_SCALE).as_vector2(); }
	void set_scale(Vector2 s) { set_op(sys::Node2DOp::SET_SCALE, s); }
	double get_skew() const { return get_op(sys::Node2DOp::GET_SKEW).as_float(); }
	void set_skew(double radians) { set_op(sys::Node2DOp::SET_SKEW, radians); }
	/// The Transform2D, as a Variant.
	Variant get_transform() const { return get_op(sys::Node2DOp::GET_TRANSFORM); }
	void set_transform(const Variant &t) { set_op(sys::Node2DOp::SET_TRANSFORM, t); }
};

/// A 3D node: position, rotation (Euler radians), scale, transform and quaternion through NODE3D.
class Node3D : public Node {
public:
	using Node::Node;

	static Node3D create(std::string_view name = {}) { return Node3D(create_kind(sys::NodeCreate::NODE3D, "Node3D", name)); }

	Vector3 get_position() const { return get_op(sys::Node3DOp::GET_POSITION).as_vector3(); }
	void set_position(Vector3 p) { set_op(sys::Node3DOp::SET_POSITION, p); }
	Vector3 get_rotation() const { return get_op(sys::Node3DOp::GET_ROTATION).as_vector3(); }
	void set_rotation(Vector3 euler) { set_op(sys::Node3DOp::SET_ROTATION, euler); }
	Vector3 get_scale() const { return get_op(sys::Node3DOp::GET_SCALE).as_vector3(); }
	void set_scale(Vector3 s) { set_op(sys::Node3DOp::SET_SCALE, s); }
	/// The Transform3D, as a Variant.
	Variant get_transform() const { return get_op(sys::Node3DOp::GET_TRANSFORM); }
	void set_transform(const Variant &t) { set_op(sys::Node3DOp::SET_TRANSFORM, t); }
	/// The rotation as a Quaternion Variant.
	Variant get_quaternion() const { return get_op(sys::Node3DOp::GET_QUATERNION); }
	void set_quaternion(const Variant &q) { set_op(sys::Node3DOp::SET_QUATERNION, q); }
};

/// The node at `path`, relative to the sandbox's tree base (GET_NODE with base 0).
/// Null if not found. `get_node()` is the tree base itself.
inline Node get_node(std::string_view path = ".") {
	return Node(sys::call<sys::GET_NODE>(0, path.data(), path.size()));
}
