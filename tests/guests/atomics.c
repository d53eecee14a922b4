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
#define AMO(insn, var, format, operand)                                                      \
    do {                                                                                     \
        var = -5;                                                                            \
        __typeof__(var) old;                                                                 \
        __asm__ volatile(insn " %0, %2, (%1)" : "=r"(old) : "r"(&var), "r"(operand) : "memory"); \
        printf(insn " old=" format " new=" format "\n", old, var);                          \
    } while (0)
    AMO("amomin.w", w, "%d", 3);
    AMO("amominu.w", w, "%d", 3);
    AMO("amomax.w", w, "%d", 3);
    AMO("amomaxu.w", w, "%d", 3);
    AMO("amominu.d", d, "%ld", 3L);
    AMO("amomax.d", d, "%ld", 3L);

    // Compare-and-swap compiles to an LR/SC loop.
    int64_t expected = 99;
    int ok = __atomic_compare_exchange_n(&d, &expected, 1234, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    printf("cas(99 -> 1234) on %lld: ok=%d expected=%lld\n", (long long)-5, ok, (long long)expected);
    d = 99;
    ok = __atomic_compare_exchange_n(&d, &expected, 1234, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    printf("cas(99 -> 1234) on 99: ok=%d d=%lld\n", ok, (long long)d);
    return 0;
}
