// The guest of test_math_objects.gd: the vector, transform, basis and quaternion host calls
// (537, 540-544), called with raw registers as godot-sandbox's host reads them. Each function
// returns an Array of results that the test compares with Godot's own methods.
#include "guest.h"

enum { VEC3_OPS = 537, TRANSFORM_2D_OPS = 540, TRANSFORM_3D_OPS, BASIS_OPS, VEC2_OPS, QUAT_OPS };

// The index a guest has not given a value yet (godot-sandbox's wrappers start with it).
static const uint32_t UNSET = 0x80000000u;

struct Vec2 {
    float x, y;
};
struct Vec3 {
    float x, y, z;
};

// A host call with integers in a0..a5 and a double in fa0 (and fa1); returns a0, and fa0 as a
// float in *f0 if given.
static long sysd(long n, long a0, long a1, long a2 = 0, long a3 = 0, long a4 = 0, long a5 = 0, double d0 = 0,
                 double d1 = 0, float *f0 = nullptr) {
    register long r0 asm("a0") = a0;
    register long r1 asm("a1") = a1;
    register long r2 asm("a2") = a2;
    register long r3 asm("a3") = a3;
    register long r4 asm("a4") = a4;
    register long r5 asm("a5") = a5;
    register long r7 asm("a7") = n;
    register double x0 asm("fa0") = d0;
    register double x1 asm("fa1") = d1;
    asm volatile("ecall" : "+r"(r0), "+f"(x0), "+f"(x1) : "r"(r1), "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(r7)
                 : "memory");
    if (f0) {
        double boxed = x0;
        float f;
        memcpy(&f, &boxed, sizeof f);  // a NaN-boxed float: its low 32 bits
        *f0 = f;
    }
    return r0;
}

static Vec2 vec2(const Variant &v) { return Vec2{v.v[0], v.v[1]}; }
static Vec3 vec3(const Variant &v) { return Vec3{v.v[0], v.v[1], v.v[2]}; }
static Variant of(Vec2 v) {
    Variant out = make(VECTOR2, 0);
    out.v[0] = v.x, out.v[1] = v.y;
    return out;
}
static Variant of(Vec3 v) {
    Variant out = make(VECTOR3, 0);
    out.v[0] = v.x, out.v[1] = v.y, out.v[2] = v.z;
    return out;
}
static uint32_t index_of(const Variant &v) { return (uint32_t)v.u; }
static Variant indexed(uint32_t type, uint32_t index) { return make(type, index); }

// An operation of host call `n` on `source` that makes a new value of `type` (its index is
// written at a2), with a3, a4 and fa0 as given.
static Variant made(long n, uint32_t type, const Variant &source, long op, long a3, long a4, double d) {
    uint32_t out = UNSET;
    sysd(n, index_of(source), op, L(&out), a3, a4, 0, d);
    return indexed(type, out);
}

// ---- Transform3D (541) --------------------------------------------------------------------------
// An operation on `t` that makes a new Transform3D, with `a3`, `a4` and fa0 as given.
static Variant t3d(const Variant &t, long op, long a3 = 0, long a4 = 0, double d = 0) {
    return made(TRANSFORM_3D_OPS, TRANSFORM3D, t, op, a3, a4, d);
}

PUBLIC Variant transform3d_ops(Variant t, Variant axis, Variant other, Variant basis, Variant angle) {
    Vec3 a = vec3(axis), up{0, 1, 0};
    double f = angle.f;
    Variant r[17];
    r[0] = t3d(t, 7, L(&a), 0, f);  // ROTATED
    r[1] = t3d(t, 8, L(&a), 0, f);  // ROTATED_LOCAL
    r[2] = t3d(t, 9, L(&a));        // SCALED
    r[3] = t3d(t, 10, L(&a));       // SCALED_LOCAL
    r[4] = t3d(t, 11, L(&a));       // TRANSLATED
    r[5] = t3d(t, 12, L(&a));       // TRANSLATED_LOCAL
    r[6] = t3d(t, 13);              // INVERTED
    r[7] = t3d(t, 14);              // AFFINE_INVERTED
    r[8] = t3d(t, 15);              // ORTHONORMALIZED
    r[9] = t3d(t, 16, L(&a), L(&up));  // LOOKING_AT
    r[10] = t3d(t, 17, index_of(other), 0, f);  // INTERPOLATE_WITH
    r[11] = indexed(BASIS, 0);
    uint32_t b = UNSET;
    sysd(TRANSFORM_3D_OPS, index_of(t), 3, L(&b));  // GET_BASIS
    r[11] = indexed(BASIS, b);
    Vec3 origin{};
    sysd(TRANSFORM_3D_OPS, index_of(t), 5, L(&origin));  // GET_ORIGIN
    r[12] = of(origin);
    r[13] = t3d(t, 4, index_of(basis));  // SET_BASIS
    r[14] = t3d(t, 6, L(&a));            // SET_ORIGIN
    uint32_t made = UNSET;
    sysd(TRANSFORM_3D_OPS, 0, 1, L(&made), L(&a), index_of(basis));  // CREATE(origin, basis)
    r[15] = indexed(TRANSFORM3D, made);
    sysd(TRANSFORM_3D_OPS, 0, 0, L(&made));  // IDENTITY
    r[16] = indexed(TRANSFORM3D, made);
    return array_of(r, 17);
}

