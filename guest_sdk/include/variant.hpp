// variant.hpp - the 24-byte guest Variant.
//
// Layout (ABI, docs/guest-abi.md §2): int32 type at offset 0, 4 bytes padding, 16-byte
// payload at offset 8. Inline types (bool, int, float, vectors, rects, Color, Plane) live
// in the payload. Every other type (String, Array, Dictionary, Callable, packed arrays,
// Quaternion, transforms, ...) lives in the host; the payload holds a 32-bit index into the
// host's Variant table. A non-negative ("scoped") index is valid only during the current
// call from the host; see make_permanent(). Objects hold an opaque 64-bit handle.
#pragma once
#include "syscalls.hpp"
#include "vector.hpp"

#include <array>
#include <concepts>
#include <cstring>
#include <string>
#include <string_view>

class Variant;

/// Ends the current call with a host-side error (ECALL_THROW): the host prints
/// "<type>: <message>" (plus the related Variant, if any) and the call returns Nil.
/// `function` defaults to the calling function's name.
[[noreturn]] inline void sandbox_throw(std::string_view type, std::string_view message,
		const Variant *related = nullptr, const char *function = __builtin_FUNCTION()) {
	sys::call<sys::THROW>(type.data(), type.size(), message.data(), message.size(), related, function);
	fast_exit(); // THROW never returns; stop anyway if a host lets it.
}

class Variant {
public:
	// Both enums are consecutive from 0, listed five to a line; the first name of each
	// line states its value (docs/guest-abi.md §2.2).

	/// Godot 4 Variant::Type numbering.
	enum Type : int32_t {
		NIL = 0, BOOL, INT, FLOAT, STRING,
		VECTOR2 = 5, VECTOR2I, RECT2, RECT2I, VECTOR3,
		VECTOR3I = 10, TRANSFORM2D, VECTOR4, VECTOR4I, PLANE,
		QUATERNION = 15, AABB, BASIS, TRANSFORM3D, PROJECTION,
		COLOR = 20, STRING_NAME, NODE_PATH, RID, OBJECT,
		CALLABLE = 25, SIGNAL, DICTIONARY, ARRAY, PACKED_BYTE_ARRAY,
		PACKED_INT32_ARRAY = 30, PACKED_INT64_ARRAY, PACKED_FLOAT32_ARRAY, PACKED_FLOAT64_ARRAY, PACKED_STRING_ARRAY,
		PACKED_VECTOR2_ARRAY = 35, PACKED_VECTOR3_ARRAY, PACKED_COLOR_ARRAY, PACKED_VECTOR4_ARRAY,
		VARIANT_MAX = 39,
	};

	/// Godot 4 Variant::Operator numbering (used by VEVAL).
	enum Operator : int32_t {
		OP_EQUAL = 0, OP_NOT_EQUAL, OP_LESS, OP_LESS_EQUAL, OP_GREATER,
		OP_GREATER_EQUAL = 5, OP_ADD, OP_SUBTRACT, OP_MULTIPLY, OP_DIVIDE,
		OP_NEGATE = 10, OP_POSITIVE, OP_MODULE, OP_POWER, OP_SHIFT_LEFT,
		OP_SHIFT_RIGHT = 15, OP_BIT_AND, OP_BIT_OR, OP_BIT_XOR, OP_BIT_NEGATE,
		OP_AND = 20, OP_OR, OP_XOR, OP_NOT, OP_IN,
		OP_MAX = 25,
	};

	// ---- construction -------------------------------------------------------------

	/// Nil.
	constexpr Variant() noexcept = default;

	/// BOOL. Stored as a full 64-bit 0/1 so hosts reading 1 byte or 8 bytes agree.
	template <typename T>
		requires std::same_as<T, bool>
	constexpr Variant(T value) noexcept : m_type(BOOL) { m_data.i = value ? 1 : 0; }

