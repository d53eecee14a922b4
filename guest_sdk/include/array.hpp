// array.hpp - Array: a Godot Array held in the host, referred to by index.
//
// A ScopedHandle (scoped_handle.hpp): 4 bytes, trivially copyable (unboxed functions
// receive it in one register). Copies share the same host Array, as in GDScript.
#pragma once
#include "scoped_handle.hpp"

#include <initializer_list>
#include <vector>

class Array : public ScopedHandle<Array, Variant::ARRAY> {
public:
	/// A new empty Array.
	Array() : Array(static_cast<const Variant *>(nullptr), 0) {}
	/// A new Array holding these values: `Array{1, "two", Vector2(3, 4)}`.
	Array(std::initializer_list<Variant> values) : Array(values.begin(), values.size()) {}
	/// A new Array holding copies of `count` Variants (VCREATE with a count).
	Array(const Variant *values, size_t count)
			: ScopedHandle(create(static_cast<int64_t>(count), count ? values : nullptr)) {}
	Array(const std::vector<Variant> &values) : Array(values.data(), values.size()) {}
	/// A new Array with `size` Nil elements (ARRAY_OPS CREATE).
	static Array sized(int64_t size) {
		Variant v;
		sys::call<sys::ARRAY_OPS>(sys::ArrayOp::CREATE, size, 0, &v);
		return from_index(v.index());
	}
	/// From an ARRAY Variant.
	Array(const Variant &value) : ScopedHandle(value, "Variant is not an Array") {}

	/// Number of elements (ARRAY_SIZE).
	int64_t size() const { return static_cast<int64_t>(sys::call<sys::ARRAY_SIZE>(idx())); }
	bool is_empty() const { return size() == 0; }

	/// Element `i` (0-based; out of bounds is a host error).
	Variant get(int32_t i) const {
		Variant v;
		sys::call<sys::ARRAY_AT>(idx(), i, &v);
		return v;
	}
	/// Sets element `i` (ARRAY_AT with index -i-1).
	void set(int32_t i, const Variant &value) { sys::call<sys::ARRAY_AT>(idx(), -i - 1, &value); }

	/// `arr[i]` reads, `arr[i] = v` writes.
	using Element = scoped_handle_detail::ElementRef<Array, int32_t>;
	Element operator[](int32_t i) { return Element(*this, i); }
	Variant operator[](int32_t i) const { return get(i); }

	void push_back(const Variant &value) { op(sys::ArrayOp::PUSH_BACK, 0, &value); }
	void append(const Variant &value) { push_back(value); }
	void push_front(const Variant &value) { op(sys::ArrayOp::PUSH_FRONT, 0, &value); }
	/// Removes and returns the element at `i`.
	Variant pop_at(int32_t i) { return op_result(sys::ArrayOp::POP_AT, i); }
	Variant pop_back() { return op_result(sys::ArrayOp::POP_BACK, 0); }
	Variant pop_front() { return op_result(sys::ArrayOp::POP_FRONT, 0); }
	void insert(int32_t i, const Variant &value) { op(sys::ArrayOp::INSERT, i, &value); }
	/// Removes the first element equal to `value`.
	void erase(const Variant &value) { op(sys::ArrayOp::ERASE, 0, &value); }
	void resize(int64_t new_size) { op(sys::ArrayOp::RESIZE, new_size, nullptr); }
	void clear() { op(sys::ArrayOp::CLEAR, 0, nullptr); }
	void sort() { op(sys::ArrayOp::SORT, 0, nullptr); }
	/// True if an element equals `value`.
	bool has(const Variant &value) const {
		Variant io = value; // in: the value; out: the bool answer
		sys::call<sys::ARRAY_OPS>(sys::ArrayOp::HAS, idx(), 0, &io);
		return io.as_bool();
	}

	/// Copies every element into a std::vector (one ARRAY_AT per element).
	std::vector<Variant> to_vector() const { return scoped_handle_detail::to_vector<Variant>(*this); }

	// call(method, args...) runs any Godot Array method, e.g. `arr.call("reverse")`.

	/// Read-only iteration: `for (Variant v : arr)`. The size is read once.
	class Iterator {
	public:
		Variant operator*() const { return Array::from_index(m_array).get(m_i); }
		Iterator &operator++() {
			m_i++;
			return *this;
		}
		bool operator!=(const Iterator &o) const { return m_i != o.m_i; }

	private:
		friend class Array;
		Iterator(int32_t array, int32_t i) : m_array(array), m_i(i) {}
		int32_t m_array;
		int32_t m_i;
	};
	Iterator begin() const { return Iterator(m_idx, 0); }
	Iterator end() const { return Iterator(m_idx, static_cast<int32_t>(size())); }

private:
	void op(sys::ArrayOp o, int64_t arg, const Variant *value) const {
		sys::call<sys::ARRAY_OPS>(o, idx(), arg, value);
	}
	Variant op_result(sys::ArrayOp o, int64_t arg) {
		Variant out;
		sys::call<sys::ARRAY_OPS>(o, idx(), arg, &out);
		return out;
	}
};
static_assert(sizeof(Array) == 4 && std::is_trivially_copyable_v<Array>);