// INVERTED written back through `t`'s own index: `t` changes in place. Returns [t, whether the
// index stayed].
PUBLIC Variant transform3d_invert_in_place(Variant t) {
    uint32_t index = index_of(t), out = index;
    sysd(TRANSFORM_3D_OPS, index, 13, L(&out));
    Variant r[2] = {t, boolean(out == index)};
    return array_of(r, 2);
}

// A raw TRANSFORM_3D_OPS with a3 = the vector `v` and a4 = the vector `w`, for refusals.
PUBLIC Variant transform3d_raw(Variant t, Variant op, Variant v, Variant w, Variant d) {
    Vec3 a = vec3(v), b = vec3(w);
    return t3d(t, op.i, L(&a), L(&b), d.f);
}

// INTERPOLATE_WITH `other` by `weight` (a3 = other's index).
PUBLIC Variant transform3d_interpolate(Variant t, Variant other, Variant weight) {
    return t3d(t, 17, index_of(other), 0, weight.f);
}

// ---- Basis (542) --------------------------------------------------------------------------------
static Variant basis_op(const Variant &b, long op, long a3 = 0, long a4 = 0, double d = 0) {
    return made(BASIS_OPS, BASIS, b, op, a3, a4, d);
}

PUBLIC Variant basis_ops(Variant b, Variant axis, Variant other, Variant weight) {
    Vec3 a = vec3(axis), row{};
    double f = weight.f;
    Variant r[14];
    for (long i = 0; i < 3; i++) {
        sysd(BASIS_OPS, index_of(b), 3, i, L(&row));  // GET_ROW
        r[i] = of(row);
    }
    sysd(BASIS_OPS, index_of(b), 5, 1, L(&row));  // GET_COLUMN 1
    r[3] = of(row);
    r[4] = basis_op(b, 4, 1, L(&a));  // SET_ROW 1
    r[5] = basis_op(b, 6, 2, L(&a));  // SET_COLUMN 2
    r[6] = basis_op(b, 7);            // INVERTED
    r[7] = basis_op(b, 8);            // TRANSPOSED
    double det = 0;
    sysd(BASIS_OPS, index_of(b), 9, L(&det));  // DETERMINANT
    r[8] = real(det);
    r[9] = basis_op(b, 10, L(&a), 0, f);                 // ROTATED
    r[10] = basis_op(b, 11, index_of(other), 0, f);      // LERP
    r[11] = basis_op(other, 12, index_of(other), 0, f);  // SLERP (other with itself: rotations)
    Vec3 x{1, 2, 3}, y{4, 5, 6}, z{7, 8, 10};
    uint32_t made = UNSET;
    sysd(BASIS_OPS, 0, 1, L(&made), L(&x), L(&y), L(&z));  // CREATE from rows
    r[12] = indexed(BASIS, made);
    sysd(BASIS_OPS, 0, 0, L(&made));  // IDENTITY
    r[13] = indexed(BASIS, made);
    return array_of(r, 14);
}

// A raw BASIS_OPS: GET_ROW/GET_COLUMN (3, 5) read the number `a2` and write a vector at a3; the
// others write an index at a2, with a3 = the vector `v` (a pointer) or another Variant's index.
PUBLIC Variant basis_raw(Variant b, Variant op, Variant a2, Variant v) {
    Vec3 a = vec3(v), row{};
    uint32_t out = UNSET;
    if (op.i == 3 || op.i == 5) {
        sysd(BASIS_OPS, index_of(b), op.i, a2.i, L(&row));
        return of(row);
    }
    sysd(BASIS_OPS, index_of(b), op.i, L(&out), v.type == VECTOR3 ? L(&a) : index_of(v));
    return indexed(BASIS, out);
}

