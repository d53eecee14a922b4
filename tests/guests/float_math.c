// Float math and conversions; results printed with %a so they compare bit-exactly.
#include <stdio.h>
#include <math.h>
#include <float.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include <fenv.h>

// Keep the compiler from constant-folding: every input goes through a volatile.
static volatile double vd[] = {0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 1.5, -1.5, 2.5, -2.5, 3.7, -3.7,
                               0.1, 1e-310, 123456.789, -98765.4321, 1e10, 1e19, -1e19, 9.3e18,
                               4294967295.5, 4294967296.0, -2147483648.5, 1e300, -1e300,
                               INFINITY, -INFINITY, NAN};
static volatile float vf[] = {0.0f, -0.0f, 0.5f, -1.5f, 2.5f, 3.7f, 0.1f, 1e-40f, 16777217.0f,
                              3.4e38f, -1e10f, INFINITY, -INFINITY, NAN};
#define ND (int)(sizeof vd / sizeof vd[0])
#define NF (int)(sizeof vf / sizeof vf[0])

static uint64_t bits(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }
static uint32_t fbits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

// Print a double exactly; NaNs print their bits too since %a loses the payload/sign.
static void pd(const char *label, double d) {
    if (isnan(d)) printf("%s = nan(%016llx)\n", label, (unsigned long long)bits(d));
    else printf("%s = %a\n", label, d);
}
static void pf(const char *label, float f) {
    if (isnan(f)) printf("%s = nanf(%08x)\n", label, fbits(f));
    else printf("%s = %a\n", label, (double)f);
}

// Safe float->int casts (out-of-range casts are UB in C, so clamp via the rounding functions).
static long long to_ll(double d) {
    if (isnan(d)) return 0;
    if (d >= 9.2e18) return INT64_MAX;
    if (d <= -9.2e18) return INT64_MIN;
    return (long long)d;
}

