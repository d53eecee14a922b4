// The guest of the in-engine tests (godot_project/tests/test_*.gd): round trips of every
// Variant type in both conventions, calls into Godot, callbacks, faults and timeouts.
#include <unistd.h>

#include <string>
#include <vector>

#include "guest.h"

// ---- boxed: every argument is a pointer to a guest Variant -----------------------------------
PUBLIC Variant echo(Variant v) { return v; }
PUBLIC Variant echo_second(Variant, Variant b) { return b; }
PUBLIC Variant count_args(Variant, Variant, Variant, Variant, Variant, Variant, Variant, Variant, Variant v9) {
    return v9;  // the ninth argument arrives through a stack slot
}
PUBLIC Variant type_of(Variant v) { return integer(v.type); }
PUBLIC Variant add_boxed(Variant a, Variant b) { return integer(a.i + b.i); }

// ---- unboxed: arguments in registers by type -------------------------------------------------
struct V2 { float x, y; };
struct V2i { int32_t x, y; };
struct V3 { float x, y, z; };
struct V3i { int32_t x, y, z; };
struct V4 { float x, y, z, w; };
struct V4i { int32_t x, y, z, w; };

PUBLIC Variant u_bool(bool b) { return boolean(b); }
PUBLIC Variant u_int64(int64_t i) { return integer(i); }
PUBLIC Variant u_float(double f) { return real(f); }
PUBLIC Variant u_vector2(V2 v) { Variant r = make(VECTOR2, 0); r.v[0] = v.x; r.v[1] = v.y; return r; }
PUBLIC Variant u_vector2i(V2i v) { Variant r = make(VECTOR2I, 0); r.vi[0] = v.x; r.vi[1] = v.y; return r; }
PUBLIC Variant u_vector3(V3 v) { Variant r = make(VECTOR3, 0); r.v[0] = v.x; r.v[1] = v.y; r.v[2] = v.z; return r; }
PUBLIC Variant u_vector3i(V3i v) { Variant r = make(VECTOR3I, 0); r.vi[0] = v.x; r.vi[1] = v.y; r.vi[2] = v.z; return r; }
#define FOUR(NAME, TYPE, T, F)                                                   \
    PUBLIC Variant NAME(T v) {                                                  \
        Variant r = make(TYPE, 0);                                              \
        r.F[0] = v.x; r.F[1] = v.y; r.F[2] = v.z; r.F[3] = v.w;                 \
        return r;                                                               \
    }
FOUR(u_vector4, VECTOR4, V4, v)
FOUR(u_vector4i, VECTOR4I, V4i, vi)
FOUR(u_color, COLOR, V4, v)
FOUR(u_plane, PLANE, V4, v)
PUBLIC Variant u_object(uint64_t handle) { return make(OBJECT, handle); }
// Types passed as a pointer to a Variant.
PUBLIC Variant u_pointer(const Variant *v) { return *v; }
// Types passed as a scoped index: the callee knows the type.
#define SCOPED(NAME, TYPE) PUBLIC Variant NAME(uint32_t index) { return make(TYPE, index); }
SCOPED(u_string, STRING) SCOPED(u_string_name, STRING_NAME) SCOPED(u_node_path, NODE_PATH) SCOPED(u_rid, RID)
SCOPED(u_callable, CALLABLE) SCOPED(u_dictionary, DICTIONARY) SCOPED(u_array, ARRAY)
SCOPED(u_transform2d, TRANSFORM2D) SCOPED(u_basis, BASIS) SCOPED(u_transform3d, TRANSFORM3D)
SCOPED(u_quaternion, QUATERNION) SCOPED(u_packed_byte_array, PACKED_BYTE_ARRAY)
SCOPED(u_packed_int32_array, PACKED_INT32_ARRAY) SCOPED(u_packed_int64_array, PACKED_INT64_ARRAY)
SCOPED(u_packed_float32_array, PACKED_FLOAT32_ARRAY) SCOPED(u_packed_float64_array, PACKED_FLOAT64_ARRAY)
SCOPED(u_packed_string_array, PACKED_STRING_ARRAY) SCOPED(u_packed_vector2_array, PACKED_VECTOR2_ARRAY)
SCOPED(u_packed_vector3_array, PACKED_VECTOR3_ARRAY) SCOPED(u_packed_color_array, PACKED_COLOR_ARRAY)
SCOPED(u_packed_vector4_array, PACKED_VECTOR4_ARRAY)
// Mixed classes: a1 = a, fa0 = b, fa1/fa2 = c, a2 = d.
PUBLIC Variant u_mix(int64_t a, double b, V2 c, int64_t d) { return real(a + b + c.x * 10 + c.y * 100 + d * 1000); }
PUBLIC Variant add_ints(int64_t a, int64_t b) { return integer(a + b); }