	/// INT (any integer type except bool; stored as int64).
	template <typename T>
		requires(std::integral<T> && !std::same_as<T, bool>)
	constexpr Variant(T value) noexcept : m_type(INT) { m_data.i = static_cast<int64_t>(value); }

	/// FLOAT (always a 64-bit double in the payload).
	template <std::floating_point T>
	constexpr Variant(T value) noexcept : m_type(FLOAT) { m_data.f = static_cast<double>(value); }

	constexpr Variant(Vector2 v) noexcept : m_type(VECTOR2) { m_data.v2 = v; }
	constexpr Variant(Vector2i v) noexcept : m_type(VECTOR2I) { m_data.v2i = v; }
	constexpr Variant(Vector3 v) noexcept : m_type(VECTOR3) { m_data.v3 = v; }
	constexpr Variant(Vector3i v) noexcept : m_type(VECTOR3I) { m_data.v3i = v; }
	constexpr Variant(Vector4 v) noexcept : m_type(VECTOR4) { m_data.v4 = v; }
	constexpr Variant(Vector4i v) noexcept : m_type(VECTOR4I) { m_data.v4i = v; }
	constexpr Variant(Rect2 v) noexcept : m_type(RECT2) { m_data.r2 = v; }
	constexpr Variant(Rect2i v) noexcept : m_type(RECT2I) { m_data.r2i = v; }
	constexpr Variant(Color v) noexcept : m_type(COLOR) { m_data.color = v; }
	constexpr Variant(Plane v) noexcept : m_type(PLANE) { m_data.plane = v; }

	/// STRING from UTF-8 text (host call VCREATE, method 1 = {ptr, len}).
	Variant(std::string_view text) { create_text(STRING, text); }
	Variant(const char *text) : Variant(std::string_view(text)) {}
	Variant(const std::string &text) : Variant(std::string_view(text)) {}

	/// A StringName Variant made from UTF-8 text.
	static Variant string_name(std::string_view text) {
		Variant v;
		v.create_text(STRING_NAME, text);
		return v;
	}
	/// A NodePath Variant made from UTF-8 text.
	static Variant node_path(std::string_view text) {
		Variant v;
		v.create_text(NODE_PATH, text);
		return v;
	}

	/// A Variant referring to host Variant `index` of the given (by-reference) type.
	static constexpr Variant from_index(Type type, int32_t index) noexcept {
		Variant v;
		v.m_type = type;
		v.m_data.i = static_cast<int64_t>(static_cast<uint32_t>(index)); // zero-extended, as the host writes it
		return v;
	}

	/// An OBJECT Variant holding a host object handle; handle 0 gives Nil.
	static constexpr Variant from_object(uint64_t handle) noexcept {
		Variant v;
		if (handle != 0) {
			v.m_type = OBJECT;
			v.m_data.i = static_cast<int64_t>(handle);
		}
		return v;
	}

	/// Runs a Godot constructor of `type` with the given arguments in the host (VCONSTRUCT),
	/// e.g. `Variant::construct(Variant::QUATERNION, 0.0, 0.0, 0.0, 1.0)`.
	template <typename... Args>
	static Variant construct(Type type, const Args &...args) {
		static_assert(sizeof...(Args) <= sys::MAX_CALL_ARGS);
		const std::array<Variant, sizeof...(Args)> argv{ Variant(args)... };
		Variant result;
		sys::call<sys::VCONSTRUCT>(&result, type, argv.data(), argv.size());
		return result;
	}

	// ---- inspection -----------------------------------------------------------------

