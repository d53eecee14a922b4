// A minimal guest-side view of the godot-sandbox ABI (docs/guest-abi.md), for the in-engine
// tests only: the 24-byte Variant, raw host-call wrappers, and the registration calls main()
// makes. Real guests use guest_sdk/.
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PUBLIC extern "C" __attribute__((used, retain, noinline))

enum VType : uint32_t {
    NIL = 0, BOOL, INT, FLOAT, STRING, VECTOR2, VECTOR2I, RECT2, RECT2I, VECTOR3, VECTOR3I,
    TRANSFORM2D, VECTOR4, VECTOR4I, PLANE, QUATERNION, AABB, BASIS, TRANSFORM3D, PROJECTION,
    COLOR, STRING_NAME, NODE_PATH, RID, OBJECT, CALLABLE, SIGNAL, DICTIONARY, ARRAY,
    PACKED_BYTE_ARRAY, PACKED_INT32_ARRAY, PACKED_INT64_ARRAY, PACKED_FLOAT32_ARRAY,
    PACKED_FLOAT64_ARRAY, PACKED_STRING_ARRAY, PACKED_VECTOR2_ARRAY, PACKED_VECTOR3_ARRAY,
    PACKED_COLOR_ARRAY, PACKED_VECTOR4_ARRAY,
};

struct Variant {
    uint32_t type;
    uint32_t pad;
    union {
        int64_t i;
        uint64_t u;
        double f;
        uint8_t b;
        float v[4];
        int32_t vi[4];
    };
};
static_assert(sizeof(Variant) == 24, "guest Variant is 24 bytes");

static inline Variant make(uint32_t type, uint64_t payload) {
    Variant v{};
    v.type = type;
    v.u = payload;
    return v;
}
static inline Variant nil() { return make(NIL, 0); }
static inline Variant integer(int64_t i) { return make(INT, (uint64_t)i); }
static inline Variant boolean(bool b) { return make(BOOL, b); }
static inline Variant real(double f) {
    Variant v = make(FLOAT, 0);
    v.f = f;
    return v;
}

// ---- raw host calls -------------------------------------------------------------------------
static inline long sys(long n, long a0 = 0, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0, long a5 = 0,
                       long a6 = 0) {
    register long r0 asm("a0") = a0;
    register long r1 asm("a1") = a1;
    register long r2 asm("a2") = a2;
    register long r3 asm("a3") = a3;
    register long r4 asm("a4") = a4;
    register long r5 asm("a5") = a5;
    register long r6 asm("a6") = a6;
    register long r7 asm("a7") = n;
    asm volatile("ecall" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(r6), "r"(r7) : "memory");
    return r0;
}
#define L(x) ((long)(x))

// A host call with floating-point arguments in fa0..fa2 (doubles, or NaN-boxed floats when F
// is float); fa0 and fa1 come back in out[].
template <typename F>
static inline void sys_fp(long n, long a0, F f0, F f1, F f2, F out[2]) {
    register long r0 asm("a0") = a0;
    register long r7 asm("a7") = n;
    register F x0 asm("fa0") = f0;
    register F x1 asm("fa1") = f1;
    register F x2 asm("fa2") = f2;
    asm volatile("ecall" : "+r"(r0), "+f"(x0), "+f"(x1) : "f"(x2), "r"(r7) : "memory");
    out[0] = x0;
    out[1] = x1;
}

enum {
    ECALL_PRINT = 500, ECALL_VCALL, ECALL_VEVAL, ECALL_VASSIGN, ECALL_GET_OBJ, ECALL_OBJ, ECALL_OBJ_CALLP,
    ECALL_GET_NODE, ECALL_THROW = 511, ECALL_IS_EDITOR = 512, ECALL_VCREATE = 517, ECALL_VCLONE,
    ECALL_VFETCH, ECALL_VSTORE, ECALL_ARRAY_OPS, ECALL_ARRAY_AT, ECALL_ARRAY_SIZE, ECALL_DICTIONARY_OPS,
    ECALL_STRING_CREATE, ECALL_STRING_OPS, ECALL_STRING_AT, ECALL_STRING_SIZE, ECALL_STRING_APPEND,
    ECALL_CALLABLE_CREATE = 538, ECALL_OBJ_PROP_GET = 545, ECALL_OBJ_PROP_SET, ECALL_SANDBOX_ADD,
    ECALL_SINCOS = 513, ECALL_VEC2_LENGTH, ECALL_VEC2_NORMALIZED, ECALL_VEC2_ROTATED,
    ECALL_TIMER_STOP = 531, ECALL_MATH_OP32 = 533, ECALL_MATH_OP64, ECALL_LERP_OP32, ECALL_LERP_OP64,
    ECALL_LOAD = 539, ECALL_PACKED_ARRAY_OPS = 548, ECALL_BREAKPOINT = 551, ECALL_CALL_GUEST = 554,
    ECALL_OBJ_RETAIN = 556, ECALL_VCONSTRUCT = 558, ECALL_VSTORE_GLOBAL = 559, ECALL_VARIANT_GET = 562,
};
// The native heap and memory functions (480-491), implemented by the emulator core.
enum { NATIVE_MALLOC = 480, NATIVE_FREE = 483, NATIVE_MEMCPY = 485, NATIVE_STRLEN = 490, NATIVE_STRCMP = 491 };
static inline Variant array_of(Variant *items, int n) {
    Variant out = nil();
    sys(ECALL_VCREATE, L(&out), ARRAY, n, L(items));
    return out;
}

static inline Variant str(const char *s) {
    return make(STRING, (uint32_t)sys(ECALL_STRING_CREATE, L(s), L(strlen(s))));
}
static inline void print(const Variant &v) { sys(ECALL_PRINT, L(&v), 1); }

// The stop instruction; a call's return also ends at the host's exit address.
extern "C" __attribute__((used, retain, noreturn, noinline)) void fast_exit() {
    asm volatile(".word 0x7ff00073");
    __builtin_unreachable();
}

static inline void add_function(const char *name, void *address) {
    sys(ECALL_SANDBOX_ADD, 1, L(name), L(strlen(name)), L(address), 0);
}
static inline void add_property(const char *name, uint32_t type, Variant *storage) {
    sys(ECALL_SANDBOX_ADD, 0, L(name), L(strlen(name)), type, 0, 0, L(storage));
}
static inline void set_exit_address() { sys(ECALL_SANDBOX_ADD, 2, L(&fast_exit)); }
