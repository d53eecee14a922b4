// Recursion 100000 deep with a moderate frame, plus mutual recursion.
#include <stdio.h>

__attribute__((noinline)) static long deep(long depth, long acc) {
    volatile long frame[6];
    for (int i = 0; i < 6; i++) frame[i] = depth * (i + 1) + acc;
    if (depth == 0) return frame[5] & 0xffff;
    long r = deep(depth - 1, acc + (depth & 7));
    return r + (frame[2] & 1);
}

__attribute__((noinline)) static int is_odd(unsigned n);
__attribute__((noinline)) static int is_even(unsigned n) { return n == 0 ? 1 : is_odd(n - 1); }
__attribute__((noinline)) static int is_odd(unsigned n) { return n == 0 ? 0 : is_even(n - 1); }

static unsigned long ackermann(unsigned long m, unsigned long n) {
    if (m == 0) return n + 1;
    if (n == 0) return ackermann(m - 1, 1);
    return ackermann(m - 1, ackermann(m, n - 1));
}

int main(void) {
    printf("deep(100000) = %ld\n", deep(100000, 0));
    printf("is_even(50001) = %d\n", is_even(50001));
    printf("ackermann(2, 500) = %lu\n", ackermann(2, 500));
    printf("ackermann(3, 6) = %lu\n", ackermann(3, 6));
    return 0;
}
