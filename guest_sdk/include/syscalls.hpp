// syscalls.hpp - system call numbers, sub-operation enums and the ecall wrappers.
//
// Everything here follows docs/guest-abi.md (the godot-sandbox guest ABI):
//   * the system call number goes in a7, arguments in a0..a6, then `ecall`;
//   * the result comes back in a0;
//   * 32-bit values are passed sign-extended, as the RISC-V psABI does.
// Game code normally does not use this header directly; the classes in
// variant.hpp, string.hpp, array.hpp, ... wrap every call it needs.
#pragma once
#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace sys {

// The numbers below are fixed by the ABI. Where they are consecutive the enums list them
// five to a line, and the first name of each line states its value, so any number can be
// read off by counting at most four names.

/// Godot system call numbers (GAME_API_BASE = 500).
enum Call : unsigned {
	PRINT = 500, VCALL, VEVAL, VASSIGN, GET_OBJ,
	OBJ = 505, OBJ_CALLP, GET_NODE, NODE, NODE2D,
	NODE3D = 510, THROW, IS_EDITOR, SINCOS, VEC2_LENGTH,
	VEC2_NORMALIZED = 515, VEC2_ROTATED, VCREATE, VCLONE, VFETCH,
	VSTORE = 520, ARRAY_OPS, ARRAY_AT, ARRAY_SIZE, DICTIONARY_OPS,
	STRING_CREATE = 525, STRING_OPS, STRING_AT, STRING_SIZE, STRING_APPEND,
	TIMER_PERIODIC = 530, TIMER_STOP, NODE_CREATE, MATH_OP32, MATH_OP64,
	LERP_OP32 = 535, LERP_OP64, VEC3_OPS, CALLABLE_CREATE, LOAD,
	TRANSFORM_2D_OPS = 540, TRANSFORM_3D_OPS, BASIS_OPS, VEC2_OPS, QUAT_OPS,
	OBJ_PROP_GET = 545, OBJ_PROP_SET, SANDBOX_ADD, PACKED_ARRAY_OPS, UTILITY,
	PRINT_CHANNEL = 550, BREAKPOINT, AWAIT, AWAIT_RESTORE, CALL_GUEST,
	VSCOPE = 555, OBJ_RETAIN, STRING_BATCH, VCONSTRUCT, VSTORE_GLOBAL,
	CLASS_BIND = 560, VCALL_SUPER, VARIANT_GET,
	LAST = 563, ///< not a system call
};
static_assert(VARIANT_GET + 1 == LAST, "the system call numbers are consecutive");

/// libriscv native heap/memory calls (480..499).
enum NativeCall : unsigned {
	NATIVE_MALLOC = 480, NATIVE_CALLOC, NATIVE_REALLOC, NATIVE_FREE, NATIVE_MEMINFO,
	NATIVE_MEMCPY = 485, NATIVE_MEMSET, NATIVE_MEMMOVE, NATIVE_MEMCMP,
	NATIVE_STRLEN = 490, NATIVE_STRCMP,
	NATIVE_BACKTRACE = 499,
};

/// SANDBOX_ADD (547) sub-operations, passed in a0.
enum class SandboxAdd : int {
	ADD_PROPERTY = 0,      ///< a1/a2 name, a3 type, a4 setter, a5 getter, a6 V* default (or storage)
	ADD_METHOD = 1,        ///< a1/a2 name, a3 address, a4 -> MethodExtra
	SET_EXIT_ADDRESS = 2,  ///< a1 address
	ADD_PROPERTY_HINT = 3, ///< a1/a2 name, a3 hint, a4/a5 hint string, a6 usage
};

/// OBJ (505) sub-operations.
enum class ObjectOp : int {
	GET_METHOD_LIST = 0, GET, SET, GET_PROPERTY_LIST, CONNECT,
	DISCONNECT = 5, GET_SIGNAL_LIST,
};

/// NODE (508) sub-operations.
enum class NodeOp : int {
	GET_NAME = 0, GET_PATH, GET_PARENT, QUEUE_FREE, DUPLICATE,
	GET_CHILD_COUNT = 5, GET_CHILD, ADD_CHILD, ADD_CHILD_DEFERRED, ADD_SIBLING,
	ADD_SIBLING_DEFERRED = 10, MOVE_CHILD, REMOVE_CHILD, REMOVE_CHILD_DEFERRED, GET_CHILDREN,
	SET_NAME = 15, REPARENT, REPLACE_BY, ADD_TO_GROUP, REMOVE_FROM_GROUP,
	IS_IN_GROUP = 20, IS_INSIDE_TREE,
};

/// NODE2D (509) sub-operations: GET_x and SET_x pairs.
enum class Node2DOp : int {
	GET_POSITION = 0, SET_POSITION, GET_ROTATION, SET_ROTATION, GET_SCALE,
	SET_SCALE = 5, GET_SKEW, SET_SKEW, GET_TRANSFORM, SET_TRANSFORM,
};