	/// The Variant::Type.
	constexpr Type get_type() const noexcept { return m_type; }
	constexpr bool is_nil() const noexcept { return m_type == NIL; }
	/// True for types held in the host (the payload is an index).
	constexpr bool is_by_reference() const noexcept { return is_by_reference(m_type); }
	static constexpr bool is_by_reference(Type t) noexcept {
		switch (t) {
			case NIL: case BOOL: case INT: case FLOAT: case VECTOR2: case VECTOR2I: case RECT2:
			case RECT2I: case VECTOR3: case VECTOR3I: case VECTOR4: case VECTOR4I: case PLANE:
			case COLOR: case OBJECT:
				return false;
			default:
				return true;
		}
	}
	/// True for STRING, STRING_NAME and NODE_PATH.
	constexpr bool is_string() const noexcept {
		return m_type == STRING || m_type == STRING_NAME || m_type == NODE_PATH;
	}
	/// Host table index of a by-reference Variant (negative = permanent).
	constexpr int32_t index() const noexcept { return static_cast<int32_t>(static_cast<uint32_t>(m_data.i)); }
	/// Object handle of an OBJECT Variant (0 otherwise).
	constexpr uint64_t object_handle() const noexcept { return m_type == OBJECT ? static_cast<uint64_t>(m_data.i) : 0; }

	/// Godot's name of a type ("int", "Vector2", ...).
	static constexpr const char *type_name(Type t) noexcept {
		constexpr const char *names[VARIANT_MAX] = { "Nil", "bool", "int", "float", "String",
			"Vector2", "Vector2i", "Rect2", "Rect2i", "Vector3", "Vector3i", "Transform2D", "Vector4",
			"Vector4i", "Plane", "Quaternion", "AABB", "Basis", "Transform3D", "Projection", "Color",
			"StringName", "NodePath", "RID", "Object", "Callable", "Signal", "Dictionary", "Array",
			"PackedByteArray", "PackedInt32Array", "PackedInt64Array", "PackedFloat32Array",
			"PackedFloat64Array", "PackedStringArray", "PackedVector2Array", "PackedVector3Array",
			"PackedColorArray", "PackedVector4Array" };
		return (t >= 0 && t < VARIANT_MAX) ? names[t] : "(invalid type)";
	}
	const char *type_name() const noexcept { return type_name(m_type); }

	// ---- conversion ------------------------------------------------------------------
	// Each as_*() raises a host error (sandbox_throw) if the type does not fit.

	/// INT (also accepts BOOL and FLOAT, truncating).
	int64_t as_int() const {
		switch (m_type) {
			case INT: case BOOL: return m_data.i;
			case FLOAT: return static_cast<int64_t>(m_data.f);
			default: type_error("int");
		}
	}
	/// FLOAT (also accepts INT and BOOL).
	double as_float() const {
		switch (m_type) {
			case FLOAT: return m_data.f;
			case INT: case BOOL: return static_cast<double>(m_data.i);
			default: type_error("float");
		}
	}
	/// Truthiness as Godot defines it for the inline types; by-reference types are true.
	bool as_bool() const noexcept {
		switch (m_type) {
			case NIL: return false;
			case BOOL: return (m_data.i & 0xFF) != 0; // the host writes one byte
			case INT: case OBJECT: return m_data.i != 0;
			case FLOAT: return m_data.f != 0.0;
			default: return true;
		}
	}
	Vector2 as_vector2() const {
		if (m_type == VECTOR2) return m_data.v2;
		if (m_type == VECTOR2I) return { float(m_data.v2i.x), float(m_data.v2i.y) };
		type_error("Vector2");
	}
	Vector2i as_vector2i() const {
		if (m_type == VECTOR2I) return m_data.v2i;
		if (m_type == VECTOR2) return { int32_t(m_data.v2.x), int32_t(m_data.v2.y) };
		type_error("Vector2i");
	}
	Vector3 as_vector3() const {
		if (m_type == VECTOR3) return m_data.v3;
		if (m_type == VECTOR3I) return { float(m_data.v3i.x), float(m_data.v3i.y), float(m_data.v3i.z) };
		type_error("Vector3");
	}
	Vector3i as_vector3i() const {
		if (m_type == VECTOR3I) return m_data.v3i;
		if (m_type == VECTOR3) return { int32_t(m_data.v3.x), int32_t(m_data.v3.y), int32_t(m_data.v3.z) };
		type_error("Vector3i");
	}
	Vector4 as_vector4() const { return inline_as<VECTOR4>(m_data.v4, "Vector4"); }
	Vector4i as_vector4i() const { return inline_as<VECTOR4I>(m_data.v4i, "Vector4i"); }
	Rect2 as_rect2() const { return inline_as<RECT2>(m_data.r2, "Rect2"); }
	Rect2i as_rect2i() const { return inline_as<RECT2I>(m_data.r2i, "Rect2i"); }
	Color as_color() const { return inline_as<COLOR>(m_data.color, "Color"); }
	Plane as_plane() const { return inline_as<PLANE>(m_data.plane, "Plane"); }