// ---- Quaternion (544) ---------------------------------------------------------------------------
static Variant quat_op(const Variant &q, long op, long a3 = 0, double d = 0) {
    return made(QUAT_OPS, QUATERNION, q, op, a3, 0, d);
}
static double quat_scalar(const Variant &q, long op) {
    double value = 0;
    sysd(QUAT_OPS, index_of(q), op, L(&value));
    return value;
}

PUBLIC Variant quaternion_ops(Variant q, Variant other, Variant axis, Variant weight) {
    Vec3 a = vec3(axis);
    double f = weight.f, dot = 0;
    Variant r[19];
    sysd(QUAT_OPS, index_of(q), 2, index_of(other), L(&dot));  // DOT
    r[0] = real(dot);
    r[1] = real(quat_scalar(q, 3));  // LENGTH_SQUARED
    r[2] = real(quat_scalar(q, 4));  // LENGTH
    r[3] = quat_op(q, 5);            // NORMALIZE
    r[4] = quat_op(q, 6);            // INVERSE
    r[5] = quat_op(q, 7);            // LOG
    r[6] = quat_op(q, 8);            // EXP
    r[7] = quat_op(q, 10, index_of(other), f);  // SLERP
    r[8] = quat_op(q, 11, index_of(other), f);  // SLERPNI
    for (long i = 0; i < 4; i++) {
        double c = 0;
        sysd(QUAT_OPS, index_of(q), 14, i, L(&c));  // AT
        r[9 + i] = real(c);
    }
    Vec3 got{};
    sysd(QUAT_OPS, index_of(q), 15, L(&got));  // GET_AXIS
    r[13] = of(got);
    r[14] = real(quat_scalar(q, 16));           // GET_ANGLE
    r[15] = quat_op(q, 17, index_of(other));    // MUL
    uint32_t made = UNSET;
    sysd(QUAT_OPS, 1, 0, L(&made), L(&a), 0, 0, f);  // CREATE from axis and angle
    r[16] = indexed(QUATERNION, made);
    Variant identity = nil();
    sysd(QUAT_OPS, 0, 0, L(&identity));  // CREATE: identity, as a Variant
    r[17] = identity;
    // ASSIGN `other` to `q` through q's own index: q changes in place.
    uint32_t same = index_of(q);
    sysd(QUAT_OPS, index_of(q), 1, L(&same), index_of(other));
    r[18] = indexed(QUATERNION, same);
    return array_of(r, 19);
}

PUBLIC Variant quaternion_raw(Variant q, Variant op, Variant a2, Variant weight) {
    double scalar = 0;
    if (op.i == 14) {  // AT: a2 = the component
        sysd(QUAT_OPS, index_of(q), 14, a2.i, L(&scalar));
        return real(scalar);
    }
    return quat_op(q, op.i, index_of(a2), weight.f);
}

// ---- Transform2D (540) --------------------------------------------------------------------------
static Variant t2d(const Variant &t, long op, long a3 = 0, long a4 = 0, double d = 0) {
    return made(TRANSFORM_2D_OPS, TRANSFORM2D, t, op, a3, a4, d);
}

PUBLIC Variant transform2d_ops(Variant t, Variant v, Variant other, Variant angle) {
    Vec2 a = vec2(v), column{};
    double f = angle.f;
    Variant r[11];
    Variant identity = nil();
    sysd(TRANSFORM_2D_OPS, 0, 0, L(&identity));  // IDENTITY, as a Variant
    r[0] = identity;
    for (long i = 0; i < 3; i++) {
        sysd(TRANSFORM_2D_OPS, index_of(t), 3, L(&column), i);  // GET_COLUMN
        r[1 + i] = of(column);
    }
    r[4] = t2d(t, 4, 1, L(&a));     // SET_COLUMN 1
    r[5] = t2d(t, 5, 0, 0, f);      // ROTATED
    r[6] = t2d(t, 6, L(&a));        // SCALED
    r[7] = t2d(t, 7, L(&a));        // TRANSLATED
    r[8] = t2d(t, 8);               // INVERTED
    r[9] = t2d(t, 9);               // AFFINE_INVERTED
    r[10] = t2d(t, 12, index_of(other), 0, f);  // INTERPOLATE_WITH
    return array_of(r, 11);
}

PUBLIC Variant transform2d_raw(Variant t, Variant op, Variant a3) { return t2d(t, op.i, a3.i); }