// ---- calling into Godot ---------------------------------------------------------------------
static Variant call_method(const Variant &obj, const char *method, const Variant *args, int argc) {
    Variant ret = nil();
    sys(ECALL_OBJ_CALLP, L(obj.u), L(method), L(strlen(method)), 0, L(&ret), L(args), argc);
    return ret;
}

// obj.add(a, b) through OBJ_CALLP.
PUBLIC Variant call_add(Variant obj, Variant a, Variant b) {
    Variant args[2] = {a, b};
    return call_method(obj, "add", args, 2);
}
// A loop long enough to be compiled to native code while it runs: integer and double arithmetic,
// and a call of obj.add(acc, i) into Godot every 64th step. Returns acc + (int)x.
PUBLIC Variant hot_loop(Variant obj, Variant step_count) {
    int64_t steps = step_count.i, acc = 0;
    double x = 0.0;
    for (int64_t i = 0; i < steps; i++) {
        acc += (i * 7) ^ (acc >> 3);
        x += (double)(i & 1023) * 0.5;
        if ((i & 63) == 0) {
            Variant args[2] = {integer(acc), integer(i)};
            acc = call_method(obj, "add", args, 2).i;
        }
    }
    return integer(acc + (int64_t)x);
}

// obj.<method>() where method is a String Variant, through VCALL with the name fetched as text.
PUBLIC Variant vcall_method(Variant self, Variant method, Variant arg) {
    struct { const char *ptr; size_t len; } name{};
    sys(ECALL_VFETCH, L((uint32_t)method.i), L(&name), 1);
    Variant ret = nil();
    sys(ECALL_VCALL, L(&self), L(name.ptr), L(name.len), L(&arg), arg.type == NIL ? 0 : 1, L(&ret));
    return ret;
}
PUBLIC Variant get_health(Variant obj) {
    Variant ret = nil();
    sys(ECALL_OBJ_PROP_GET, L(obj.u), L("health"), 6, L(&ret));
    return ret;
}
PUBLIC Variant set_health(Variant obj, Variant value) {
    sys(ECALL_OBJ_PROP_SET, L(obj.u), L("health"), 6, L(&value));
    return nil();
}
// get_node(path) relative to the Sandbox (base 0) or to `base`.
PUBLIC Variant find_node(Variant base, Variant path) {
    struct { const char *ptr; size_t len; } text{};
    sys(ECALL_VFETCH, L((uint32_t)path.i), L(&text), 1);
    long handle = sys(ECALL_GET_NODE, base.type == OBJECT ? L(base.u) : 0, L(text.ptr), L(text.len));
    return handle ? make(OBJECT, handle) : nil();
}
PUBLIC Variant singleton(Variant name) {
    struct { const char *ptr; size_t len; } text{};
    sys(ECALL_VFETCH, L((uint32_t)name.i), L(&text), 1);
    long handle = sys(ECALL_GET_OBJ, L(text.ptr), L(text.len));
    return handle ? make(OBJECT, handle) : nil();
}
// Calls back into GDScript, which calls this Sandbox again (re-entrancy).
PUBLIC Variant reenter(Variant obj, Variant n) {
    Variant args[1] = {n};
    Variant r = call_method(obj, "reenter_cb", args, 1);
    return integer(r.i + 1);
}
PUBLIC Variant greet(Variant name) {
    Variant s = str("hello, ");
    sys(ECALL_STRING_OPS, 3, L((uint32_t)s.i), 0, L(&name));  // APPEND
    print(s);
    return s;
}
PUBLIC Variant write_stdout() {
    const char text[] = "guest stdout line\n";
    write(1, text, sizeof(text) - 1);
    return nil();
}
PUBLIC Variant is_editor() {
    // The inline "dyncall" encoding of host call 512: (512 << 20) | 0x5b.
    register long r0 asm("a0");
    asm volatile(".word (512 << 20) | 0x5b" : "=r"(r0) : : "memory");
    return boolean(r0 != 0);
}

