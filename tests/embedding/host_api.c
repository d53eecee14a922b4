// The guest side of tests/embedding_api.rs: functions the host calls, and host calls (500+)
// that the test installs.
#include <stdio.h>
#include <string.h>

#define PUBLIC __attribute__((used, retain, noinline))

static long host_call(long number, long a0, long a1) {
    register long a7 __asm__("a7") = number;
    register long r0 __asm__("a0") = a0;
    register long r1 __asm__("a1") = a1;
    __asm__ volatile("ecall" : "+r"(r0) : "r"(r1), "r"(a7) : "memory");
    return r0;
}

static long host_call3(long number, long a0, long a1, long a2) {
    register long a7 __asm__("a7") = number;
    register long r0 __asm__("a0") = a0;
    register long r1 __asm__("a1") = a1;
    register long r2 __asm__("a2") = a2;
    __asm__ volatile("ecall" : "+r"(r0) : "r"(r1), "r"(r2), "r"(a7) : "memory");
    return r0;
}

// The godot-sandbox "native" libc calls (480-491), used directly. Returns a bit mask of the
// checks that passed (all 7: 127).
PUBLIC long native_functions(void) {
    long ok = 0;
    char *p = (char *)host_call(480, 100, 0);                 // malloc
    char *q = (char *)host_call(481, 10, 10);                 // calloc
    ok |= (p && q && ((long)p & 15) == 0 && q[99] == 0) << 0;
    host_call3(486, (long)p, 'x', 100);                       // memset
    host_call3(485, (long)q, (long)p, 100);                   // memcpy
    ok |= (host_call3(488, (long)p, (long)q, 100) == 0) << 1; // memcmp equal
    q[99] = 'y';
    ok |= (host_call3(488, (long)p, (long)q, 100) < 0) << 2;  // memcmp ordered
    q[10] = 0;
    ok |= (host_call(490, (long)q, 0) == 10) << 3;            // strlen
    p[10] = 0;
    ok |= (host_call3(491, (long)p, (long)q, 4096) == 0) << 4; // strcmp equal
    p[5] = 'a';
    ok |= (host_call3(491, (long)p, (long)q, 4096) < 0) << 5;  // strcmp ordered
    char *r = (char *)host_call(482, (long)p, 5000);          // realloc keeps the contents
    ok |= (r && r[5] == 'a' && r[4] == 'x') << 6;
    host_call(483, (long)r, 0);                               // free
    host_call(483, (long)q, 0);
    return ok;
}

// System call 450 is not Linux's nor godot-sandbox's: it must answer -ENOSYS.
PUBLIC long unknown_syscall(void) { return host_call(450, 0, 0); }

// Makes the host do work (native memset of 64 KiB) in a loop, counting the rounds.
PUBLIC long rounds;
PUBLIC long host_work_forever(void) {
    char *buffer = (char *)host_call(480, 65536, 0);
    for (;;) {
        host_call3(486, (long)buffer, 0, 65536);
        rounds++;
    }
}

PUBLIC long bad_free(void) { return host_call(483, 12345, 0); }

// Holds two chunks, then grows the first where it cannot grow in place; returns whether realloc
// succeeded (with at most two chunks allowed, the moved chunk is a third for a moment).
PUBLIC long realloc_two_chunks(void) {
    long a = host_call(480, 16, 0), b = host_call(480, 16, 0);
    long c = host_call(482, a, 4096);
    host_call(483, b, 0);
    host_call(483, c ? c : a, 0);
    return a != 0 && b != 0 && c != 0;
}

// Allocates up to `n` chunks with the native malloc (stopping at the first null), frees them
// all, and returns how many it got.
PUBLIC long allocate_and_free(long n) {
    static long chunks[8192];
    long got = 0;
    while (got < n && got < 8192 && (chunks[got] = host_call(480, 16, 0)) != 0) got++;
    for (long i = 0; i < got; i++) host_call(483, chunks[i], 0);
    return got;
}

