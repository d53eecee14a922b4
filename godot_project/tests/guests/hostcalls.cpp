// The guest of test_host_calls.gd and test_restrictions.gd: the host calls past the basic
// Variant/Object families (LOAD, VCONSTRUCT, VSTORE_GLOBAL, VARIANT_GET, CALL_GUEST, UTILITY,
// the float math calls, PACKED_ARRAY_OPS), the core's native heap calls (480-491), and guest
// code that reaches for objects, methods, properties, classes and resources under restrictions.
#include "guest.h"

enum { SYS_WRITE = 64, HC_NODE3D = 510, HC_TIMER_PERIODIC = 530, HC_NODE_CREATE = 532, HC_UTILITY = 549 };

struct Text {
    const char *ptr;
    size_t len;
};
// The text of a String Variant (VFETCH into a {ptr, len} the host mallocs).
static Text text_of(const Variant &v) {
    Text t{};
    sys(ECALL_VFETCH, L((uint32_t)v.i), L(&t), 1);
    return t;
}

// The elements of the Array `args`, at most 4, fetched one by one into `argv`; returns how many.
static long elements_of(Variant args, Variant argv[4]) {
    long argc = sys(ECALL_ARRAY_SIZE, L((uint32_t)args.i));
    argc = argc < 4 ? argc : 4;
    for (long i = 0; i < argc; i++) sys(ECALL_ARRAY_AT, L((uint32_t)args.i), i, L(&argv[i]));
    return argc;
}

// ---- LOAD (539) -------------------------------------------------------------------------------
PUBLIC Variant load_res(Variant path) {
    Text t = text_of(path);
    Variant out = nil();
    sys(ECALL_LOAD, L(t.ptr), L(t.len), L(&out));
    return out;
}
// The same, with the path passed as a String Variant (a1 = ~0).
PUBLIC Variant load_res_variant(Variant path) {
    Variant out = nil();
    sys(ECALL_LOAD, L(&path), -1L, L(&out));
    return out;
}

// ---- VCONSTRUCT (558), PACKED_ARRAY_OPS (548) ----------------------------------------------
PUBLIC Variant construct(Variant type, Variant args) {
    Variant argv[4];
    long argc = elements_of(args, argv);
    Variant out = nil();
    sys(ECALL_VCONSTRUCT, L(&out), type.i, L(argv), argc);
    return out;
}
PUBLIC Variant to_packed(Variant type, Variant array) {
    Variant out = nil();
    sys(ECALL_PACKED_ARRAY_OPS, type.i, L(&out), L(&array));
    return out;
}

// ---- VSTORE_GLOBAL (559), OBJ_RETAIN (556) ---------------------------------------------------
static Variant global_slot = nil();
PUBLIC Variant store_global(Variant v) {
    sys(ECALL_VSTORE_GLOBAL, L(&global_slot), L(&v));
    return nil();
}
PUBLIC Variant get_global() { return global_slot; }
PUBLIC Variant retain_global() {
    sys(ECALL_OBJ_RETAIN, L(&global_slot));
    return nil();
}

// ---- VARIANT_GET (562) ------------------------------------------------------------------------
PUBLIC Variant get_at(Variant subject, Variant key) {
    Variant out = nil();
    sys(ECALL_VARIANT_GET, L(&subject), L(&key), L(&out));
    return out;
}