// ---- Vector2 (543) and Vector3 (537) ------------------------------------------------------------
// An operation that changes the vector in place, with a2..a4 and fa0 as given.
static Variant v2(Vec2 v, long op, long a2 = 0, long a3 = 0, long a4 = 0, double d0 = 0, double d1 = 0) {
    sysd(VEC2_OPS, op, L(&v), a2, a3, a4, 0, d0, d1);
    return of(v);
}
static double v2_scalar(Vec2 v, long op, double d0 = 0, double d1 = 0) {
    double out = 0;
    sysd(VEC2_OPS, op, L(&v), L(&out), 0, 0, 0, d0, d1);
    return out;
}

PUBLIC Variant vector2_ops(Variant v, Variant w, Variant normal, Variant scalars) {
    Vec2 a = vec2(v), b = vec2(w), n = vec2(normal), pre{-1, 0}, post{3, 3};
    double f = scalars.v[0], g = scalars.v[1];
    Variant r[15];
    r[0] = v2(a, 0);                             // NORMALIZE
    r[1] = real(v2_scalar(a, 1));                // LENGTH
    r[2] = real(v2_scalar(a, 2));                // LENGTH_SQ
    r[3] = real(v2_scalar(a, 3));                // ANGLE
    r[4] = real(v2_scalar(a, 4, f));             // ANGLE_TO (a direction's angle)
    r[5] = real(v2_scalar(a, 5, f, g));          // ANGLE_TO_POINT
    r[6] = v2(a, 6, L(&b));                      // PROJECT
    r[7] = v2(a, 7, L(&b));                      // DIRECTION_TO
    r[8] = v2(a, 8, L(&n));                      // SLIDE
    r[9] = v2(a, 9, L(&n));                      // BOUNCE
    r[10] = v2(a, 10, L(&n));                    // REFLECT
    r[11] = v2(a, 11, 0, 0, 0, f);               // LIMIT_LENGTH
    r[12] = v2(a, 12, L(&b), 0, 0, g);           // LERP
    r[13] = v2(a, 13, L(&b), L(&pre), L(&post), g);  // CUBIC_INTERPOLATE
    r[14] = v2(a, 15, L(&b), 0, 0, f);           // MOVE_TOWARD
    return array_of(r, 15);
}

PUBLIC Variant vector2_raw(Variant v, Variant op, Variant w) { return v2(vec2(v), op.i, L(&w.v[0])); }
PUBLIC Variant vector3_raw(Variant v, Variant op) {
    Vec3 a = vec3(v), b{};
    return integer(sysd(VEC3_OPS, L(&a), L(&b), op.i));
}

static double v3_float(Vec3 &v, Vec3 &w, long op) {
    float f = 0;
    sysd(VEC3_OPS, L(&v), L(&w), op, 0, 0, 0, 0, 0, &f);
    return f;
}

PUBLIC Variant vector3_ops(Variant v, Variant w) {
    Vec3 a = vec3(v), b = vec3(w), out{};
    Variant r[11];
    r[0] = integer((uint32_t)sysd(VEC3_OPS, L(&a), L(&b), 0));  // HASH
    r[1] = real(v3_float(a, b, 1));                             // LENGTH
    sysd(VEC3_OPS, L(&a), L(&out), 2);                          // NORMALIZE into a1
    r[2] = of(out);
    r[3] = of(a);  // unchanged
    r[4] = real(v3_float(a, b, 3));  // DOT
    sysd(VEC3_OPS, L(&a), L(&b), 4, L(&out));  // CROSS at a3
    r[5] = of(out);
    r[6] = real(v3_float(a, b, 5));  // DISTANCE_TO
    r[7] = real(v3_float(a, b, 6));  // DISTANCE_SQ_TO
    r[8] = real(v3_float(a, b, 7));  // ANGLE_TO
    Vec3 in_place = a;
    sysd(VEC3_OPS, L(&in_place), 0, 2);  // NORMALIZE in place (a1 = 0)
    r[9] = of(in_place);
    // FLOOR: fa0, fa1, fa2.
    register long r0 asm("a0") = L(&a);
    register long r1 asm("a1") = 0;
    register long r2 asm("a2") = 11;
    register long r7 asm("a7") = VEC3_OPS;
    register float x asm("fa0");
    register float y asm("fa1");
    register float z asm("fa2");
    asm volatile("ecall" : "+r"(r0), "=f"(x), "=f"(y), "=f"(z) : "r"(r1), "r"(r2), "r"(r7) : "memory");
    r[10] = of(Vec3{x, y, z});
    return array_of(r, 11);
}

int main() {
    set_exit_address();
    fast_exit();
}
