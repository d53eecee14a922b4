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

/// Prints the values concatenated, as one line (PRINT): `print("hp = ", hp);`
template <typename... Args>
inline void print(const Args &...args) { print_detail::send(sys::PrintChannel::PRINT, args...); }
/// Prints the values separated by spaces (GDScript prints()).
template <typename... Args>
inline void prints(const Args &...args) { print_detail::send(sys::PrintChannel::SPACED, args...); }
/// Prints the values separated by tabs (printt()).
template <typename... Args>
inline void printt(const Args &...args) { print_detail::send(sys::PrintChannel::TABBED, args...); }
/// Prints without a newline (printraw()).
template <typename... Args>
inline void printraw(const Args &...args) { print_detail::send(sys::PrintChannel::RAW, args...); }
/// Prints BBCode-formatted text (print_rich()).
template <typename... Args>
inline void print_rich(const Args &...args) { print_detail::send(sys::PrintChannel::RICH, args...); }
/// Prints to standard error (printerr()).
template <typename... Args>
inline void printerr(const Args &...args) { print_detail::send(sys::PrintChannel::ERROR, args...); }
/// Prints only in verbose mode (print_verbose()).
template <typename... Args>
inline void print_verbose(const Args &...args) { print_detail::send(sys::PrintChannel::VERBOSE, args...); }
/// Reports an error in the debugger without stopping (push_error()).
template <typename... Args>
inline void push_error(const Args &...args) { print_detail::send(sys::PrintChannel::PUSH_ERROR, args...); }
/// Reports a warning in the debugger (push_warning()).
template <typename... Args>
inline void push_warning(const Args &...args) { print_detail::send(sys::PrintChannel::PUSH_WARNING, args...); }