// ---- float math (513-516, 533-536) and UTILITY (549) ------------------------------------------
PUBLIC Variant math_demo() {
    float f[2];
    double d[2];
    Variant items[9];
    sys_fp<float>(ECALL_SINCOS, 0, 0.0f, 0, 0, f);
    items[0] = real(f[0]), items[1] = real(f[1]);  // sin 0, cos 0
    sys_fp<float>(ECALL_VEC2_LENGTH, 0, 3.0f, 4.0f, 0, f);
    items[2] = real(f[0]);  // 5
    sys_fp<float>(ECALL_VEC2_NORMALIZED, 0, 0.0f, 2.0f, 0, f);
    items[3] = real(f[1]);  // 1
    sys_fp<float>(ECALL_VEC2_ROTATED, 0, 1.0f, 0.0f, 0.0f, f);
    items[4] = real(f[0]);  // 1 (no rotation)
    sys_fp<double>(ECALL_MATH_OP64, 7, 2.0, 10.0, 0, d);  // POW
    items[5] = real(d[0]);  // 1024
    sys_fp<float>(ECALL_MATH_OP32, 6, 0.0f, 1.0f, 0, f);  // ATAN2(0, 1)
    items[6] = real(f[0]);  // 0
    sys_fp<double>(ECALL_LERP_OP64, 0, 10.0, 20.0, 0.25, d);  // LERP
    items[7] = real(d[0]);  // 12.5
    sys_fp<float>(ECALL_LERP_OP32, 2, 5.0f, 0.0f, 1.0f, f);  // CLAMP(5, 0, 1)
    items[8] = real(f[0]);  // 1
    return array_of(items, 9);
}
PUBLIC Variant utility_demo(Variant container) {
    Variant items[6];
    Variant out = nil();
    sys(HC_UTILITY, 1, L(&out), L(&container), 1);  // LEN
    items[0] = out;
    double d[2];
    sys_fp<double>(HC_UTILITY, 2, 2.75, 0, 0, d);  // FLOOR
    items[1] = real(d[0]);
    sys_fp<double>(HC_UTILITY, 24, 0.0 / 0.0, 0, 0, d);  // IS_NAN -> 1.0
    items[2] = real(d[0]);
    items[3] = integer(sys(HC_UTILITY, 54, 7, 7));  // RANDI_RANGE(7, 7)
    items[4] = integer(sys(HC_UTILITY, 57, 100));  // NEAREST_PO2(100)
    Variant code = integer(65);
    sys(HC_UTILITY, 67, L(&out), L(&code), 1);  // CHAR
    items[5] = out;
    return array_of(items, 6);
}

// ---- CALL_GUEST (554) -------------------------------------------------------------------------
PUBLIC Variant sum3(Variant a, Variant b, Variant c) { return integer(a.i + b.i + c.i); }
PUBLIC Variant twice(Variant v) { return integer(v.i * 2); }
PUBLIC Variant ninth(Variant, Variant, Variant, Variant, Variant, Variant, Variant, Variant, Variant v9) {
    return v9;  // arrives through the stack: the nested call passes it beyond a7
}
PUBLIC Variant call_guest_demo() {
    Variant args[9];
    for (int i = 0; i < 9; i++) args[i] = integer(i + 1);
    Variant three = nil(), nine = nil();
    sys(ECALL_CALL_GUEST, L(&sum3), L(args), 3, L(&three));
    sys(ECALL_CALL_GUEST, L(&ninth), L(args), 9, L(&nine));
    Variant items[2] = {three, nine};
    return array_of(items, 2);
}
PUBLIC Variant call_guest_at(Variant address) {
    Variant out = nil();
    sys(ECALL_CALL_GUEST, address.i, 0, 0, L(&out));
    return out;
}
PUBLIC Variant breakpoint() {
    sys(ECALL_BREAKPOINT, 1, 0, 0);
    return boolean(true);
}

// ---- the native heap (480-491) ------------------------------------------------------------------
PUBLIC Variant native_demo() {
    const char *hello = "hello, native heap";
    long len = sys(NATIVE_STRLEN, L(hello));
    char *copy = (char *)sys(NATIVE_MALLOC, len + 1);
    if (copy == nullptr) return nil();
    sys(NATIVE_MEMCPY, L(copy), L(hello), len + 1);
    long same = sys(NATIVE_STRCMP, L(copy), L(hello), 4096);
    Variant text = make(STRING, (uint32_t)sys(ECALL_STRING_CREATE, L(copy), len));
    sys(NATIVE_FREE, L(copy));
    Variant items[3] = {integer(len), boolean(same == 0), text};
    return array_of(items, 3);
}

// Allocates up to `n` chunks of 32 bytes (stopping at the first null) and frees all but the
// first `keep` of them, which it holds; returns how many it got.
PUBLIC Variant native_allocate(Variant n, Variant keep) {
    static long held[64];
    long got = 0;
    while (got < n.i && got < 64 && (held[got] = sys(NATIVE_MALLOC, 32)) != 0) got++;
    for (long i = keep.i; i < got; i++) sys(NATIVE_FREE, held[i]);
    return integer(got);
}

// ---- function pointers -----------------------------------------------------------------------
static long not_code[4] = {1, 2, 3, 4};
PUBLIC Variant data_address() { return integer((int64_t)&not_code[0]); }
PUBLIC Variant callable_at(Variant address) {
    Variant bound = nil();
    return make(CALLABLE, (uint32_t)sys(ECALL_CALLABLE_CREATE, address.i, L(&bound), 0, 1));
}

// ---- objects kept across calls (for restrictions) ----------------------------------------------
static Variant kept_object = nil();
PUBLIC Variant keep_object(Variant obj) {
    kept_object = obj;
    return nil();
}
PUBLIC Variant kept_name() {
    Variant out = nil();
    sys(ECALL_OBJ_PROP_GET, L(kept_object.u), L("name"), 4, L(&out));
    return out;
}
PUBLIC Variant create_node(Variant kind) {
    long handle = sys(HC_NODE_CREATE, kind.i, L("Timer"), 5, L(""), 0);
    return make(OBJECT, handle);
}