	/// UTF-8 text of a String/StringName/NodePath; any other type is first turned into text
	/// by the host's str() (so this works for every Variant, like Godot's str(v)).
	std::string as_std_string() const {
		if (is_string())
			return text_of_index(index());
		return stringify().as_std_string();
	}
	/// Godot's str(v): a String Variant with the text form of this Variant.
	Variant stringify() const {
		Variant result;
		sys::call<sys::UTILITY>(sys::UtilityOp::STR, &result, this, 1);
		return result;
	}

	/// Implicit conversions, e.g. `int64_t n = args;`, `float f = v;`, `bool ok = v;`.
	template <std::integral T>
	operator T() const {
		if constexpr (std::same_as<T, bool>)
			return as_bool();
		else
			return static_cast<T>(as_int());
	}
	template <std::floating_point T>
	operator T() const { return static_cast<T>(as_float()); }
	operator Vector2() const { return as_vector2(); }
	operator Vector2i() const { return as_vector2i(); }
	operator Vector3() const { return as_vector3(); }
	operator Vector3i() const { return as_vector3i(); }
	operator Vector4() const { return as_vector4(); }
	operator Vector4i() const { return as_vector4i(); }
	operator Rect2() const { return as_rect2(); }
	operator Rect2i() const { return as_rect2i(); }
	operator Color() const { return as_color(); }
	operator Plane() const { return as_plane(); }
	operator std::string() const { return as_std_string(); }

	/// UTF-8 text of the host String/StringName/NodePath at `idx`.
	/// STRING_OPS TO_STD_STRING method 1: the host copies min(capacity, length) bytes into
	/// our buffer and writes the full UTF-8 length back; retry once if it did not fit.
	static std::string text_of_index(int32_t idx) {
		std::string text(64, '\0');
		for (int attempt = 0; attempt < 2; attempt++) {
			sys::Buffer buffer{ text.data(), text.size() };
			sys::call<sys::STRING_OPS>(sys::StringOp::TO_STD_STRING, static_cast<uint32_t>(idx), 1, &buffer);
			if (buffer.data != text.data()) // a host that allocated its own buffer
				return std::string(buffer.data, buffer.size);
			if (buffer.size <= text.size()) {
				text.resize(buffer.size);
				return text;
			}
			text.assign(buffer.size, '\0');
		}
		return text;
	}


	// ---- host operations ---------------------------------------------------------------

	/// Calls a method on this Variant in the host (VCALL), e.g. `s.call("to_upper")`,
	/// `callable.call("call", 1, 2)`, `object.call("get_class")`.
	template <typename... Args>
	Variant call(std::string_view method, const Args &...args) const {
		static_assert(sizeof...(Args) <= sys::MAX_CALL_ARGS);
		const std::array<Variant, sizeof...(Args)> argv{ Variant(args)... };
		Variant result;
		sys::call<sys::VCALL>(this, method.data(), method.size(), argv.data(), argv.size(), &result);
		return result;
	}

	/// `self[key]` as GDScript reads it (VARIANT_GET): an index, key or property name.
	Variant get(const Variant &key) const {
		Variant result;
		sys::call<sys::VARIANT_GET>(this, &key, &result);
		return result;
	}

