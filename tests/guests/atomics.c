// RV64A: every AMO in both widths, and LR/SC through compare-and-swap, on values whose signs
// and high bits tell the signed and unsigned forms apart.
#include <stdint.h>
#include <stdio.h>

static int32_t w;
static int64_t d;

#define SHOW32(op, value)                                                       \
    do {                                                                        \
        w = -5;                                                                 \
        int32_t old = op(&w, value, __ATOMIC_SEQ_CST);                          \
        printf("%-22s old=%d new=%d\n", #op "(i32)", old, w);                   \
    } while (0)
#define SHOW64(op, value)                                                       \
    do {                                                                        \
        d = -5000000000LL;                                                      \
        int64_t old = op(&d, value, __ATOMIC_SEQ_CST);                          \
        printf("%-22s old=%lld new=%lld\n", #op "(i64)", (long long)old, (long long)d); \
    } while (0)

int main(void) {
    SHOW32(__atomic_fetch_add, 7);
    SHOW32(__atomic_fetch_and, 0x0ff0);
    SHOW32(__atomic_fetch_or, 0x100);
    SHOW32(__atomic_fetch_xor, -1);
    SHOW32(__atomic_exchange_n, 99);
    SHOW64(__atomic_fetch_add, 7);
    SHOW64(__atomic_fetch_and, 0x0ff0);
    SHOW64(__atomic_fetch_or, 0x100);
    SHOW64(__atomic_fetch_xor, -1);
    SHOW64(__atomic_exchange_n, 99);

    // min/max have no C builtin that is guaranteed to use AMOMIN/AMOMAX: use them directly.
    int32_t r32;
    int64_t r64;
    w = -5;
    __asm__ volatile("amomin.w %0, %2, (%1)" : "=r"(r32) : "r"(&w), "r"(3) : "memory");
    printf("amomin.w old=%d new=%d\n", r32, w);
    w = -5;
    __asm__ volatile("amominu.w %0, %2, (%1)" : "=r"(r32) : "r"(&w), "r"(3) : "memory");
    printf("amominu.w old=%d new=%d\n", r32, w);
    w = -5;
    __asm__ volatile("amomax.w %0, %2, (%1)" : "=r"(r32) : "r"(&w), "r"(3) : "memory");
    printf("amomax.w old=%d new=%d\n", r32, w);
    w = -5;
    __asm__ volatile("amomaxu.w %0, %2, (%1)" : "=r"(r32) : "r"(&w), "r"(3) : "memory");
    printf("amomaxu.w old=%d new=%d\n", r32, w);
    d = -5;
    __asm__ volatile("amominu.d %0, %2, (%1)" : "=r"(r64) : "r"(&d), "r"(3L) : "memory");
    printf("amominu.d old=%lld new=%lld\n", (long long)r64, (long long)d);
    d = -5;
    __asm__ volatile("amomax.d %0, %2, (%1)" : "=r"(r64) : "r"(&d), "r"(3L) : "memory");
    printf("amomax.d old=%lld new=%lld\n", (long long)r64, (long long)d);

    // Compare-and-swap compiles to an LR/SC loop.
    int64_t expected = 99;
    int ok = __atomic_compare_exchange_n(&d, &expected, 1234, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    printf("cas(99 -> 1234) on %lld: ok=%d expected=%lld\n", (long long)-5, ok, (long long)expected);
    d = 99;
    ok = __atomic_compare_exchange_n(&d, &expected, 1234, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    printf("cas(99 -> 1234) on 99: ok=%d d=%lld\n", ok, (long long)d);
    return 0;
}
