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

PUBLIC long add(long a, long b) { return a + b; }
PUBLIC double fmul(double a, double b) { return a * b; }
PUBLIC float fadd32(float a, float b) { return a + b; }
PUBLIC long sum8(long a, long b, long c, long d, long e, long f, long g, long h) {
    return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h;
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

// Host call 502 calls the registered callback from inside the handler (a preempted call).
PUBLIC long call_through_host(long x) {
    long s0_before;
    __asm__ volatile("mv %0, s0" : "=r"(s0_before));
    long r = host_call(502, x, 0);
    long s0_after;
    __asm__ volatile("mv %0, s0" : "=r"(s0_after));
    return s0_before == s0_after ? r + 1 : -1;
}

// Host call 503 stops the machine.
PUBLIC long stop_early(void) { host_call(503, 0, 0); return 99; }

PUBLIC long loop_forever(void) { for (;;) __asm__ volatile(""); }
PUBLIC long read_null(void) { return *(volatile long *)8; }
PUBLIC long write_code(void) { *(volatile long *)(void *)&add = 0; return 0; }

PUBLIC long counter;
PUBLIC long bump(void) { return ++counter; }

int main(void) {
    printf("host_api ready\n");
    return 0;
}
