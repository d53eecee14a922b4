// packed_array.hpp - PackedArray<T>: Godot's packed arrays, held in the host.
//
//   PackedArray<uint8_t>     PackedByteArray      PackedArray<int32_t>  PackedInt32Array
//   PackedArray<int64_t>     PackedInt64Array     PackedArray<float>    PackedFloat32Array
//   PackedArray<double>      PackedFloat64Array   PackedArray<Vector2>  PackedVector2Array
//   PackedArray<Vector3>     PackedVector3Array   PackedArray<Vector4>  PackedVector4Array
//   PackedArray<Color>       PackedColorArray     PackedArray<std::string> PackedStringArray
//
// A ScopedHandle (scoped_handle.hpp): 4 bytes, trivially copyable. Creating and replacing
// the contents copies guest memory into the host (VCREATE/VSTORE). Reading goes element by
// element through Godot methods (size/get), so the guest never has to free memory the host
// allocated.
#pragma once
#include "scoped_handle.hpp"

#include <initializer_list>
#include <string>
#include <vector>

namespace packed_detail {
template <typename T> struct Kind;
template <> struct Kind<uint8_t> { static constexpr Variant::Type type = Variant::PACKED_BYTE_ARRAY; };
template <> struct Kind<int32_t> { static constexpr Variant::Type type = Variant::PACKED_INT32_ARRAY; };
template <> struct Kind<int64_t> { static constexpr Variant::Type type = Variant::PACKED_INT64_ARRAY; };
template <> struct Kind<float> { static constexpr Variant::Type type = Variant::PACKED_FLOAT32_ARRAY; };
template <> struct Kind<double> { static constexpr Variant::Type type = Variant::PACKED_FLOAT64_ARRAY; };
template <> struct Kind<Vector2> { static constexpr Variant::Type type = Variant::PACKED_VECTOR2_ARRAY; };
template <> struct Kind<Vector3> { static constexpr Variant::Type type = Variant::PACKED_VECTOR3_ARRAY; };
template <> struct Kind<Vector4> { static constexpr Variant::Type type = Variant::PACKED_VECTOR4_ARRAY; };
template <> struct Kind<Color> { static constexpr Variant::Type type = Variant::PACKED_COLOR_ARRAY; };
template <> struct Kind<std::string> { static constexpr Variant::Type type = Variant::PACKED_STRING_ARRAY; };

/// The {begin, end, capacity_end} triple of a std::vector, as the host reads one.
struct VectorView {
	const void *begin, *end, *capacity_end;
};

/// PACKED_STRING_ARRAY items as the host reads them: one {pointer, length} per string.
inline std::vector<sys::Buffer> string_buffers(const std::string *data, size_t count) {
	std::vector<sys::Buffer> items;
	items.reserve(count);
	for (size_t i = 0; i < count; i++)
		items.push_back({ data[i].data(), data[i].size() });
	return items;
}

template <typename T>
T from_variant(const Variant &v) {
	if constexpr (std::is_same_v<T, std::string>) return v.as_std_string();
	else if constexpr (std::is_integral_v<T>) return static_cast<T>(v.as_int());
	else if constexpr (std::is_floating_point_v<T>) return static_cast<T>(v.as_float());
	else if constexpr (std::is_same_v<T, Vector2>) return v.as_vector2();
	else if constexpr (std::is_same_v<T, Vector3>) return v.as_vector3();
	else if constexpr (std::is_same_v<T, Vector4>) return v.as_vector4();
	else return v.as_color();
}
} // namespace packed_detail

template <typename T>
class PackedArray : public ScopedHandle<PackedArray<T>, packed_detail::Kind<T>::type> {
	using Base = ScopedHandle<PackedArray<T>, packed_detail::Kind<T>::type>;
	using Base::m_idx;

public:
	static constexpr Variant::Type TYPE = Base::VARIANT_TYPE;

	/// A new empty packed array.
	PackedArray() : PackedArray(static_cast<const T *>(nullptr), 0) {}
	/// A new packed array with a copy of `count` elements.
	PackedArray(const T *data, size_t count) : Base(create(data, count)) {}
	PackedArray(const std::vector<T> &values) : PackedArray(values.data(), values.size()) {}
	PackedArray(std::initializer_list<T> values) : PackedArray(values.begin(), values.size()) {}
	/// From a Variant of the matching packed type.
	PackedArray(const Variant &value) : Base(value, "Variant is not the expected packed array type") {}

	int64_t size() const { return this->call("size").as_int(); }
	bool is_empty() const { return size() == 0; }
	T get(int64_t i) const { return packed_detail::from_variant<T>(this->call("get", i)); }
	T operator[](int64_t i) const { return get(i); }
	void set(int64_t i, const T &value) { this->call("set", i, Variant(value)); }
	void push_back(const T &value) { this->call("push_back", Variant(value)); }

	/// Replaces the contents with a copy of `count` elements (VSTORE); this object may
	/// get a new index.
	void assign(const T *data, size_t count) {
		uint32_t idx = this->idx();
		if constexpr (TYPE == Variant::PACKED_STRING_ARRAY) {
			const std::vector<sys::Buffer> items = packed_detail::string_buffers(data, count);
			sys::call<sys::VSTORE>(&idx, TYPE, items.data(), count | (uint64_t(1) << 31)); // bit 31: {ptr, len} items
		} else {
			sys::call<sys::VSTORE>(&idx, TYPE, data, count);
		}
		m_idx = static_cast<int32_t>(idx);
	}
	void assign(const std::vector<T> &values) { assign(values.data(), values.size()); }

	/// A copy of every element.
	std::vector<T> to_vector() const { return scoped_handle_detail::to_vector<T>(*this); }

private:
	static int32_t create(const T *data, size_t count) {
		if constexpr (TYPE == Variant::PACKED_COLOR_ARRAY) {
			// Colors are read from a std::vector<Color> layout.
			const packed_detail::VectorView view{ data, data + count, data + count };
			return Base::create(0, &view);
		} else if constexpr (TYPE == Variant::PACKED_STRING_ARRAY) {
			// Strings are read from a std::vector of {ptr, len} (method -2).
			const std::vector<sys::Buffer> items = packed_detail::string_buffers(data, count);
			const packed_detail::VectorView view{ items.data(), items.data() + count, items.data() + count };
			return Base::create(-2, &view);
		} else {
			return Base::create(static_cast<int64_t>(count), count ? data : nullptr);
		}
	}
};

using PackedByteArray = PackedArray<uint8_t>;
using PackedInt32Array = PackedArray<int32_t>;
using PackedInt64Array = PackedArray<int64_t>;
using PackedFloat32Array = PackedArray<float>;
using PackedFloat64Array = PackedArray<double>;
using PackedVector2Array = PackedArray<Vector2>;
using PackedVector3Array = PackedArray<Vector3>;
using PackedVector4Array = PackedArray<Vector4>;
using PackedColorArray = PackedArray<Color>;
using PackedStringArray = PackedArray<std::string>;
static_assert(sizeof(PackedStringArray) == 4 && std::is_trivially_copyable_v<PackedStringArray>);
