// public_api.hpp - exposing guest functions and properties to Godot.
//
// Any global (extern "C") function can be called by name from Godot, e.g.
// `sandbox.vmcall("add", 1, 2)`. Mark it PUBLIC so its name is not mangled and the linker
// keeps it. add_function() additionally publishes it with a signature and description
// for the editor. Registration (add_function, add_property, ...) must happen during
// initialization, i.e. in main() or a global constructor, before halt().
#pragma once
#include "variant.hpp"

#include <string_view>
#include <type_traits>

/// Makes a function visible to the host by name: C linkage (no mangling), kept by the
/// compiler and by `--gc-sections`.
///
/// A public function must return `Variant` (the host passes the return slot in a0).
/// With the boxed convention (the default of our demo) it takes `Variant` parameters:
///     PUBLIC Variant add(Variant a, Variant b) { return a.as_int() + b.as_int(); }
/// With the unboxed convention ("native types") it takes native parameters:
///     PUBLIC Variant add(int64_t a, int64_t b) { return a + b; }
#define PUBLIC extern "C" __attribute__((used, retain))

namespace public_api_detail {
/// The 48-byte record ADD_METHOD reads through a4.
struct MethodExtra {
	const char *description;
	uint64_t description_len;
	const char *return_type;
	uint64_t return_type_len;
	const char *arguments;
	uint64_t arguments_len;
};
static_assert(sizeof(MethodExtra) == 48);
} // namespace public_api_detail

/// Publishes `fn` as `name` (SANDBOX_ADD ADD_METHOD).
/// `return_type` is a Godot type name ("int", "String", "Dictionary", "void", ...);
/// `arguments` is a comma-separated list such as "int a, float b, String name".
template <typename R, typename... Args>
inline void add_function(std::string_view name, R (*fn)(Args...), std::string_view return_type = "Variant",
		std::string_view arguments = "", std::string_view description = "") {
	static_assert(std::is_same_v<R, Variant>, "a public function must return Variant");
	const public_api_detail::MethodExtra extra{ description.data(), description.size(), return_type.data(),
		return_type.size(), arguments.data(), arguments.size() };
	sys::call<sys::SANDBOX_ADD>(sys::SandboxAdd::ADD_METHOD, name.data(), name.size(),
			reinterpret_cast<uintptr_t>(fn), &extra);
}

/// `ADD_FUNCTION(add, "int", "int a, int b", "Adds two numbers")` publishes `add` under its
/// own name. Everything after the function is optional.
#define ADD_FUNCTION(function, ...) add_function(#function, &function, ##__VA_ARGS__)

/// Property getter: returns the value. Setter: receives the new value; its return value is
/// ignored. Both are called with the boxed convention.
using PropertyGetter = Variant (*)();
using PropertySetter = Variant (*)(Variant);

/// Adds a property to the Sandbox node, backed by a getter and a setter (SANDBOX_ADD
/// ADD_PROPERTY). It shows in the inspector and works with `sandbox.get/set`.
inline void add_property(std::string_view name, Variant::Type type, const Variant &default_value,
		PropertyGetter getter, PropertySetter setter) {
	sys::call<sys::SANDBOX_ADD>(sys::SandboxAdd::ADD_PROPERTY, name.data(), name.size(), type,
			reinterpret_cast<uintptr_t>(setter), reinterpret_cast<uintptr_t>(getter), &default_value);
}

/// Adds a property whose value lives in the guest Variant `*storage` (no getter/setter: the
/// host reads and writes that Variant directly). `*storage` must live forever (a global)
/// and holds the default value when this is called.
inline void add_property(std::string_view name, Variant::Type type, Variant *storage) {
	sys::call<sys::SANDBOX_ADD>(sys::SandboxAdd::ADD_PROPERTY, name.data(), name.size(), type, 0, 0, storage);
}

/// Sets the editor hint of a property added before (SANDBOX_ADD ADD_PROPERTY_HINT), e.g.
/// `add_property_hint("speed", 1 /* PROPERTY_HINT_RANGE */, "0,100,0.5");`
/// `usage` is Godot's PropertyUsageFlags (6 = PROPERTY_USAGE_DEFAULT).
inline void add_property_hint(std::string_view name, uint32_t hint, std::string_view hint_string,
		uint32_t usage = 6) {
	sys::call<sys::SANDBOX_ADD>(sys::SandboxAdd::ADD_PROPERTY_HINT, name.data(), name.size(), hint,
			hint_string.data(), hint_string.size(), usage);
}

/// One entry of the static `properties` table the host reads after startup (56 bytes).
/// Prefer add_property(); this older mechanism needs no code in main().
struct StaticProperty {
	const char *name = nullptr;
	uint32_t size = sizeof(StaticProperty); ///< must be 56
	Variant::Type type = Variant::NIL;
	PropertyGetter getter = nullptr;
	PropertySetter setter = nullptr;
	Variant default_value;
};
static_assert(sizeof(StaticProperty) == 56);

/// Defines the `properties` table (at most 32 entries are read):
///   STATIC_PROPERTIES({ .name = "hp", .type = Variant::INT, .getter = get_hp, .setter = set_hp,
///                       .default_value = 100 });
#define STATIC_PROPERTIES(...) \
	extern "C" __attribute__((used, retain)) const StaticProperty properties[] = { __VA_ARGS__, StaticProperty{} }