int main(void) {
    volatile double two = 2.0, three = 3.0, ten = 10.0;
    pd("sqrt(2)", sqrt(two));
    pd("sqrtf(2)", sqrtf((float)two));
    pd("sqrt(-1)", sqrt(-(double)two + 1.0));
    pd("cbrt(10)", cbrt(ten));
    pd("sin(1)", sin(1.0 * two / 2.0));
    pd("cos(1)", cos(1.0 * two / 2.0));
    pd("tan(0.5)", tan(two / 4.0));
    pd("sin(1e6)", sin(1e6 * two / 2.0));
    pd("atan2(1,-3)", atan2(1.0, -three));
    pd("asin(0.3)", asin(three / 10.0));
    pd("exp(3)", exp(three));
    pd("exp(-745)", exp(-745.0 * two / 2.0));
    pd("expm1(1e-5)", expm1(1e-5 * two / 2.0));
    pd("log(10)", log(ten));
    pd("log2(3)", log2(three));
    pd("log10(3)", log10(three));
    pd("log1p(1e-8)", log1p(1e-8 * two / 2.0));
    pd("pow(2,0.5)", pow(two, 0.5));
    pd("pow(3,40)", pow(three, 40.0));
    pd("pow(-2,3)", pow(-two, 3.0));
    pd("pow(10,-3)", pow(ten, -3.0));
    pd("fmod(10,3)", fmod(ten, three));
    pd("fmod(-10,3)", fmod(-ten, three));
    pd("remainder(10,3)", remainder(ten, three));
    pd("hypot(3,4)", hypot(three, 4.0));
    pd("sinh(2)", sinh(two));
    pd("tanh(0.5)", tanh(two / 4.0));
    pf("sinf(1)", sinf((float)two / 2.0f));
    pf("expf(3)", expf((float)three));
    pf("logf(10)", logf((float)ten));
    pf("powf(3,5.5)", powf((float)three, 5.5f));
    pd("fma(0.1,10,-1)", fma(0.1 * two / 2.0, ten, -1.0));
    pd("0.1*10-1", 0.1 * two / 2.0 * ten - 1.0);
    pf("fmaf(0.1,10,-1)", fmaf(0.1f * (float)two / 2.0f, (float)ten, -1.0f));
    pd("fma(inf,0,1)", fma(INFINITY * two, 0.0 * two, 1.0));
    pd("1/3", 1.0 / three);
    pf("1f/3f", 1.0f / (float)three);
    pd("float(1/3) widened", (double)(1.0f / (float)three));
    pf("double(1/3) narrowed", (float)(1.0 / three));
    pd("float*double", (float)three * 0.1);
    pd("1/0", 1.0 / (two - 2.0));
    pd("-1/0", -1.0 / (two - 2.0));
    pd("0/0", (two - 2.0) / (two - 2.0));
    pd("inf-inf", INFINITY * two - INFINITY * two);
    pd("nextafter(1,2)", nextafter(1.0, two));
    pd("ldexp(1,-1074)", ldexp(1.0, -1074 * (int)(two / 2.0)));
    int e;
    pd("frexp(48)", frexp(48.0 * two / 2.0, &e));
    printf("frexp exp = %d\n", e);
    double ip;
    pd("modf(-3.75) frac", modf(-3.75 * two / 2.0, &ip));
    pd("modf(-3.75) int", ip);
    printf("ilogb(1000) = %d\n", ilogb(1000.0 * two / 2.0));

    // Rounding functions over the whole table.
    for (int i = 0; i < ND; i++) {
        double d = vd[i];
        printf("d[%d]=%a floor=%a ceil=%a trunc=%a round=%a rint=%a nearbyint=%a\n", i, d,
               floor(d), ceil(d), trunc(d), round(d), rint(d), nearbyint(d));
        printf("  lround=%ld llrint=%lld (ll)=%lld (int)=%d (unsigned)=%u fabs=%a copysign=%a signbit=%d\n",
               isfinite(d) && fabs(d) < 9e18 ? lround(d) : 0L,
               isfinite(d) && fabs(d) < 9e18 ? llrint(d) : 0LL, to_ll(d),
               isfinite(d) && fabs(d) < 2e9 ? (int)d : -1,
               isfinite(d) && d > -1.0 && d < 4e9 ? (unsigned)d : 7u, fabs(d), copysign(3.0, d),
               signbit(d) != 0);
        printf("  fpclassify=%d isnan=%d isinf=%d isnormal=%d float=%a\n", fpclassify(d), isnan(d) != 0,
               isinf(d) != 0, isnormal(d) != 0, (double)(float)d);
    }
    for (int i = 0; i < NF; i++) {
        float f = vf[i];
        printf("f[%d]=%a floorf=%a roundf=%a rintf=%a lrintf=%ld (int)=%d as-double=%a half=%a\n", i,
               (double)f, (double)floorf(f), (double)roundf(f), (double)rintf(f),
               isfinite(f) && fabsf(f) < 1e18f ? lrintf(f) : 0L, isfinite(f) && fabsf(f) < 2e9f ? (int)f : -1,
               (double)f, (double)(f * 0.5f));
    }

    // Rounding modes.
    int modes[] = {FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO};
    const char *names[] = {"nearest", "down", "up", "zero"};
    for (int m = 0; m < 4; m++) {
        fesetround(modes[m]);
        printf("%s: rint(2.5)=%a rint(-2.5)=%a rint(3.5)=%a lrint(-1.5)=%ld nearbyint(0.5)=%a\n", names[m],
               rint(2.5 * two / 2.0), rint(-2.5 * two / 2.0), rint(3.5 * two / 2.0), lrint(-1.5 * two / 2.0),
               nearbyint(0.5 * two / 2.0));
    }
    fesetround(FE_TONEAREST);

    // fmin/fmax with NaN and signed zeros.
    volatile double nan_v = NAN, pz = 0.0, nz = -0.0, one = 1.0;
    pd("fmin(nan,1)", fmin(nan_v, one));
    pd("fmax(1,nan)", fmax(one, nan_v));
    pd("fmin(nan,nan)", fmin(nan_v, nan_v));
    pd("fmin(+0,-0)", fmin(pz, nz));
    pd("fmin(-0,+0)", fmin(nz, pz));
    pd("fmax(+0,-0)", fmax(pz, nz));
    pd("fmax(-0,+0)", fmax(nz, pz));
    pf("fminf(nan,1)", fminf((float)nan_v, (float)one));
    pf("fmaxf(-0,+0)", fmaxf((float)nz, (float)pz));
    pd("fdim(5,3)", fdim(5.0 * one, 3.0));

    // Integer <-> float conversions, including negative and large values.
    volatile long long lls[] = {0, 1, -1, 123456789, -987654321, 9007199254740993LL, -9007199254740993LL,
                                INT64_MAX, INT64_MIN, 4611686018427387905LL};
    for (unsigned i = 0; i < sizeof lls / sizeof lls[0]; i++) {
        long long v = lls[i];
        printf("ll %lld -> double %a float %a; as unsigned -> double %a float %a\n", v, (double)v,
               (double)(float)v, (double)(unsigned long long)v, (double)(float)(unsigned long long)v);
    }
    volatile int is[] = {0, -1, 2147483647, -2147483647 - 1, 16777217, -16777217};
    for (unsigned i = 0; i < sizeof is / sizeof is[0]; i++) {
        int v = is[i];
        printf("int %d -> float %a double %a; unsigned -> float %a double %a\n", v, (double)(float)v,
               (double)v, (double)(float)(unsigned)v, (double)(unsigned)v);
    }
    volatile double big = 1.8e19;
    printf("(unsigned long long)1.8e19 = %llu\n", (unsigned long long)big);
    printf("(long long)-9.2e18 = %lld\n", (long long)(-big / 1.8e19 * 9.2e18));

    // printf of special values and strtod round-trips.
    printf("specials: %f %f %f %e %g %a %.3f\n", INFINITY * one, -INFINITY * one, NAN * one, -INFINITY * one,
           INFINITY * one, -NAN * one, -0.0 * one);
    const char *strs[] = {"0.1", "1e-320", "-2.5e+300", "0x1.8p3", "inf", "-nan", "3.14159265358979323846264"};
    for (unsigned i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        double d = strtod(strs[i], NULL);
        if (isnan(d)) printf("strtod(%s) = nan sign=%d\n", strs[i], signbit(d) != 0);
        else printf("strtod(%s) = %a = %.17g\n", strs[i], d, d);
    }
    printf("strtof(0.1) = %a\n", (double)strtof("0.1", NULL));

    // A small numeric kernel mixing float and double.
    double acc = 0.0;
    float facc = 0.0f;
    for (int i = 1; i <= 10000; i++) {
        acc += 1.0 / ((double)i * i);
        facc += 1.0f / (float)i;
    }
    pd("sum 1/i^2", acc);
    pf("sum 1/i (float)", facc);
    pd("pi estimate", sqrt(acc * 6.0));
    return 0;
}
