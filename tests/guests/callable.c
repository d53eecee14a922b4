// A guest for `rvsandbox call`: main prints and returns, then the host calls the functions below.
#include <stdio.h>
#include <string.h>

#define EXPORT __attribute__((used, retain, noinline))

EXPORT long add(long a, long b) { return a + b; }
EXPORT long sub(long a, long b) { return a - b; }
EXPORT double mul(double a, double b) { return a * b; }
EXPORT double scale(long n, double x) { return (double)n * x; }
EXPORT long strlen_of(const char *s) { return (long)strlen(s); }
EXPORT long sum8(long a, long b, long c, long d, long e, long f, long g, long h) {
    return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h;
}
EXPORT long fib(long n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
EXPORT long loop_forever(void) {
    volatile long counter = 0;
    for (;;) counter++;
    return counter;
}
static long calls;
EXPORT long count_calls(void) { return ++calls; }
EXPORT long print_and_return(const char *s) {
    printf("guest says: %s\n", s);
    fflush(stdout);
    return 7;
}

int main(void) {
    printf("callable ready\n");
    return 0;
}
