// scoped_handle.hpp - ScopedHandle<Derived, TYPE>: what String, Array, Dictionary, Callable
// and PackedArray<T> have in common. Each refers to a Variant held in the host by its index.
//
// A handle is nothing but that 32-bit index: 4 bytes and trivially copyable, so an unboxed
// public function receives it in one register (every class checks this with a
// static_assert). Copies refer to the same host value, as in GDScript. A non-negative
// ("scoped") index is valid only until the current call from the host returns. To keep a
// handle in a global for later calls, call make_permanent(); values created during main()
// are permanent already.
//
// The classes derive from it with CRTP, e.g. `class Array : public ScopedHandle<Array,
// Variant::ARRAY>`. It gives them from_index(), index(), the conversion to Variant, call()
// and make_permanent(); the derived class adds the constructors and operations of its type.
#pragma once
#include "variant.hpp"

#include <bit>
#include <cstdint>
#include <string_view>
#include <vector>

template <typename Derived, Variant::Type TYPE>
class ScopedHandle {
public:
	/// The Variant::Type of the host value this handle refers to.
	static constexpr Variant::Type VARIANT_TYPE = TYPE;

	/// Wraps an existing host index of this type (no host call, no check).
	static Derived from_index(int32_t idx) noexcept {
		// A handle is exactly its index (size and trivial copying are asserted by each
		// class, and std::bit_cast checks them again), so no constructor has to run.
		return std::bit_cast<Derived>(idx);
	}
	/// The host Variant index (negative = permanent).
	constexpr int32_t index() const noexcept { return m_idx; }
	/// As a Variant (no host call).
	operator Variant() const { return Variant::from_index(TYPE, m_idx); }

	/// Calls any Godot method of the type, e.g. `s.call("to_upper")`, `arr.call("reverse")`,
	/// `dict.call("duplicate", true)` (VCALL).
	template <typename... Args>
	Variant call(std::string_view method, const Args &...args) const {
		return Variant(*this).call(method, args...);
	}

	/// Keeps this handle valid after the current call (VCLONE to the permanent table); the
	/// index changes. Needed for a handle kept in a global and used by a later call.
	Derived &make_permanent() {
		Variant v(*this);
		v.make_permanent();
		m_idx = v.index();
		return static_cast<Derived &>(*this);
	}

protected:
	/// An invalid handle; the derived constructor sets m_idx.
	constexpr ScopedHandle() noexcept = default;
	/// Adopts a host index.
	explicit constexpr ScopedHandle(int32_t idx) noexcept : m_idx(idx) {}
	/// Adopts the index of `value`, which must hold TYPE; anything else raises a host
	/// TypeError with `mismatch_message`.
	ScopedHandle(const Variant &value, const char *mismatch_message) {
		if (value.get_type() != TYPE)
			sandbox_throw("TypeError", mismatch_message, &value);
		m_idx = value.index();
	}

	/// Creates a host value of TYPE with VCREATE and returns its index. `method` and `data`
	/// depend on the type: for arrays, dictionaries and most packed arrays `method` is the
	/// element count and `data` points to the elements (null when there are none).
	static int32_t create(int64_t method, const void *data) {
		Variant v;
		sys::call<sys::VCREATE>(&v, TYPE, method, data);
		return v.index();
	}

	/// The index as the host reads it from a register (zero-extended 32 bits).
	constexpr uint32_t idx() const noexcept { return static_cast<uint32_t>(m_idx); }

	int32_t m_idx = INT32_MIN;
};

namespace scoped_handle_detail {

/// `container[key]`: reads with `container.get(key)` when converted, writes with
/// `container.set(key, value)` when assigned. Array::Element and Dictionary::Entry.
template <typename Container, typename Key>
class ElementRef {
public:
	operator Variant() const { return m_container.get(m_key); }
	template <typename T>
	operator T() const { return static_cast<T>(Variant(*this)); }
	ElementRef &operator=(const Variant &value) {
		m_container.set(m_key, value);
		return *this;
	}
	ElementRef &operator=(const ElementRef &other) { return *this = Variant(other); }

private:
	friend Container;
	ElementRef(Container container, const Key &key) : m_container(container), m_key(key) {}
	Container m_container;
	Key m_key;
};

/// Every element of a container with size() and get(i), one get() per element.
template <typename T, typename Container>
std::vector<T> to_vector(const Container &container) {
	std::vector<T> out;
	const int64_t n = container.size();
	out.reserve(static_cast<size_t>(n));
	for (int64_t i = 0; i < n; i++)
		out.push_back(container.get(i));
	return out;
}

} // namespace scoped_handle_detail
