// print.hpp - printing to the Godot output, like GDScript's print family.
//
// Every argument is turned into a Variant; at most 63 per call.
#pragma once
#include "variant.hpp"

namespace print_detail {
template <typename... Args>
inline void send(sys::PrintChannel channel, const Args &...args) {
	static_assert(sizeof...(Args) <= sys::MAX_PRINT_ARGS, "at most 63 values per print call");
	const std::array<Variant, sizeof...(Args)> argv{ Variant(args)... };
	if (channel == sys::PrintChannel::PRINT)
		sys::call<sys::PRINT>(argv.data(), argv.size());
	else
		sys::call<sys::PRINT_CHANNEL>(argv.data(), argv.size(), channel);
}
} // namespace print_detail

// One variadic function template per channel, named as in GDScript.
#define GUEST_PRINT_FUNCTION(NAME, CHANNEL)    \
	template <typename... Args>                \
	inline void NAME(const Args &...args) {    \
		print_detail::send(CHANNEL, args...); \
	}
/// Prints the values concatenated, as one line (PRINT): `print("hp = ", hp);`
GUEST_PRINT_FUNCTION(print, sys::PrintChannel::PRINT)
/// Prints the values separated by spaces (GDScript prints()).
GUEST_PRINT_FUNCTION(prints, sys::PrintChannel::SPACED)
/// Prints the values separated by tabs (printt()).
GUEST_PRINT_FUNCTION(printt, sys::PrintChannel::TABBED)
/// Prints without a newline (printraw()).
GUEST_PRINT_FUNCTION(printraw, sys::PrintChannel::RAW)
/// Prints BBCode-formatted text (print_rich()).
GUEST_PRINT_FUNCTION(print_rich, sys::PrintChannel::RICH)
/// Prints to standard error (printerr()).
GUEST_PRINT_FUNCTION(printerr, sys::PrintChannel::ERROR)
/// Prints only in verbose mode (print_verbose()).
GUEST_PRINT_FUNCTION(print_verbose, sys::PrintChannel::VERBOSE)
/// Reports an error in the debugger without stopping (push_error()).
GUEST_PRINT_FUNCTION(push_error, sys::PrintChannel::PUSH_ERROR)
/// Reports a warning in the debugger (push_warning()).
GUEST_PRINT_FUNCTION(push_warning, sys::PrintChannel::PUSH_WARNING)
#undef GUEST_PRINT_FUNCTION