	/// Applies a Godot operator in the host (VEVAL). Returns false if the operation is
	/// not valid for these types.
	static bool evaluate(Operator op, const Variant &a, const Variant &b, Variant &result) {
		return (sys::call<sys::VEVAL>(op, &a, &b, &result) & 0xFF) != 0;
	}
	/// Like evaluate(), but an invalid operation raises a host error.
	static Variant evaluate(Operator op, const Variant &a, const Variant &b) {
		Variant result;
		if (!evaluate(op, a, b, result))
			sandbox_throw("Variant", "invalid operands for operator", &a);
		return result;
	}

	/// A deep copy (VCLONE with a destination); the copy gets a new scoped index.
	Variant duplicate() const {
		Variant copy;
		sys::call<sys::VCLONE>(this, &copy);
		return copy;
	}
	/// Moves a by-reference Variant to the permanent table (VCLONE, null destination), so
	/// it stays valid after the current call, e.g. for globals set up in main().
	/// Variants created during main() are permanent already.
	Variant &make_permanent() {
		if (is_by_reference())
			sys::call<sys::VCLONE>(this, nullptr);
		return *this;
	}
	/// True if this by-reference Variant has a permanent (negative) index.
	constexpr bool is_permanent() const noexcept { return is_by_reference() && index() < 0; }

	/// Stores `value` into this global slot as a permanent Variant (VSTORE_GLOBAL),
	/// releasing the permanent slot it held before.
	void store_global(const Variant &value) { sys::call<sys::VSTORE_GLOBAL>(this, &value); }

private:
	[[noreturn]] void type_error(const char *wanted) const {
		std::string msg = "Variant of type ";
		msg += type_name();
		msg += " cannot be used as ";
		msg += wanted;
		sandbox_throw("TypeError", msg, this);
	}
	template <Type T, typename V>
	V inline_as(const V &value, const char *wanted) const {
		if (m_type != T)
			type_error(wanted);
		return value;
	}
	void create_text(Type type, std::string_view text) {
		const sys::Buffer buffer{ text.data(), text.size() };
		sys::call<sys::VCREATE>(this, type, 1, &buffer);
	}

	union Payload {
		constexpr Payload() noexcept : raw{ 0, 0 } {}
		uint64_t raw[2];
		int64_t i;
		double f;
		Vector2 v2;
		Vector2i v2i;
		Vector3 v3;
		Vector3i v3i;
		Vector4 v4;
		Vector4i v4i;
		Rect2 r2;
		Rect2i r2i;
		Color color;
		Plane plane;
	};

	Type m_type = NIL;
	uint32_t m_padding = 0;
	Payload m_data;
};

static_assert(sizeof(Variant) == 24, "the guest Variant must be 24 bytes (ABI)");
static_assert(alignof(Variant) == 8);
static_assert(std::is_trivially_copyable_v<Variant>);

// ---- operators (evaluated like GDScript; int and float fast paths stay in the guest) --------

