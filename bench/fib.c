// Recursive Fibonacci: call/return heavy.
#include <stdio.h>

__attribute__((noinline)) static long fib(long n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

int main(void) {
    volatile long n = 32;
    printf("fib(%ld) = %ld\n", (long)n, fib(n));
    return 0;
}