PUBLIC long add(long a, long b) { return a + b; }
PUBLIC double fmul(double a, double b) { return a * b; }
PUBLIC float fadd32(float a, float b) { return a + b; }
PUBLIC long sum8(long a, long b, long c, long d, long e, long f, long g, long h) {
    return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h;
}
PUBLIC long sum12(long a, long b, long c, long d, long e, long f, long g, long h, long i, long j, long k,
                  long l) {
    return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h + 9 * i + 10 * j + 11 * k + 12 * l;
}
// Ten doubles: the last two travel in integer registers (the psABI rule for overflow floats).
PUBLIC double fsum10(double a, double b, double c, double d, double e, double f, double g, double h, double i,
                     double j) {
    return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h + 9 * i + 10 * j;
}
PUBLIC double mixed(long a, double x, long b, double y) { return a * x + b * y; }
PUBLIC long strlen_of(const char *s) { return (long)strlen(s); }

struct point { long x, y; };
PUBLIC long point_sum(const struct point *p) { return p->x * 10 + p->y; }

// Host call 500 adds its two arguments on the host.
PUBLIC long host_add(long a, long b) { return host_call(500, a, b); }

// The function-reference pattern: hand the host a function pointer, which it calls later.
PUBLIC long twice(long x) { return 2 * x; }
PUBLIC long register_callback(void) { return host_call(501, (long)&twice, 0); }

// A callback that exits the program (status 5) from inside a nested call.
PUBLIC long exit_now(long x) { return host_call(93, 5 + 0 * x, 0); }
PUBLIC long register_exit_callback(void) { return host_call(501, (long)&exit_now, 0); }
extern long counter;
// Calls the registered callback through the host, then marks that it continued.
PUBLIC long call_back_then_count(long x) {
    long r = host_call(502, x, 0);
    counter += 100;
    return r;
}

// Host call 502 calls the registered callback from inside the handler (a preempted call).
PUBLIC long call_through_host(long x) {
    long s0_before;
    __asm__ volatile("mv %0, s0" : "=r"(s0_before));
    long r = host_call(502, x, 0);
    long s0_after;
    __asm__ volatile("mv %0, s0" : "=r"(s0_after));
    return s0_before == s0_after ? r + 1 : -1;
}

// A callback that breaks the calling convention on purpose: it overwrites every integer
// register but ra, sp, gp and tp, every floating-point register, and the rounding mode.
__asm__(".globl clobber_everything\n"
        "clobber_everything:\n"
        "  li t0, -1\n  li t1, -1\n  li t2, -1\n  li t3, -1\n  li t4, -1\n  li t5, -1\n  li t6, -1\n"
        "  li s0, -1\n  li s1, -1\n  li s2, -1\n  li s3, -1\n  li s4, -1\n  li s5, -1\n"
        "  li s6, -1\n  li s7, -1\n  li s8, -1\n  li s9, -1\n  li s10, -1\n  li s11, -1\n"
        "  li a1, -1\n  li a2, -1\n  li a3, -1\n  li a4, -1\n  li a5, -1\n  li a6, -1\n  li a7, -1\n"
        "  fmv.d.x f0, t0\n  fmv.d.x f1, t0\n  fmv.d.x f2, t0\n  fmv.d.x f3, t0\n"
        "  fmv.d.x f4, t0\n  fmv.d.x f5, t0\n  fmv.d.x f6, t0\n  fmv.d.x f7, t0\n"
        "  fmv.d.x f8, t0\n  fmv.d.x f9, t0\n  fmv.d.x f10, t0\n  fmv.d.x f11, t0\n"
        "  fmv.d.x f12, t0\n  fmv.d.x f13, t0\n  fmv.d.x f14, t0\n  fmv.d.x f15, t0\n"
        "  fmv.d.x f16, t0\n  fmv.d.x f17, t0\n  fmv.d.x f18, t0\n  fmv.d.x f19, t0\n"
        "  fmv.d.x f20, t0\n  fmv.d.x f21, t0\n  fmv.d.x f22, t0\n  fmv.d.x f23, t0\n"
        "  fmv.d.x f24, t0\n  fmv.d.x f25, t0\n  fmv.d.x f26, t0\n  fmv.d.x f27, t0\n"
        "  fmv.d.x f28, t0\n  fmv.d.x f29, t0\n  fmv.d.x f30, t0\n  fmv.d.x f31, t0\n"
        "  fsrmi 1\n"
        "  ret\n");
long clobber_everything(long x);
PUBLIC long register_clobber_callback(void) { return host_call(501, (long)&clobber_everything, 0); }

