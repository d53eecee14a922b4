// dictionary.hpp - Dictionary: a Godot Dictionary held in the host, referred to by index.
//
// A ScopedHandle (scoped_handle.hpp): 4 bytes, trivially copyable; copies share the same
// host Dictionary.
#pragma once
#include "array.hpp"
#include "scoped_handle.hpp"

#include <initializer_list>
#include <utility>

class Dictionary : public ScopedHandle<Dictionary, Variant::DICTIONARY> {
public:
	/// A new empty Dictionary.
	Dictionary() : Dictionary(nullptr, 0) {}
	/// A new Dictionary: `Dictionary{{"hp", 10}, {"name", "Slime"}}`.
	Dictionary(std::initializer_list<std::pair<Variant, Variant>> entries) {
		// VCREATE reads key, value, key, value, ... ; std::pair<Variant, Variant> is exactly that.
		static_assert(sizeof(std::pair<Variant, Variant>) == 2 * sizeof(Variant));
		*this = Dictionary(reinterpret_cast<const Variant *>(entries.begin()), entries.size() * 2);
	}
	/// From an ARRAY of key, value, key, value... (`count` Variants, even, at most 1024).
	Dictionary(const Variant *keys_and_values, size_t count)
			: ScopedHandle(create(static_cast<int64_t>(count), count ? keys_and_values : nullptr)) {}
	/// From a DICTIONARY Variant.
	Dictionary(const Variant &value) : ScopedHandle(value, "Variant is not a Dictionary") {}

	/// The value for `key`, or Nil if missing.
	Variant get(const Variant &key) const {
		Variant out;
		sys::call<sys::DICTIONARY_OPS>(sys::DictionaryOp::GET, idx(), &key, &out);
		return out;
	}
	/// Sets `key` to `value`.
	void set(const Variant &key, const Variant &value) {
		sys::call<sys::DICTIONARY_OPS>(sys::DictionaryOp::SET, idx(), &key, &value);
	}
	/// The value for `key`; if missing (Nil), stores and returns `fallback`.
	Variant get_or_add(const Variant &key, const Variant &fallback) {
		Variant out;
		sys::call<sys::DICTIONARY_OPS>(sys::DictionaryOp::GET_OR_ADD, idx(), &key, &out, &fallback);
		return out;
	}
	bool has(const Variant &key) const {
		return (sys::call<sys::DICTIONARY_OPS>(sys::DictionaryOp::HAS, idx(), &key) & 0xFF) != 0;
	}
	void erase(const Variant &key) { sys::call<sys::DICTIONARY_OPS>(sys::DictionaryOp::ERASE, idx(), &key); }
	int64_t size() const { return static_cast<int64_t>(sys::call<sys::DICTIONARY_OPS>(sys::DictionaryOp::GET_SIZE, idx())); }
	bool is_empty() const { return size() == 0; }
	void clear() { sys::call<sys::DICTIONARY_OPS>(sys::DictionaryOp::CLEAR, idx()); }
	/// Adds the entries of `other` (existing keys are kept, as Godot's merge()).
	void merge(const Dictionary &other) {
		const Variant v(other);
		sys::call<sys::DICTIONARY_OPS>(sys::DictionaryOp::MERGE, idx(), &v);
	}
	/// All keys, as a new Array.
	Array keys() const { return array_op(sys::DictionaryOp::GET_KEYS); }
	/// All values, as a new Array.
	Array values() const { return array_op(sys::DictionaryOp::GET_VALUES); }

	/// `dict[key]` reads, `dict[key] = v` writes.
	using Entry = scoped_handle_detail::ElementRef<Dictionary, Variant>;
	Entry operator[](const Variant &key) { return Entry(*this, key); }
	Variant operator[](const Variant &key) const { return get(key); }

	// call(method, args...) runs any Godot Dictionary method, e.g. `dict.call("duplicate", true)`.

private:
	Array array_op(sys::DictionaryOp op) const {
		Variant out;
		sys::call<sys::DICTIONARY_OPS>(op, idx(), &out);
		return Array(out);
	}
};
static_assert(sizeof(Dictionary) == 4 && std::is_trivially_copyable_v<Dictionary>);
