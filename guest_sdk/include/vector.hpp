// vector.hpp - Godot's by-value math types, laid out as the host stores them inside a
// Variant payload (float components, real_t = float; int components are int32).
// These are plain structs: they are copied into and out of a Variant with no host call.
#pragma once
#include <cmath>
#include <cstdint>

/// 2D vector of floats (Variant type VECTOR2, 8 bytes).
struct Vector2 {
	float x = 0, y = 0;

	constexpr Vector2() = default;
	constexpr Vector2(float x_, float y_) : x(x_), y(y_) {}

	/// Length of the vector.
	float length() const { return std::sqrt(x * x + y * y); }
	/// Squared length (no square root).
	constexpr float length_squared() const { return x * x + y * y; }
	/// Unit vector in the same direction, or (0, 0) for a zero vector.
	Vector2 normalized() const {
		const float len = length();
		return len > 0 ? Vector2(x / len, y / len) : Vector2();
	}
	/// Dot product.
	constexpr float dot(Vector2 o) const { return x * o.x + y * o.y; }

	constexpr Vector2 operator+(Vector2 o) const { return { x + o.x, y + o.y }; }
	constexpr Vector2 operator-(Vector2 o) const { return { x - o.x, y - o.y }; }
	constexpr Vector2 operator*(float s) const { return { x * s, y * s }; }
	constexpr Vector2 operator/(float s) const { return { x / s, y / s }; }
	constexpr Vector2 operator-() const { return { -x, -y }; }
	constexpr Vector2 &operator+=(Vector2 o) { return *this = *this + o; }
	constexpr Vector2 &operator-=(Vector2 o) { return *this = *this - o; }
	constexpr Vector2 &operator*=(float s) { return *this = *this * s; }
	constexpr bool operator==(const Vector2 &) const = default;
};

/// 2D vector of int32 (VECTOR2I).
struct Vector2i {
	int32_t x = 0, y = 0;
	constexpr Vector2i() = default;
	constexpr Vector2i(int32_t x_, int32_t y_) : x(x_), y(y_) {}
	constexpr Vector2i operator+(Vector2i o) const { return { x + o.x, y + o.y }; }
	constexpr Vector2i operator-(Vector2i o) const { return { x - o.x, y - o.y }; }
	constexpr bool operator==(const Vector2i &) const = default;
};

/// 3D vector of floats (VECTOR3, 12 bytes).
struct Vector3 {
	float x = 0, y = 0, z = 0;

	constexpr Vector3() = default;
	constexpr Vector3(float x_, float y_, float z_) : x(x_), y(y_), z(z_) {}

	float length() const { return std::sqrt(x * x + y * y + z * z); }
	constexpr float length_squared() const { return x * x + y * y + z * z; }
	Vector3 normalized() const {
		const float len = length();
		return len > 0 ? Vector3(x / len, y / len, z / len) : Vector3();
	}
	constexpr float dot(Vector3 o) const { return x * o.x + y * o.y + z * o.z; }
	constexpr Vector3 cross(Vector3 o) const {
		return { y * o.z - z * o.y, z * o.x - x * o.z, x * o.y - y * o.x };
	}

	constexpr Vector3 operator+(Vector3 o) const { return { x + o.x, y + o.y, z + o.z }; }
	constexpr Vector3 operator-(Vector3 o) const { return { x - o.x, y - o.y, z - o.z }; }
	constexpr Vector3 operator*(float s) const { return { x * s, y * s, z * s }; }
	constexpr Vector3 operator/(float s) const { return { x / s, y / s, z / s }; }
	constexpr Vector3 operator-() const { return { -x, -y, -z }; }
	constexpr Vector3 &operator+=(Vector3 o) { return *this = *this + o; }
	constexpr Vector3 &operator-=(Vector3 o) { return *this = *this - o; }
	constexpr Vector3 &operator*=(float s) { return *this = *this * s; }
	constexpr bool operator==(const Vector3 &) const = default;
};

/// 3D vector of int32 (VECTOR3I).
struct Vector3i {
	int32_t x = 0, y = 0, z = 0;
	constexpr Vector3i() = default;
	constexpr Vector3i(int32_t x_, int32_t y_, int32_t z_) : x(x_), y(y_), z(z_) {}
	constexpr Vector3i operator+(Vector3i o) const { return { x + o.x, y + o.y, z + o.z }; }
	constexpr Vector3i operator-(Vector3i o) const { return { x - o.x, y - o.y, z - o.z }; }
	constexpr bool operator==(const Vector3i &) const = default;
};

/// 4D vector of floats (VECTOR4).
struct Vector4 {
	float x = 0, y = 0, z = 0, w = 0;
	constexpr Vector4() = default;
	constexpr Vector4(float x_, float y_, float z_, float w_) : x(x_), y(y_), z(z_), w(w_) {}
	constexpr bool operator==(const Vector4 &) const = default;
};

/// 4D vector of int32 (VECTOR4I).
struct Vector4i {
	int32_t x = 0, y = 0, z = 0, w = 0;
	constexpr Vector4i() = default;
	constexpr Vector4i(int32_t x_, int32_t y_, int32_t z_, int32_t w_) : x(x_), y(y_), z(z_), w(w_) {}
	constexpr bool operator==(const Vector4i &) const = default;
};

namespace vector_detail {
/// What Rect2 and Rect2i share: position, then size (vectors V with components S).
template <typename V, typename S>
struct Rect {
	V position, size;
	constexpr Rect() = default;
	constexpr Rect(V p, V s) : position(p), size(s) {}
	constexpr Rect(S x, S y, S w, S h) : position(x, y), size(w, h) {}
	constexpr bool operator==(const Rect &) const = default;
};
} // namespace vector_detail

/// Axis-aligned rectangle of floats (RECT2): position, then size.
struct Rect2 : vector_detail::Rect<Vector2, float> {
	using Rect::Rect;
	/// True if `p` lies inside (right/bottom edges excluded, as in Godot).
	constexpr bool has_point(Vector2 p) const {
		return p.x >= position.x && p.y >= position.y && p.x < position.x + size.x &&
				p.y < position.y + size.y;
	}
};

/// Axis-aligned rectangle of int32 (RECT2I): position, then size.
struct Rect2i : vector_detail::Rect<Vector2i, int32_t> {
	using Rect::Rect;
};

/// RGBA color, float components (COLOR).
struct Color {
	float r = 0, g = 0, b = 0, a = 1;
	constexpr Color() = default;
	constexpr Color(float r_, float g_, float b_, float a_ = 1.0f) : r(r_), g(g_), b(b_), a(a_) {}
	constexpr bool operator==(const Color &) const = default;
};

/// Plane: normal, then distance from the origin (PLANE).
struct Plane {
	Vector3 normal;
	float d = 0;
	constexpr Plane() = default;
	constexpr Plane(Vector3 n, float d_) : normal(n), d(d_) {}
	constexpr Plane(float a, float b, float c, float d_) : normal(a, b, c), d(d_) {}
	/// Signed distance from the plane to `p`.
	constexpr float distance_to(Vector3 p) const { return normal.dot(p) - d; }
	constexpr bool operator==(const Plane &) const = default;
};

static_assert(sizeof(Vector2) == 8 && sizeof(Vector2i) == 8);
static_assert(sizeof(Vector3) == 12 && sizeof(Vector3i) == 12);
static_assert(sizeof(Vector4) == 16 && sizeof(Vector4i) == 16);
static_assert(sizeof(Rect2) == 16 && sizeof(Rect2i) == 16);
static_assert(sizeof(Color) == 16 && sizeof(Plane) == 16);