// Holds values in caller-saved and callee-saved registers, integer and floating point, across
// host call 502, which runs the registered callback nested. Returns the call's result if every
// value (and the rounding mode) survived, -1 if one did not.
PUBLIC long registers_survive_nested_call(long x) {
    register long r0 __asm__("a0") = x;
    register long r1 __asm__("a1") = 0;
    register long a7 __asm__("a7") = 502;
    register long t4 __asm__("t4") = 777;
    register long s3 __asm__("s3") = 12345;
    register long a5 __asm__("a5") = 99;
    register double ft3 __asm__("ft3") = 2.5;
    register double fs1 __asm__("fs1") = 1.5;
    register double fa2 __asm__("fa2") = -8.0;
    __asm__ volatile("ecall"
                     : "+r"(r0), "+r"(t4), "+r"(s3), "+r"(a5), "+f"(ft3), "+f"(fs1), "+f"(fa2)
                     : "r"(r1), "r"(a7)
                     : "memory");
    long rounding;
    __asm__ volatile("frrm %0" : "=r"(rounding));
    int kept = t4 == 777 && s3 == 12345 && a5 == 99 && ft3 == 2.5 && fs1 == 1.5 && fa2 == -8.0;
    return kept && rounding == 0 ? r0 : -1;
}

// Host call 503 stops the machine.
PUBLIC long stop_early(void) { host_call(503, 0, 0); return 99; }
// Host call 504 calls the registered callback with an argument that does not fit on the stack.
PUBLIC long nested_call_with_too_much(void) { return host_call(504, 0, 0); }

PUBLIC long loop_forever(void) { for (;;) __asm__ volatile(""); }
PUBLIC long read_null(void) { return *(volatile long *)8; }
// Straight-line code longer than the interpreter's blocks (64 instructions): 100 increments, a
// load from `p`, 100 more increments. Returns 200 plus what `p` points to.
PUBLIC long long_block(const long *p) {
    long sum = 0, loaded;
    __asm__ volatile(".rept 100\n addi %0, %0, 1\n .endr\n"
                     "ld %1, 0(%2)\n"
                     ".rept 100\n addi %0, %0, 1\n .endr\n"
                     : "+r"(sum), "=&r"(loaded)
                     : "r"(p)
                     : "memory");
    return sum + loaded;
}
PUBLIC long write_code(void) { *(volatile long *)(void *)&add = 0; return 0; }

// Any system call with up to four arguments, for tests that pass hostile values.
PUBLIC long raw_syscall(long number, long a0, long a1, long a2, long a3) {
    register long a7 __asm__("a7") = number;
    register long r0 __asm__("a0") = a0;
    register long r1 __asm__("a1") = a1;
    register long r2 __asm__("a2") = a2;
    register long r3 __asm__("a3") = a3;
    __asm__ volatile("ecall" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r3), "r"(a7) : "memory");
    return r0;
}

// mremap that has to move a mapping of `pages` pages (the page after it is taken) and double it:
// returns the new address if the contents moved with it, a value <= 0 otherwise.
PUBLIC long remap_moves(long pages) {
    const long MMAP = 222, MREMAP = 216, MUNMAP = 215, PROT_RW = 3, MAP_PRIVATE_ANON = 0x22;
    long len = pages * 4096;
    char *a = (char *)raw_syscall(MMAP, 0, len, PROT_RW, MAP_PRIVATE_ANON);
    char *b = (char *)raw_syscall(MMAP, 0, 4096, PROT_RW, MAP_PRIVATE_ANON);
    if (b != a + len) return -1;
    a[0] = 'r';
    a[len - 1] = 'v';
    char *moved = (char *)raw_syscall(MREMAP, (long)a, len, 2 * len, 1 /* MREMAP_MAYMOVE */);
    long ok = moved != a && moved[0] == 'r' && moved[len - 1] == 'v' && moved[2 * len - 1] == 0;
    raw_syscall(MUNMAP, (long)moved, 2 * len, 0, 0);
    raw_syscall(MUNMAP, (long)b, 4096, 0, 0);
    return ok ? (long)moved : 0;
}

PUBLIC long counter;
PUBLIC long bump(void) { return ++counter; }

// A store-conditional to `p` after a load-reserved from it: 0 when it stored. On read-only
// memory the store faults, which must be reported (not turned into a failed store-conditional).
PUBLIC long store_conditional(long *p) {
    long value, failed;
    __asm__ volatile("lr.d %0, (%2)\n\tsc.d %1, %0, (%2)" : "=&r"(value), "=&r"(failed) : "r"(p) : "memory");
    return failed;
}

int main(void) {
    printf("host_api ready\n");
    return 0;
}