// NODE_CREATE twice in one call, the first node freed through OBJ_CALLP in between: with
// references_max at 1 the guest cannot be given the second.
PUBLIC Variant create_two_nodes() {
    long first = sys(HC_NODE_CREATE, 1, 0, 0, L(""), 0);
    sys(ECALL_OBJ_CALLP, first, L("free"), 4, 0, 0, 0, 0);
    return make(OBJECT, sys(HC_NODE_CREATE, 1, 0, 0, L(""), 0));
}

// Frees the Sandbox node running this call (its own "." through GET_NODE, then OBJ_CALLP
// "free"), then makes one more host call.
PUBLIC Variant free_self() {
    long self = sys(ECALL_GET_NODE, 0, L("."), 1);
    sys(ECALL_OBJ_CALLP, self, L("free"), 4, 0, 0, 0, 0);
    return make(OBJECT, sys(ECALL_GET_NODE, 0, L("."), 1));
}

// VSTORE of a PackedStringArray of `count` (at most 4096) {ptr, len} elements that all point
// at one text of `len` (at most 1 MiB) bytes.
static char long_text[1 << 20];
PUBLIC Variant many_long_strings(Variant count, Variant len) {
    struct Pair {
        const char *ptr;
        size_t len;
    };
    static Pair pairs[4096];
    int64_t n = count.i < 4096 ? count.i : 4096;
    for (int64_t i = 0; i < n; i++) pairs[i] = {long_text, (size_t)(len.i < (1 << 20) ? len.i : 1 << 20)};
    uint32_t index = 0x7fffffff;  // no Variant yet: VSTORE makes a new one
    sys(ECALL_VSTORE, L(&index), PACKED_STRING_ARRAY, L(pairs), n | (1L << 31));
    return make(PACKED_STRING_ARRAY, index);
}
// ARRAY_OPS CREATE of `count` Arrays of `size` elements each; returns their total size.
PUBLIC Variant many_arrays(Variant count, Variant size) {
    int64_t total = 0;
    for (int64_t i = 0; i < count.i; i++) {
        Variant out = nil();
        sys(ECALL_ARRAY_OPS, 0, size.i, 0, L(&out));
        total += sys(ECALL_ARRAY_SIZE, L((uint32_t)out.i));
    }
    return integer(total);
}

// An Array of `size` elements, made permanent (VCLONE without a destination): the guest keeps
// it after the call. Returns its size.
static Variant kept[64];
static int kept_count;
PUBLIC Variant keep_array(Variant size) {
    Variant &array = kept[kept_count++ % 64];
    array = nil();
    sys(ECALL_ARRAY_OPS, 0, size.i, 0, L(&array));
    sys(ECALL_VCLONE, L(&array), 0);
    return integer(sys(ECALL_ARRAY_SIZE, L((uint32_t)array.i)));
}

// VCALL resize(size) on the Array keep_array kept last.
PUBLIC Variant resize_kept(Variant size) {
    Variant &array = kept[(kept_count + 63) % 64];
    sys(ECALL_VCALL, L(&array), L("resize"), 6, L(&size), 1, 0);
    return nil();
}

// VCREATE with the given type, method and data word, as a guest may pass them.
PUBLIC Variant vcreate_raw(Variant type, Variant method, Variant data) {
    Variant out = nil();
    sys(ECALL_VCREATE, L(&out), type.i, method.i, data.i);
    return out;
}

// ---- TIMER_PERIODIC (530) -------------------------------------------------------------------
// on_tick counts its calls and keeps the tag from the capture block it was handed.
static int64_t ticks, tick_tag = -1;
PUBLIC Variant on_tick(Variant timer, Variant capture) {
    struct {
        const uint8_t *begin, *end, *capacity;
    } bytes{};
    sys(ECALL_VFETCH, L((uint32_t)capture.i), L(&bytes), 0);
    if (timer.type == OBJECT && bytes.end - bytes.begin == 32) memcpy(&tick_tag, bytes.begin, 8);
    ticks++;
    return nil();
}
// A Timer calling on_tick every `interval` seconds (once, if `one_shot`), with `tag` in the
// first 8 bytes of its capture block.
PUBLIC Variant start_timer(Variant interval, Variant one_shot, Variant tag) {
    uint8_t capture[32] = {};
    memcpy(capture, &tag.i, 8);
    Variant timer = nil();
    register double seconds asm("fa0") = interval.f;
    register long a0 asm("a0") = one_shot.b;
    register long a1 asm("a1") = L(&on_tick);
    register long a2 asm("a2") = L(capture);
    register long a3 asm("a3") = L(&timer);
    register long a7 asm("a7") = HC_TIMER_PERIODIC;
    asm volatile("ecall" : "+r"(a0) : "f"(seconds), "r"(a1), "r"(a2), "r"(a3), "r"(a7) : "memory");
    return timer;
}
PUBLIC Variant tick_count() { return integer(ticks); }
PUBLIC Variant last_tick_tag() { return integer(tick_tag); }

