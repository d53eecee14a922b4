// The guest of tests/hostile_syscalls.rs: random system calls. The numbers are mostly those the
// core implements (Linux's and the native libc calls 480-491), sometimes any below 600; the
// arguments are zero, small numbers, any 64-bit word, negative numbers, pointers into a buffer
// of random bytes, or large sizes. Calls that end the process (exit, kill) are left out so
// that a run goes on; everything else must be answered or fail the call, never panic.
#include <stdint.h>

#define PUBLIC __attribute__((used, retain, noinline))

static uint64_t state;
static unsigned char junk[4096];

// xorshift64*: the same seed gives the same calls.
static uint64_t next(void) {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545F4914F6CDD1Dull;
}

static long argument(void) {
    switch (next() % 8) {
    case 0: return 0;
    case 1: return (long)(next() % 16);
    case 2: return (long)next();
    case 3: return -(long)(next() % 16);
    case 4:
    case 5: return (long)&junk[next() % sizeof junk];
    case 6: return 1L << (next() % 40);
    default: return (long)(next() % 4096);
    }
}

static const long implemented[] = {
    17, 25, 29, 48, 56, 57, 62, 63, 64, 65, 66, 78, 79, 80, 96, 98, 99, 101, 113, 114, 115,
    124, 134, 135, 160, 163, 165, 169, 172, 174, 175, 176, 177, 178, 198, 214, 215, 216, 222,
    226, 233, 261, 278, 291, 480, 481, 482, 483, 484, 485, 486, 487, 488, 490, 491,
};
static const long ending[] = {93, 94, 129, 130, 131};

static long number(void) {
    long n = next() % 4 ? implemented[next() % (sizeof implemented / sizeof *implemented)] : (long)(next() % 600);
    for (unsigned i = 0; i < sizeof ending / sizeof *ending; i++) {
        if (n == ending[i]) return 172;  // getpid
    }
    return n;
}

// Makes `calls` random system calls from `seed`; returns how many.
PUBLIC long fuzz(long seed, long calls) {
    state = ((uint64_t)seed + 1) * 0x9E3779B97F4A7C15ull;
    for (unsigned i = 0; i < sizeof junk; i++) junk[i] = (unsigned char)next();
    long made = 0;
    for (; made < calls; made++) {
        register long a0 __asm__("a0") = argument();
        register long a1 __asm__("a1") = argument();
        register long a2 __asm__("a2") = argument();
        register long a3 __asm__("a3") = argument();
        register long a4 __asm__("a4") = argument();
        register long a5 __asm__("a5") = argument();
        register long a7 __asm__("a7") = number();
        __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5), "r"(a7) : "memory");
    }
    return made;
}

PUBLIC long echo(long x) { return x; }

int main(void) { return 0; }
