// array.hpp - Array: a Godot Array held in the host, referred to by index.
//
// 4 bytes, trivially copyable (unboxed functions receive it in one register). Copies share
// the same host Array, as in GDScript.
#pragma once
#include "variant.hpp"

#include <initializer_list>
#include <vector>

class Array {
public:
	/// A new empty Array.
	Array() : Array(static_cast<const Variant *>(nullptr), 0) {}
	/// A new Array holding these values: `Array{1, "two", Vector2(3, 4)}`.
	Array(std::initializer_list<Variant> values) : Array(values.begin(), values.size()) {}
	/// A new Array holding copies of `count` Variants (VCREATE with a count).
	Array(const Variant *values, size_t count) {
		Variant v;
		sys::call<sys::VCREATE>(&v, Variant::ARRAY, static_cast<int64_t>(count), count ? values : nullptr);
		m_idx = v.index();
	}
	Array(const std::vector<Variant> &values) : Array(values.data(), values.size()) {}
	/// A new Array with `size` Nil elements (ARRAY_OPS CREATE).
	static Array sized(int64_t size) {
		Variant v;
		sys::call<sys::ARRAY_OPS>(sys::ArrayOp::CREATE, size, 0, &v);
		return from_index(v.index());
	}
	/// From an ARRAY Variant.
	Array(const Variant &value) {
		if (value.get_type() != Variant::ARRAY)
			sandbox_throw("TypeError", "Variant is not an Array", &value);
		m_idx = value.index();
	}

	static Array from_index(int32_t idx) {
		Array a(NoCreate{});
		a.m_idx = idx;
		return a;
	}
	int32_t index() const noexcept { return m_idx; }
	operator Variant() const { return Variant::from_index(Variant::ARRAY, m_idx); }

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
	class Element {
	public:
		operator Variant() const { return Array::from_index(m_array).get(m_i); }
		Element &operator=(const Variant &value) {
			Array::from_index(m_array).set(m_i, value);
			return *this;
		}
		Element &operator=(const Element &other) { return *this = Variant(other); }
		template <typename T>
		operator T() const { return static_cast<T>(Variant(*this)); }

	private:
		friend class Array;
		Element(int32_t array, int32_t i) : m_array(array), m_i(i) {}
		int32_t m_array;
		int32_t m_i;
	};
	Element operator[](int32_t i) { return Element(m_idx, i); }
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
	std::vector<Variant> to_vector() const {
		std::vector<Variant> out;
		const int64_t n = size();
		out.reserve(static_cast<size_t>(n));
		for (int64_t i = 0; i < n; i++)
			out.push_back(get(static_cast<int32_t>(i)));
		return out;
	}

	/// Calls any Godot Array method, e.g. `arr.call("reverse")`.
	template <typename... Args>
	Variant call(std::string_view method, const Args &...args) const {
		return Variant(*this).call(method, args...);
	}

	/// Keeps this Array valid after the current call.
	Array &make_permanent() {
		Variant v(*this);
		v.make_permanent();
		m_idx = v.index();
		return *this;
	}

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
	struct NoCreate {};
	explicit Array(NoCreate) noexcept {}
	uint32_t idx() const noexcept { return static_cast<uint32_t>(m_idx); }
	void op(sys::ArrayOp o, int64_t arg, const Variant *value) const {
		sys::call<sys::ARRAY_OPS>(o, idx(), arg, value);
	}
	Variant op_result(sys::ArrayOp o, int64_t arg) {
		Variant out;
		sys::call<sys::ARRAY_OPS>(o, idx(), arg, &out);
		return out;
	}
	int32_t m_idx = INT32_MIN;
};
static_assert(sizeof(Array) == 4 && std::is_trivially_copyable_v<Array>);