// VCLONE of `v` into `n` new Variants in one call; returns n.
PUBLIC Variant clone_many(Variant v, Variant n) {
    for (int64_t i = 0; i < n.i; i++) {
        Variant out = nil();
        sys(ECALL_VCLONE, L(&v), L(&out));
    }
    return n;
}

// str() (UTILITY STR) of Arrays nested `depth` deep, each of `width` elements that are all
// the Array one level down; with `cycle`, the outermost also holds itself.
PUBLIC Variant nested_str(Variant depth, Variant width, Variant cycle) {
    Variant inner = integer(1);
    for (int64_t d = 0; d < depth.i; d++) {
        Variant array = nil();
        sys(ECALL_ARRAY_OPS, 0, width.i, 0, L(&array));
        sys(ECALL_VCALL, L(&array), L("fill"), 4, L(&inner), 1, 0);
        inner = array;
    }
    if (cycle.b) sys(ECALL_VCALL, L(&inner), L("append"), 6, L(&inner), 1, 0);
    Variant out = nil();
    sys(HC_UTILITY, 0, L(&out), L(&inner), 1);
    return out;
}

// An empty Array kept in a global slot (VSTORE_GLOBAL), then grown to `size` elements through
// the scoped index that shares it.
static Variant aliased_global;
PUBLIC Variant keep_and_grow(Variant size) {
    Variant array = nil();
    sys(ECALL_ARRAY_OPS, 0, 0, 0, L(&array));
    sys(ECALL_VSTORE_GLOBAL, L(&aliased_global), L(&array));
    sys(ECALL_ARRAY_OPS, 8, (uint32_t)array.i, size.i, 0);  // RESIZE
    return nil();
}

// NODE DUPLICATE (508, sub-operation 4) of `node`; returns the copy, or nil.
PUBLIC Variant duplicate_node(Variant node) {
    uint64_t copy = 0;
    sys(ECALL_GET_NODE + 1, 4, L(node.u), L(&copy), 0);
    return copy ? make(OBJECT, copy) : nil();
}
// NODE (508) operation `op` on `node` with the Node `other` (and, for MOVE_CHILD, `index`).
PUBLIC Variant node_op(Variant op, Variant node, Variant other, Variant index) {
    Variant pair[2] = {other, index};
    // REPARENT (16) and REPLACE_BY (17) take the other node's handle itself.
    long a2 = op.i == 16 || op.i == 17 ? (long)other.u : L(pair);
    sys(ECALL_GET_NODE + 1, op.i, L(node.u), a2, 0);  // NODE
    return boolean(true);
}
// The same with Godot's duplicate `flags`.
PUBLIC Variant duplicate_with(Variant node, Variant flags) {
    uint64_t copy = 0;
    sys(ECALL_GET_NODE + 1, 4, L(node.u), L(&copy), flags.i);
    return copy ? make(OBJECT, copy) : nil();
}

// str(v) (UTILITY STR).
PUBLIC Variant str_of(Variant v) {
    Variant out = nil();
    sys(HC_UTILITY, 0, L(&out), L(&v), 1);
    return out;
}

// VCALL (501) of `method` on `self`, with the elements of the Array `args` (at most 4).
PUBLIC Variant vcallv(Variant self, Variant method, Variant args) {
    Text name = text_of(method);
    Variant argv[4];
    long argc = elements_of(args, argv);
    Variant ret = nil();
    sys(ECALL_VCALL, L(&self), L(name.ptr), L(name.len), L(argv), argc, L(&ret));
    return ret;
}

// OBJ_CALLP (506) of `method` on `obj` with the elements of `args` (at most 4), deferred or not.
PUBLIC Variant callp(Variant obj, Variant method, Variant args, Variant deferred) {
    Text name = text_of(method);
    Variant argv[4];
    long argc = elements_of(args, argv);
    Variant ret = nil();
    sys(ECALL_OBJ_CALLP, L(obj.u), L(name.ptr), L(name.len), deferred.b, L(&ret), L(argv), argc);
    return ret;
}