/// NODE3D (510) sub-operations: GET_x and SET_x pairs.
enum class Node3DOp : int {
	GET_POSITION = 0, SET_POSITION, GET_ROTATION, SET_ROTATION, GET_SCALE,
	SET_SCALE = 5, GET_TRANSFORM, SET_TRANSFORM, GET_QUATERNION, SET_QUATERNION,
};

/// NODE_CREATE (532) kinds.
enum class NodeCreate : int { CLASSDB = 0, NODE, NODE2D, NODE3D };

/// ARRAY_OPS (521) sub-operations.
enum class ArrayOp : int {
	CREATE = 0, PUSH_BACK, PUSH_FRONT, POP_AT, POP_BACK,
	POP_FRONT = 5, INSERT, ERASE, RESIZE, CLEAR,
	SORT = 10, FETCH_TO_VECTOR, HAS,
};

/// DICTIONARY_OPS (524) sub-operations.
enum class DictionaryOp : int {
	GET = 0, SET, ERASE, HAS, GET_KEYS,
	GET_VALUES = 5, GET_SIZE, CLEAR, MERGE, GET_OR_ADD,
};

/// STRING_OPS (526) sub-operations.
enum class StringOp : int {
	COPY = 0, GET_LENGTH, GET_CHAR, APPEND, INSERT,
	FIND = 5, ERASE, TO_STD_STRING, COMPARE, COMPARE_CSTR,
};

/// Vec2_Op (543).
enum class Vec2Op : int {
	NORMALIZE = 0, LENGTH, LENGTH_SQ, ANGLE, ANGLE_TO, ANGLE_TO_POINT, PROJECT, DIRECTION_TO,
	SLIDE, BOUNCE, REFLECT, LIMIT_LENGTH, LERP, CUBIC_INTERPOLATE, SLERP, MOVE_TOWARD, ROTATED,
};

/// Vec3_Op (537).
enum class Vec3Op : int {
	HASH = 0, LENGTH, NORMALIZE, DOT, CROSS, DISTANCE_TO, DISTANCE_SQ_TO, ANGLE_TO, PROJECT,
	REFLECT, ROTATED, FLOOR,
};

/// Transform2D_Op (540).
enum class Transform2DOp : int {
	IDENTITY = 0, CREATE, ASSIGN, GET_COLUMN, SET_COLUMN, ROTATED, SCALED, TRANSLATED, INVERTED,
	AFFINE_INVERTED, ORTHONORMALIZED, LOOKING_AT, INTERPOLATE_WITH, XFORM, XFORM_INV,
};

/// Transform3D_Op (541).
enum class Transform3DOp : int {
	IDENTITY = 0, CREATE, ASSIGN, GET_BASIS, SET_BASIS, GET_ORIGIN, SET_ORIGIN, ROTATED,
	ROTATED_LOCAL, SCALED, SCALED_LOCAL, TRANSLATED, TRANSLATED_LOCAL, INVERTED, AFFINE_INVERTED,
	ORTHONORMALIZED, LOOKING_AT, INTERPOLATE_WITH, XFORM, XFORM_INV,
};

/// Basis_Op (542).
enum class BasisOp : int {
	IDENTITY = 0, CREATE, ASSIGN, GET_ROW, SET_ROW, GET_COLUMN, SET_COLUMN, INVERTED, TRANSPOSED,
	DETERMINANT, ROTATED, LERP, SLERP,
};

/// Quaternion_Op (544).
enum class QuaternionOp : int {
	CREATE = 0, ASSIGN, DOT, LENGTH_SQUARED, LENGTH, NORMALIZE, INVERSE, LOG, EXP, ANGLE_TO, SLERP,
	SLERPNI, CUBIC_INTERPOLATE, CUBIC_INTERPOLATE_IN_TIME, AT, GET_AXIS, GET_ANGLE, MUL,
};

/// Math_Op (533/534).
enum class MathOp : int { SIN = 0, COS, TAN, ASIN, ACOS, ATAN, ATAN2, POW };

/// Lerp_Op (535/536).
enum class LerpOp : int { LERP = 0, SMOOTHSTEP, CLAMP, SLERP };

/// Scope_Op (555).
enum class ScopeOp : int { MARK = 0, RELEASE = 1 };

/// Print_Channel (550).
enum class PrintChannel : int {
	PRINT = 0, SPACED, TABBED, RAW, RICH,
	ERROR = 5, VERBOSE, PUSH_ERROR, PUSH_WARNING,
};

/// Utility_Op (549). Only the Variant-shaped ops (a1 = V* result, a2 = V* args,
/// a3 = argc) are listed by name; the numeric ones take doubles in fa0.. .
enum class UtilityOp : int {
	STR = 0, LEN,
	TO_INT = 47, TO_FLOAT, TO_BOOL,
	RANDI = 53, RANDI_RANGE,
	HASH = 58, VAR_TO_STR, STR_TO_VAR,
	TYPE_STRING = 63, TYPE_CONVERT,
	IS_SAME = 66,
	IS_INSTANCE_VALID = 69,
};

