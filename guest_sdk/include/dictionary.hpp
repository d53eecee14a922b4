// dictionary.hpp - Dictionary: a Godot Dictionary held in the host, referred to by index.
//
// 4 bytes, trivially copyable; copies share the same host Dictionary.
#pragma once
#include "array.hpp"
#include "variant.hpp"

#include <initializer_list>
#include <utility>

class Dictionary {
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
	Dictionary(const Variant *keys_and_values, size_t count) {
		Variant v;
		sys::call<sys::VCREATE>(&v, Variant::DICTIONARY, static_cast<int64_t>(count), count ? keys_and_values : nullptr);
		m_idx = v.index();
	}
	/// From a DICTIONARY Variant.
	Dictionary(const Variant &value) {
		if (value.get_type() != Variant::DICTIONARY)
			sandbox_throw("TypeError", "Variant is not a Dictionary", &value);
		m_idx = value.index();
	}

	static Dictionary from_index(int32_t idx) {
		Dictionary d(NoCreate{});
		d.m_idx = idx;
		return d;
	}
	int32_t index() const noexcept { return m_idx; }
	operator Variant() const { return Variant::from_index(Variant::DICTIONARY, m_idx); }

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
	Array keys() const {
		Variant out;
		sys::call<sys::DICTIONARY_OPS>(sys::DictionaryOp::GET_KEYS, idx(), &out);
		return Array(out);
	}
	/// All values, as a new Array.
	Array values() const {
		Variant out;
		sys::call<sys::DICTIONARY_OPS>(sys::DictionaryOp::GET_VALUES, idx(), &out);
		return Array(out);
	}

	/// `dict[key]` reads, `dict[key] = v` writes.
	class Entry {
	public:
		operator Variant() const { return Dictionary::from_index(m_dict).get(m_key); }
		Entry &operator=(const Variant &value) {
			Dictionary::from_index(m_dict).set(m_key, value);
			return *this;
		}
		Entry &operator=(const Entry &other) { return *this = Variant(other); }
		template <typename T>
		operator T() const { return static_cast<T>(Variant(*this)); }

	private:
		friend class Dictionary;
		Entry(int32_t dict, const Variant &key) : m_dict(dict), m_key(key) {}
		int32_t m_dict;
		Variant m_key;
	};
	Entry operator[](const Variant &key) { return Entry(m_idx, key); }
	Variant operator[](const Variant &key) const { return get(key); }

	/// Calls any Godot Dictionary method, e.g. `dict.call("duplicate", true)`.
	template <typename... Args>
	Variant call(std::string_view method, const Args &...args) const {
		return Variant(*this).call(method, args...);
	}

	/// Keeps this Dictionary valid after the current call.
	Dictionary &make_permanent() {
		Variant v(*this);
		v.make_permanent();
		m_idx = v.index();
		return *this;
	}

private:
	struct NoCreate {};
	explicit Dictionary(NoCreate) noexcept {}
	uint32_t idx() const noexcept { return static_cast<uint32_t>(m_idx); }
	int32_t m_idx = INT32_MIN;
};
static_assert(sizeof(Dictionary) == 4 && std::is_trivially_copyable_v<Dictionary>);