namespace variant_detail {
inline bool is_number(const Variant &v) { return v.get_type() == Variant::INT || v.get_type() == Variant::FLOAT; }

inline Variant arith(Variant::Operator op, const Variant &a, const Variant &b) {
	if (a.get_type() == Variant::INT && b.get_type() == Variant::INT) {
		const uint64_t x = uint64_t(a.as_int()), y = uint64_t(b.as_int()); // wrap like Godot
		switch (op) {
			case Variant::OP_ADD: return int64_t(x + y);
			case Variant::OP_SUBTRACT: return int64_t(x - y);
			case Variant::OP_MULTIPLY: return int64_t(x * y);
			default: break;
		}
	} else if (is_number(a) && is_number(b)) {
		const double x = a.as_float(), y = b.as_float();
		switch (op) {
			case Variant::OP_ADD: return x + y;
			case Variant::OP_SUBTRACT: return x - y;
			case Variant::OP_MULTIPLY: return x * y;
			case Variant::OP_DIVIDE: return x / y;
			default: break;
		}
	}
	return Variant::evaluate(op, a, b);
}

inline bool compare(Variant::Operator op, const Variant &a, const Variant &b) {
	if (is_number(a) && is_number(b)) {
		const bool ints = a.get_type() == Variant::INT && b.get_type() == Variant::INT;
		const int c = ints ? (a.as_int() < b.as_int() ? -1 : a.as_int() > b.as_int())
						   : (a.as_float() < b.as_float() ? -1 : a.as_float() > b.as_float());
		switch (op) {
			case Variant::OP_EQUAL: return c == 0;
			case Variant::OP_NOT_EQUAL: return c != 0;
			case Variant::OP_LESS: return c < 0;
			case Variant::OP_LESS_EQUAL: return c <= 0;
			case Variant::OP_GREATER: return c > 0;
			case Variant::OP_GREATER_EQUAL: return c >= 0;
			default: break;
		}
	}
	Variant result;
	if (!Variant::evaluate(op, a, b, result))
		return op == Variant::OP_NOT_EQUAL; // Godot: failed ==/!= compare as false/true
	return result.as_bool();
}

template <typename T>
concept VariantLike = std::constructible_from<Variant, const T &> && !std::same_as<T, Variant>;
} // namespace variant_detail

#define GUEST_VARIANT_ARITH(OP, CODE)                                                                          \
	inline Variant operator OP(const Variant &a, const Variant &b) { return variant_detail::arith(CODE, a, b); } \
	template <std::same_as<Variant> V, variant_detail::VariantLike T>                                          \
	inline Variant operator OP(const V &a, const T &b) { return variant_detail::arith(CODE, a, Variant(b)); }   \
	template <variant_detail::VariantLike T, std::same_as<Variant> V>                                          \
	inline Variant operator OP(const T &a, const V &b) { return variant_detail::arith(CODE, Variant(a), b); }
GUEST_VARIANT_ARITH(+, Variant::OP_ADD)
GUEST_VARIANT_ARITH(-, Variant::OP_SUBTRACT)
GUEST_VARIANT_ARITH(*, Variant::OP_MULTIPLY)
GUEST_VARIANT_ARITH(/, Variant::OP_DIVIDE)
GUEST_VARIANT_ARITH(%, Variant::OP_MODULE)
#undef GUEST_VARIANT_ARITH

#define GUEST_VARIANT_COMPARE(OP, CODE, SWAPPED)                                                            \
	inline bool operator OP(const Variant &a, const Variant &b) { return variant_detail::compare(CODE, a, b); } \
	template <std::same_as<Variant> V, variant_detail::VariantLike T>                                       \
	inline bool operator OP(const V &a, const T &b) { return variant_detail::compare(CODE, a, Variant(b)); } \
	template <variant_detail::VariantLike T, std::same_as<Variant> V>                                       \
	inline bool operator OP(const T &a, const V &b) { return variant_detail::compare(SWAPPED, b, Variant(a)); }
GUEST_VARIANT_COMPARE(==, Variant::OP_EQUAL, Variant::OP_EQUAL)
GUEST_VARIANT_COMPARE(!=, Variant::OP_NOT_EQUAL, Variant::OP_NOT_EQUAL)
GUEST_VARIANT_COMPARE(<, Variant::OP_LESS, Variant::OP_GREATER)
GUEST_VARIANT_COMPARE(<=, Variant::OP_LESS_EQUAL, Variant::OP_GREATER_EQUAL)
GUEST_VARIANT_COMPARE(>, Variant::OP_GREATER, Variant::OP_LESS)
GUEST_VARIANT_COMPARE(>=, Variant::OP_GREATER_EQUAL, Variant::OP_LESS_EQUAL)
#undef GUEST_VARIANT_COMPARE