// ---- nodes (NODE, NODE2D, NODE_CREATE), str() and print channels ---------------------------
enum { ECALL_NODE = 508, ECALL_NODE2D = 509, ECALL_NODE_CREATE = 532, ECALL_UTILITY = 549, ECALL_PRINT_CHANNEL = 550 };
// Creates a Node2D named `name` under `parent`, moves it, and reports what the host sees.
PUBLIC Variant node_demo(Variant parent, Variant name) {
    struct { const char *ptr; size_t len; } text{};
    sys(ECALL_VFETCH, L((uint32_t)name.i), L(&text), 1);
    Variant child = make(OBJECT, sys(ECALL_NODE_CREATE, 2, L("Node2D"), 6, L(text.ptr), L(text.len)));
    sys(ECALL_NODE, 7, L(parent.u), L(&child));  // ADD_CHILD
    uint64_t count = 0;
    sys(ECALL_NODE, 5, L(parent.u), L(&count));  // GET_CHILD_COUNT
    Variant got_name = nil();
    sys(ECALL_NODE, 0, L(child.u), L(&got_name));  // GET_NAME
    Variant scale = make(VECTOR2, 0);
    scale.v[0] = 2; scale.v[1] = 3;
    sys(ECALL_NODE2D, 5, L(child.u), L(&scale));  // SET_SCALE
    uint64_t back = 0;
    sys(ECALL_NODE, 2, L(child.u), L(&back));  // GET_PARENT
    Variant items[4] = {integer((int64_t)count), got_name, child, boolean(back == parent.u)};
    Variant out = nil();
    sys(ECALL_VCREATE, L(&out), ARRAY, 4, L(items));
    return out;
}
PUBLIC Variant str_of(Variant a, Variant b) {
    Variant args[2] = {a, b};
    Variant out = nil();
    sys(ECALL_UTILITY, 0, L(&out), L(args), 2);
    sys(ECALL_PRINT_CHANNEL, L(args), 2, 1);  // SPACED
    return out;
}

// OBJ (505): SET and GET a property, and list the signals (a std::vector<std::string> the
// host fills from the guest heap).
PUBLIC Variant obj_demo(Variant obj) {
    Variant set_args[2] = {str("health"), integer(77)};
    sys(ECALL_OBJ, 2, L(obj.u), L(set_args));
    Variant get_args[2] = {str("health"), nil()};
    sys(ECALL_OBJ, 1, L(obj.u), L(get_args));
    std::vector<std::string> signals;
    sys(ECALL_OBJ, 6, L(obj.u), L(&signals));
    bool has_ready = false;
    for (const std::string &name : signals) has_ready |= name == "ready";
    Variant items[2] = {get_args[1], boolean(has_ready)};
    Variant out = nil();
    sys(ECALL_VCREATE, L(&out), ARRAY, 2, L(items));
    return out;
}

// ---- containers -----------------------------------------------------------------------------
PUBLIC Variant array_demo(Variant arr) {
    Variant v = integer(42);
    sys(ECALL_ARRAY_OPS, 1, L((uint32_t)arr.i), 0, L(&v));  // PUSH_BACK 42
    long size = sys(ECALL_ARRAY_SIZE, L((uint32_t)arr.i));
    Variant first = nil();
    sys(ECALL_ARRAY_AT, L((uint32_t)arr.i), 0, L(&first));
    Variant fresh = nil();
    sys(ECALL_ARRAY_OPS, 0, 2, 0, L(&fresh));  // CREATE [null, null]
    Variant seven = integer(7);
    sys(ECALL_ARRAY_AT, L((uint32_t)fresh.i), -1 - 1, L(&seven));  // set [1] = 7
    Variant items[3] = {integer(size), first, fresh};
    Variant out = nil();
    sys(ECALL_VCREATE, L(&out), ARRAY, 3, L(items));
    return out;
}
PUBLIC Variant dict_demo(Variant dict) {
    Variant key = str("answer"), value = integer(42), got = nil();
    sys(ECALL_DICTIONARY_OPS, 1, L((uint32_t)dict.i), L(&key), L(&value));  // SET
    long has = sys(ECALL_DICTIONARY_OPS, 3, L((uint32_t)dict.i), L(&key));
    long size = sys(ECALL_DICTIONARY_OPS, 6, L((uint32_t)dict.i));
    Variant missing = str("missing");
    sys(ECALL_DICTIONARY_OPS, 0, L((uint32_t)dict.i), L(&missing), L(&got));  // GET -> nil
    Variant pairs[6] = {str("has"), boolean(has), str("size"), integer(size), str("missing"), got};
    Variant out = nil();
    sys(ECALL_VCREATE, L(&out), DICTIONARY, 6, L(pairs));
    return out;
}
PUBLIC Variant string_demo(Variant s) {
    long len = sys(ECALL_STRING_SIZE, L((uint32_t)s.i));
    sys(ECALL_STRING_APPEND, L((uint32_t)s.i), L("!?"), 2);
    Variant last = make(STRING, (uint32_t)sys(ECALL_STRING_AT, L((uint32_t)s.i), -1));
    Variant items[3] = {integer(len), s, last};
    Variant out = nil();
    sys(ECALL_VCREATE, L(&out), ARRAY, 3, L(items));
    return out;
}
PUBLIC Variant packed_demo(Variant bytes) {
    struct { uint8_t *begin, *end, *cap; } vec{};
    sys(ECALL_VFETCH, L((uint32_t)bytes.i), L(&vec), 0);
    int32_t sum = 0;
    for (uint8_t *p = vec.begin; p != vec.end; p++) sum += *p;
    int32_t ints[3] = {sum, (int32_t)(vec.end - vec.begin), -1};
    Variant out = make(PACKED_INT32_ARRAY, 0);
    uint32_t index = 0x80000000u;
    sys(ECALL_VSTORE, L(&index), PACKED_INT32_ARRAY, L(ints), 3);
    out.u = index;
    return out;
}
PUBLIC Variant veval_add(Variant a, Variant b) {
    Variant out = nil();
    sys(ECALL_VEVAL, 6, L(&a), L(&b), L(&out));  // ADD
    return out;
}

