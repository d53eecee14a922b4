// string.hpp - String: a Godot String held in the host, referred to by index.
//
// A ScopedHandle (scoped_handle.hpp): 4 bytes, trivially copyable, so it can be a parameter
// of an unboxed public function. Copies refer to the same host String. Indices created
// during a call are valid only until that call returns (see make_permanent()).
#pragma once
#include "scoped_handle.hpp"

class String : public ScopedHandle<String, Variant::STRING> {
public:
	/// A new empty String.
	String() : String(std::string_view()) {}
	/// A new String from UTF-8 text (STRING_CREATE).
	String(std::string_view text)
			: ScopedHandle(static_cast<int32_t>(sys::call<sys::STRING_CREATE>(text.data(), text.size()))) {}
	String(const char *text) : String(std::string_view(text)) {}
	String(const std::string &text) : String(std::string_view(text)) {}
	/// From a STRING Variant (a StringName or NodePath is converted to a new String).
	String(const Variant &value) {
		if (value.get_type() == Variant::STRING)
			m_idx = value.index();
		else if (value.is_string())
			m_idx = String(value.as_std_string()).m_idx;
		else
			sandbox_throw("TypeError", "Variant is not a String", &value);
	}

	/// The text as UTF-8.
	std::string utf8() const { return Variant::text_of_index(m_idx); }
	operator std::string() const { return utf8(); }

	/// Number of characters (STRING_SIZE).
	int64_t length() const { return static_cast<int64_t>(sys::call<sys::STRING_SIZE>(idx())); }
	int64_t size() const { return length(); }
	bool is_empty() const { return length() == 0; }

	/// A new 1-character String at position `i` (negative counts from the end).
	String operator[](int32_t i) const {
		return from_index(static_cast<int32_t>(sys::call<sys::STRING_AT>(idx(), i)));
	}

	/// Appends UTF-8 text in place (STRING_APPEND).
	String &append(std::string_view text) {
		sys::call<sys::STRING_APPEND>(idx(), text.data(), text.size());
		return *this;
	}
	String &append(const char *text) { return append(std::string_view(text)); }
	String &append(const String &other) { return append(std::string_view(other.utf8())); }
	String &operator+=(std::string_view text) { return append(text); }
	String &operator+=(const char *text) { return append(std::string_view(text)); }
	String &operator+=(const String &other) { return append(other); }

	/// A new String: this followed by `other`.
	String operator+(const String &other) const { return String(utf8() + other.utf8()); }
	String operator+(std::string_view other) const {
		std::string text = utf8();
		text += other;
		return String(text);
	}

	bool operator==(const String &other) const { return m_idx == other.m_idx || utf8() == other.utf8(); }
	bool operator==(std::string_view other) const { return std::string_view(utf8()) == other; }
	bool operator==(const char *other) const { return *this == std::string_view(other); }

	// call(method, args...) runs any Godot String method, e.g. `s.call("find", "x")`.
	String to_upper() const { return call("to_upper"); }
	String to_lower() const { return call("to_lower"); }
	int64_t find(std::string_view what) const { return call("find", what).as_int(); }
	bool contains(std::string_view what) const { return call("contains", what).as_bool(); }
};
static_assert(sizeof(String) == 4 && std::is_trivially_copyable_v<String>);

/// Godot's str(...): concatenates the text form of every argument into a new String.
template <typename... Args>
inline String str(const Args &...args) {
	static_assert(sizeof...(Args) >= 1 && sizeof...(Args) <= 63);
	const std::array<Variant, sizeof...(Args)> argv{ Variant(args)... };
	Variant result;
	sys::call<sys::UTILITY>(sys::UtilityOp::STR, &result, argv.data(), argv.size());
	return String(result);
}
