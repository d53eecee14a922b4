// The guest side of tests/native_code.rs: loops that the JIT compiles, each run both compiled and
// interpreted, whose results, instruction counts and faults must be the same.
#include <stdatomic.h>
#include <string.h>

#define PUBLIC __attribute__((used, retain, noinline))

static long table[512];

// Integer arithmetic of every kind (M extension included), loads and stores of every width,
// branches both ways. The same `n` always gives the same result.
PUBLIC long mix(long n) {
    unsigned long h = 0x9e3779b97f4a7c15ul;
    for (int i = 0; i < 512; i++) table[i] = i;
    for (long i = 0; i < n; i++) {
        long slot = (long)(h % 512);
        table[slot] += (long)h ^ i;
        unsigned char *bytes = (unsigned char *)&table[(i * 7) & 511];
        bytes[i & 7] ^= (unsigned char)i;
        short *halves = (short *)&table[(i * 3) & 511];
        halves[i & 3] += (short)(h >> 17);
        int *words = (int *)&table[(i * 5) & 511];
        words[i & 1] -= (int)(h >> 29);
        h = h * 6364136223846793005ul + 1442695040888963407ul;
        long q = (long)h / ((i & 15) - 8);  // divisors from -8 to 7, zero included
        long r = (long)h % ((i & 7) - 4);
        unsigned long uq = h / (unsigned long)(i & 3);
        int w = (int)h / ((int)(i & 31) - 16);
        h ^= (unsigned long)(q + r + (long)uq + w) + ((h >> 32) * (h & 0xffffffff));
        if ((long)h < 0) h = ~h;
    }
    long sum = 0;
    for (int i = 0; i < 512; i++) sum = sum * 31 + table[i];
    return sum;
}

// Floating point and atomics run through their interpreter handlers inside native code.
PUBLIC long floats_and_atomics(long n) {
    static _Atomic long counter;
    double x = 1.0;
    for (long i = 0; i < n; i++) {
        x = x * 1.0000001 + (double)(i & 3);
        atomic_fetch_add(&counter, i);
    }
    return (long)x + atomic_load(&counter);
}

// Divides by three `n` times; returns the exception flags raised (times 1000) and whether the
// value reached zero. The flags come from the host when native code divides.
PUBLIC long division_flags(long n) {
    volatile double three = 3.0;
    double x = 1.0;
    __asm__ volatile("fsflags zero");
    for (long i = 0; i < n; i++) x = x / three;
    long flags;
    __asm__ volatile("frflags %0" : "=r"(flags));
    return flags * 1000 + (x == 0.0);
}

// The same arithmetic rounded toward zero: native code must not run it with its round-to-nearest.
PUBLIC long rounded_toward_zero(long n) {
    volatile double three = 3.0;
    double x = 1.0;
    __asm__ volatile("fsrmi 1");  // round toward zero
    for (long i = 0; i < n; i++) x = x / three + 1.0;
    __asm__ volatile("fsrmi 0");  // round to nearest-even
    long bits;
    memcpy(&bits, &x, sizeof bits);
    return bits;
}

// Reads `n` longs from `p` on: with a large `n` it runs off the end of memory.
PUBLIC long walk(const volatile long *p, long n) {
    long sum = 0;
    for (long i = 0; i < n; i++) sum += p[i];
    return sum;
}

// Writes `n` bytes from `p` on, one at a time.
PUBLIC long fill(volatile char *p, long n) {
    for (long i = 0; i < n; i++) p[i] = (char)i;
    return n;
}

// Atomic adds to `n` longs from `p` on: the fault comes from a handler called by native code.
PUBLIC long atomic_walk(_Atomic long *p, long n) {
    for (long i = 0; i < n; i++) atomic_fetch_add(&p[i], 1);
    return n;
}

// One access of `size` bytes (1, 2, 4 or 8) at `addr`, whatever its alignment: a load returns
// what it read, a store the size.
PUBLIC long load_sized(long addr, long size) {
    switch (size) {
    case 1: return *(volatile unsigned char *)addr;
    case 2: return *(volatile unsigned short *)addr;
    case 4: return *(volatile unsigned int *)addr;
    default: return *(volatile long *)addr;
    }
}

PUBLIC long store_sized(long addr, long size) {
    switch (size) {
    case 1: *(volatile unsigned char *)addr = 0x5a; break;
    case 2: *(volatile unsigned short *)addr = 0x5a5a; break;
    case 4: *(volatile unsigned int *)addr = 0x5a5a5a5a; break;
    default: *(volatile long *)addr = 0x5a5a5a5a5a5a5a5a; break;
    }
    return size;
}

// The same through the floating-point registers (fld/flw, fsd/fsw); 4 or 8 bytes.
PUBLIC long load_float_sized(long addr, long size) {
    if (size == 4) return (long)*(volatile float *)addr;
    return (long)*(volatile double *)addr;
}

PUBLIC long store_float_sized(long addr, long size) {
    if (size == 4) *(volatile float *)addr = 1.5f;
    else *(volatile double *)addr = 1.5;
    return size;
}

PUBLIC long spin(void) {
    for (;;) __asm__ volatile("");
}

// A recursive function: calls and returns chain from one compiled region to another.
// Has the host clear 64 KiB (system call 486, memset), which it charges after the fact as the
// stores would have cost, then spins: with a small budget the count is already past the budget's
// end when the spin starts, and native code must stop at once, as the interpreter does.
static char scratch[65536];
PUBLIC long charge_then_spin(void) {
    register long a0 __asm__("a0") = (long)scratch;
    register long a1 __asm__("a1") = 0;
    register long a2 __asm__("a2") = sizeof scratch;
    register long a7 __asm__("a7") = 486;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
    for (;;) __asm__ volatile("");
}

PUBLIC long fib(long n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

int main(void) { return 0; }