// ---- permanent Variants ---------------------------------------------------------------------
static Variant kept = nil();
PUBLIC Variant keep(Variant v) {
    sys(ECALL_VCLONE, L(&v), 0);  // make permanent in place
    kept = v;
    return nil();
}
PUBLIC Variant get_kept() { return kept; }
static Variant startup_string = nil();
PUBLIC Variant get_startup_string() { return startup_string; }

// ---- callbacks ------------------------------------------------------------------------------
static int64_t signal_count = 0;
static Variant last_signal_arg = nil();
PUBLIC Variant on_signal(Variant arg) {
    signal_count++;
    last_signal_arg = arg;
    sys(ECALL_VCLONE, L(&last_signal_arg), 0);
    return integer(signal_count);
}
PUBLIC Variant on_signal_unboxed(int64_t a, int64_t b) {
    signal_count += a + b;
    return integer(signal_count);
}
PUBLIC Variant get_signal_count() { return integer(signal_count); }
PUBLIC Variant get_last_signal_arg() { return last_signal_arg; }
PUBLIC Variant make_callback(Variant boxed) {
    void *fn = boxed.b ? (void *)&on_signal : (void *)&on_signal_unboxed;
    Variant bound = nil();
    return make(CALLABLE, (uint32_t)sys(ECALL_CALLABLE_CREATE, L(fn), L(&bound), 0, boxed.b ? 1 : 0));
}
PUBLIC Variant address_of_on_signal() { return integer((int64_t)(void *)&on_signal); }
// Connects obj.<signal "fired"> to on_signal through VCALL on the object.
PUBLIC Variant connect_fired(Variant obj) {
    Variant bound = nil();
    Variant callable = make(CALLABLE, (uint32_t)sys(ECALL_CALLABLE_CREATE, L(&on_signal), L(&bound), 0, 1));
    Variant args[2] = {str("fired"), callable};
    Variant ret = nil();
    sys(ECALL_VCALL, L(&obj), L("connect"), 7, L(args), 2, L(&ret));
    return ret;
}

// ---- failures -------------------------------------------------------------------------------
static int *volatile null_pointer = nullptr;
PUBLIC Variant crash() {
    *null_pointer = 1;
    return nil();
}
PUBLIC Variant spin() {
    volatile long n = 0;
    for (;;) n++;
    return nil();
}
PUBLIC Variant raise() {
    sys(ECALL_THROW, L("ValueError"), 10, L("the guest threw"), 15, 0, L("raise"));
    return nil();
}
PUBLIC Variant bad_object() {
    Variant ret = nil();
    sys(ECALL_OBJ_CALLP, L((1ull << 62) | 12345), L("free"), 4, 0, L(&ret), 0, 0);
    return ret;
}
PUBLIC Variant bad_index() {
    Variant v = make(STRING, 999);
    print(v);
    return nil();
}

// ---- registration ---------------------------------------------------------------------------
static Variant score = integer(10);

int main() {
    set_exit_address();
    add_function("public_add", (void *)&add_boxed);
    add_function("echo", (void *)&echo);
    add_property("score", INT, &score);
    startup_string = str("made during main");  // a permanent (negative) index
    fast_exit();
}
