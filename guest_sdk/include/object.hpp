// object.hpp - Object: a Godot Object owned by the host, referred to by an opaque handle.
//
// 8 bytes, trivially copyable (unboxed functions receive it in one register). The handle is
// only valid while the host keeps the object in scope: every object the host hands over
// (arguments, return values, get_node(), ...) is usable until the current call returns.
#pragma once
#include "string.hpp"
#include "variant.hpp"

class Object {
public:
	/// The null object.
	constexpr Object() noexcept = default;
	/// Wraps a handle received from the host.
	explicit constexpr Object(uint64_t handle) noexcept : m_handle(handle) {}
	/// From an OBJECT Variant (Nil gives the null object).
	Object(const Variant &value) {
		if (value.get_type() == Variant::OBJECT)
			m_handle = value.object_handle();
		else if (!value.is_nil())
			sandbox_throw("TypeError", "Variant is not an Object", &value);
	}

	/// An engine singleton ("Input", "Engine", ...), "SceneTree", or an autoload node by
	/// name (GET_OBJ). Null if not found or not allowed.
	static Object find(std::string_view name) {
		return Object(sys::call<sys::GET_OBJ>(name.data(), name.size()));
	}
	/// A new object of any class through ClassDB (NODE_CREATE CLASSDB). `name` is given to
	/// it if it is a Node.
	static Object instantiate(std::string_view class_name, std::string_view name = {}) {
		const std::string cls(class_name); // the host wants the class name NUL-terminated
		return Object(sys::call<sys::NODE_CREATE>(sys::NodeCreate::CLASSDB, cls.c_str(), cls.size(),
				name.data(), name.size()));
	}

	/// The opaque host handle (0 = null).
	constexpr uint64_t handle() const noexcept { return m_handle; }
	constexpr bool is_null() const noexcept { return m_handle == 0; }
	constexpr explicit operator bool() const noexcept { return m_handle != 0; }
	constexpr bool operator==(const Object &o) const noexcept { return m_handle == o.m_handle; }
	operator Variant() const { return Variant::from_object(m_handle); }

	/// Reads a property (OBJ_PROP_GET), e.g. `node.get("position")`.
	Variant get(std::string_view property) const {
		Variant out;
		sys::call<sys::OBJ_PROP_GET>(m_handle, property.data(), property.size(), &out);
		return out;
	}
	/// Writes a property (OBJ_PROP_SET).
	void set(std::string_view property, const Variant &value) {
		sys::call<sys::OBJ_PROP_SET>(m_handle, property.data(), property.size(), &value);
	}

	/// Calls a method and returns its result (OBJ_CALLP), e.g. `obj.call("get_class")`.
	template <typename... Args>
	Variant call(std::string_view method, const Args &...args) const {
		static_assert(sizeof...(Args) <= sys::MAX_CALL_ARGS);
		const std::array<Variant, sizeof...(Args)> argv{ Variant(args)... };
		Variant result;
		sys::call<sys::OBJ_CALLP>(m_handle, method.data(), method.size(), false, &result, argv.data(), argv.size());
		return result;
	}
	/// Calls a method at the end of the frame (call_deferred); at most 8 arguments.
	template <typename... Args>
	void call_deferred(std::string_view method, const Args &...args) const {
		static_assert(sizeof...(Args) <= 8);
		const std::array<Variant, sizeof...(Args)> argv{ Variant(args)... };
		sys::call<sys::OBJ_CALLP>(m_handle, method.data(), method.size(), true, nullptr, argv.data(), argv.size());
	}

	/// Connects `signal` of this object to `method` of `target`.
	void connect(std::string_view signal, const Object &target, std::string_view method) {
		signal_op(sys::ObjectOp::CONNECT, signal, target, method);
	}
	/// Undoes connect().
	void disconnect(std::string_view signal, const Object &target, std::string_view method) {
		signal_op(sys::ObjectOp::DISCONNECT, signal, target, method);
	}
	/// Emits a signal with arguments (Object.emit_signal).
	template <typename... Args>
	void emit_signal(std::string_view signal, const Args &...args) {
		call("emit_signal", Variant::string_name(signal), args...);
	}

	/// Godot class name, e.g. "Node2D".
	std::string get_class() const { return call("get_class").as_std_string(); }
	/// True if the object is of class `name` or inherits from it.
	bool is_class(std::string_view name) const { return call("is_class", name).as_bool(); }

private:
	void signal_op(sys::ObjectOp op, std::string_view signal, const Object &target, std::string_view method) {
		const Variant vars[3] = { Variant::from_object(target.m_handle), Variant(signal), Variant(method) };
		sys::call<sys::OBJ>(op, m_handle, vars);
	}

	uint64_t m_handle = 0;
};
static_assert(sizeof(Object) == 8 && std::is_trivially_copyable_v<Object>);

/// Loads a resource with ResourceLoader.load (LOAD). Returns the OBJECT Variant.
inline Variant load(std::string_view path) {
	Variant result;
	sys::call<sys::LOAD>(path.data(), path.size(), &result);
	return result;
}
