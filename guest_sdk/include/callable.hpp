// callable.hpp - Callable: a Godot Callable held in the host, referred to by index.
//
// Callable::create() wraps a guest function so Godot can call it (signals, timers,
// call_deferred, passing it to GDScript...). A ScopedHandle (scoped_handle.hpp): 4 bytes,
// trivially copyable.
#pragma once
#include "object.hpp"
#include "scoped_handle.hpp"

#include <type_traits>

class Callable : public ScopedHandle<Callable, Variant::CALLABLE> {
public:
	/// From a CALLABLE Variant.
	Callable(const Variant &value) : ScopedHandle(value, "Variant is not a Callable") {}

	/// A Callable that runs the guest function `fn` (CALLABLE_CREATE).
	///
	/// `fn` must return Variant. If every parameter is a `Variant` (or `const Variant&`)
	/// the host calls it with the boxed convention (flag CALLABLE_VARIANT_ARGS); otherwise
	/// with the unboxed one (int64_t, double, bool, Vector2, String, Object, ...).
	/// A non-Nil `bound` value is passed as the first argument, before the call arguments.
	template <typename R, typename... Args>
	static Callable create(R (*fn)(Args...), const Variant &bound = Variant()) {
		static_assert(std::is_same_v<R, Variant>, "a guest function called by the host must return Variant");
		constexpr bool boxed = sizeof...(Args) > 0 && (std::is_same_v<std::remove_cvref_t<Args>, Variant> && ...);
		const uint64_t flags = boxed ? sys::CALLABLE_VARIANT_ARGS : 0;
		const auto created = sys::call<sys::CALLABLE_CREATE>(reinterpret_cast<uintptr_t>(fn), &bound, 0, flags);
		return from_index(static_cast<int32_t>(created));
	}

	/// A Callable for `method` of a Godot object (Callable(object, method), via VCONSTRUCT).
	static Callable create(const Object &object, std::string_view method) {
		return Callable(Variant::construct(Variant::CALLABLE, object, Variant::string_name(method)));
	}

	/// Calls it now and returns the result. (Other Callable methods: `Variant(c).call(...)`.)
	template <typename... Args>
	Variant call(const Args &...args) const { return Variant(*this).call("call", args...); }
	template <typename... Args>
	Variant operator()(const Args &...args) const { return call(args...); }
	/// Calls it at the end of the frame.
	template <typename... Args>
	void call_deferred(const Args &...args) const { Variant(*this).call("call_deferred", args...); }
	/// A new Callable with these arguments bound after the call arguments (Callable.bind).
	template <typename... Args>
	Callable bind(const Args &...args) const { return Callable(Variant(*this).call("bind", args...)); }
	bool is_valid() const { return Variant(*this).call("is_valid").as_bool(); }

	// make_permanent() is needed for a Callable kept in a global and used by a later call.
};
static_assert(sizeof(Callable) == 4 && std::is_trivially_copyable_v<Callable>);