/// CALLABLE_CREATE (538) flag bit 0: call the guest function with the boxed
/// (Variant-pointer) convention instead of the unboxed one.
inline constexpr uint64_t CALLABLE_VARIANT_ARGS = 1;

/// Highest number of Variants PRINT / PRINT_CHANNEL accept in one call (count must be < 64).
inline constexpr size_t MAX_PRINT_ARGS = 63;
/// Highest argument count for VCALL / OBJ_CALLP / VCONSTRUCT.
inline constexpr size_t MAX_CALL_ARGS = 16;

// ---------------------------------------------------------------------------------------
// The ecall wrappers. One raw form; `call<N>(args...)` converts up to seven integer-class
// arguments (integers, bools, enums, pointers) to registers. "memory" is clobbered because
// the host reads and writes guest memory through the pointers we pass.

using reg_t = uint64_t;

template <typename T>
inline reg_t to_reg(T value) noexcept {
	if constexpr (std::is_pointer_v<T> || std::is_null_pointer_v<T>)
		return reinterpret_cast<uintptr_t>(value);
	else if constexpr (std::is_enum_v<T>)
		return static_cast<reg_t>(static_cast<int64_t>(static_cast<std::underlying_type_t<T>>(value)));
	else if constexpr (std::is_same_v<T, bool>)
		return value ? 1 : 0;
	else if constexpr (std::is_signed_v<T>)
		return static_cast<reg_t>(static_cast<int64_t>(value)); // sign-extend
	else
		return static_cast<reg_t>(value);
}

/// Raw system call: number in a7, arguments in a0..a6, result from a0.
inline reg_t raw_ecall(reg_t number, reg_t x0, reg_t x1, reg_t x2, reg_t x3, reg_t x4, reg_t x5,
		reg_t x6) noexcept {
	register reg_t a0 asm("a0") = x0;
	register reg_t a1 asm("a1") = x1;
	register reg_t a2 asm("a2") = x2;
	register reg_t a3 asm("a3") = x3;
	register reg_t a4 asm("a4") = x4;
	register reg_t a5 asm("a5") = x5;
	register reg_t a6 asm("a6") = x6;
	register reg_t a7 asm("a7") = number;
	asm volatile("ecall"
			: "+r"(a0), "+r"(a1)
			: "r"(a2), "r"(a3), "r"(a4), "r"(a5), "r"(a6), "r"(a7)
			: "memory");
	return a0;
}

/// Result of a system call that may answer in a0 and fa0.
struct FpResult {
	reg_t a0;
	double fa0;
};

/// Raw system call with up to three double arguments in fa0..fa2 (separate counter
/// from the integer arguments, as the host decodes them).
inline FpResult raw_ecall_fp(reg_t number, reg_t x0, reg_t x1, reg_t x2, reg_t x3, double f0,
		double f1 = 0.0, double f2 = 0.0) noexcept {
	register reg_t a0 asm("a0") = x0;
	register reg_t a1 asm("a1") = x1;
	register reg_t a2 asm("a2") = x2;
	register reg_t a3 asm("a3") = x3;
	register reg_t a7 asm("a7") = number;
	register double fa0 asm("fa0") = f0;
	register double fa1 asm("fa1") = f1;
	register double fa2 asm("fa2") = f2;
	asm volatile("ecall"
			: "+r"(a0), "+r"(a1), "+f"(fa0), "+f"(fa1), "+f"(fa2)
			: "r"(a2), "r"(a3), "r"(a7)
			: "memory");
	return { a0, fa0 };
}

/// `sys::call<NUMBER>(a0, a1, ...)`: the one wrapper every API class uses.
template <unsigned Number, typename... Args>
inline reg_t call(Args... args) noexcept {
	static_assert(sizeof...(Args) <= 7, "at most seven integer-class arguments (a0..a6)");
	const reg_t r[7] = { to_reg(args)... };
	return raw_ecall(Number, r[0], r[1], r[2], r[3], r[4], r[5], r[6]);
}

/// A {pointer, length} pair as the host reads it (VCREATE method 1, TO_STD_STRING method 1,
/// PACKED_STRING_ARRAY method -2).
struct Buffer {
	const char *data;
	uint64_t size;
};
static_assert(sizeof(Buffer) == 16);

} // namespace sys

/// Stops the machine (the STOP instruction, 0x7FF00073). Defined in src/runtime.cpp; its
/// address is registered as the program exit address, so returning from a public function
/// also ends up here.
extern "C" [[noreturn]] void fast_exit();

/// Ends `main()` (or any call) right away, keeping the machine intact: no global
/// destructors run. Every `main()` should finish with `halt()`.
[[noreturn]] inline void halt() {
	fast_exit();
}

/// True when running inside the Godot editor (`Engine::is_editor_hint()`).
inline bool is_editor() {
	return sys::call<sys::IS_EDITOR>() != 0;
}