// Writes `count` lines of "x" to standard output (Linux write).
PUBLIC Variant write_lines(Variant count) {
    for (int64_t i = 0; i < count.i; i++) sys(SYS_WRITE, 1, L("x\n"), 2);
    return nil();
}
// GET_OBJ (504) of `count` names that name nothing (each an engine error); returns the handles' sum.
PUBLIC Variant missing_singletons(Variant count) {
    long sum = 0;
    for (int64_t i = 0; i < count.i; i++) sum += sys(ECALL_GET_OBJ, L("NoSuchSingleton"), 15);
    return integer(sum);
}

// OBJ (505) CONNECT (4) or DISCONNECT (5) of `obj`'s `signal` to `receiver`'s `method`.
PUBLIC Variant obj_connect(Variant op, Variant obj, Variant receiver, Variant signal, Variant method) {
    Variant args[3] = {receiver, signal, method};
    sys(ECALL_OBJ, op.i, L(obj.u), L(args));
    return boolean(true);
}

// NODE3D (510) operation `op` on `node`: a get answers the property, a set takes `value`.
PUBLIC Variant node3d_op(Variant op, Variant node, Variant value) {
    sys(HC_NODE3D, op.i, L(node.u), L(&value));
    return value;
}

// UTILITY (549) Variant operations by number (Utility_Op), of one or two arguments.
PUBLIC Variant utility1(Variant op, Variant a) {
    Variant out = nil();
    sys(HC_UTILITY, op.i, L(&out), L(&a), 1);
    return out;
}
PUBLIC Variant utility2(Variant op, Variant a, Variant b) {
    Variant args[2] = {a, b};
    Variant out = nil();
    sys(HC_UTILITY, op.i, L(&out), L(args), 2);
    return out;
}

// VEVAL (502) of `a op b`; nil if Godot has no such operation.
PUBLIC Variant veval_op(Variant op, Variant a, Variant b) {
    Variant out = nil();
    return sys(ECALL_VEVAL, op.i, L(&a), L(&b), L(&out)) ? out : nil();
}

int main() {
    set_exit_address();
    fast_exit();
}

// ---- hostile or unusual input the host must survive -------------------------------------------
// VCLONE of `v` into a new Variant, with `v` claiming the type `type` (a guest may tag an index
// with any type; pass v's own type for an honest clone).
PUBLIC Variant clone_as(Variant v, Variant type) {
    v.type = (uint32_t)type.i;
    Variant out = nil();
    sys(ECALL_VCLONE, L(&v), L(&out));
    return out;
}
// Appends the String `s` to itself `times` times (STRING_OPS APPEND): its length doubles each
// time. Returns the final length.
PUBLIC Variant double_string(Variant s, Variant times) {
    for (int64_t i = 0; i < times.i; i++) sys(ECALL_STRING_OPS, 3, L((uint32_t)s.i), 0, L(&s));
    return integer(sys(ECALL_STRING_SIZE, L((uint32_t)s.i)));
}
// ARRAY_OPS CREATE of an Array of `size` elements; returns its size.
PUBLIC Variant big_array(Variant size) {
    Variant out = nil();
    sys(ECALL_ARRAY_OPS, 0, size.i, 0, L(&out));
    return integer(sys(ECALL_ARRAY_SIZE, L((uint32_t)out.i)));
}
// A String through the UTF-32 conversions and back: VFETCH 2 and STRING_OPS TO_STD_STRING 2
// (which must agree), then VCREATE 2. NIL if they disagree.
PUBLIC Variant utf32_round_trip(Variant s) {
    struct { const uint32_t *ptr; size_t len, cap; } a{}, b{};
    sys(ECALL_VFETCH, L((uint32_t)s.i), L(&a), 2);
    sys(ECALL_STRING_OPS, 7, L((uint32_t)s.i), 2, L(&b));
    if (a.len != b.len || a.cap != a.len || memcmp(a.ptr, b.ptr, 4 * (a.len + 1)) != 0) return nil();
    Variant out = nil();
    sys(ECALL_VCREATE, L(&out), STRING, 2, L(&a));
    return out;
}
// Stores `obj` in `n` distinct global slots and retains each (OBJ_RETAIN); returns how many.
static Variant retained_slots[70000];
PUBLIC Variant retain_many(Variant obj, Variant n) {
    int64_t i = 0;
    for (; i < n.i && i < 70000; i++) {
        retained_slots[i] = obj;
        sys(ECALL_OBJ_RETAIN, L(&retained_slots[i]));
    }
    return integer(i);
}
