// api.hpp - the whole guest API. Include this one header in game code:
//
//   #include <api.hpp>
//   PUBLIC Variant hello(Variant name) { print("Hello, ", name, "!"); return Nil; }
//   int main() { ADD_FUNCTION(hello, "void", "String name"); halt(); }
//
// Headers: syscalls.hpp (system calls, halt, is_editor), vector.hpp (Vector2..., Color,
// Plane, Rect2), variant.hpp (Variant, sandbox_throw), scoped_handle.hpp (the common base
// of the handles below), string.hpp, array.hpp, dictionary.hpp, packed_array.hpp,
// object.hpp, node.hpp, callable.hpp, print.hpp, public_api.hpp (PUBLIC, add_function,
// add_property).
#pragma once
#include "syscalls.hpp"
#include "vector.hpp"
#include "variant.hpp"
#include "scoped_handle.hpp"
#include "string.hpp"
#include "array.hpp"
#include "dictionary.hpp"
#include "packed_array.hpp"
#include "object.hpp"
#include "node.hpp"
#include "callable.hpp"
#include "print.hpp"
#include "public_api.hpp"

/// The Nil Variant, for `return Nil;`.
inline constexpr Variant Nil{};
