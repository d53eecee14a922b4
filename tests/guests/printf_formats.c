// printf with many conversions, flags, widths and precisions.
#include <stdio.h>
#include <stdint.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <string.h>
#include <stddef.h>

int main(void) {
    // Integers.
    printf("[%d] [%i] [%u] [%x] [%X] [%o]\n", 42, -42, 42u, 0xbeefu, 0xbeefu, 0755u);
    printf("[%5d] [%-5d] [%05d] [%+d] [% d] [%+05d]\n", 42, 42, 42, 42, 42, -42);
    printf("[%#x] [%#o] [%#X] [%.0d] [%.3d] [%8.3d]\n", 255u, 8u, 255u, 0, 7, -7);
    printf("[%hhd] [%hhu] [%hd] [%hu]\n", (signed char)-1, (unsigned char)255, (short)-32768, (unsigned short)65535);
    printf("[%ld] [%lu] [%lld] [%llu]\n", LONG_MIN, ULONG_MAX, LLONG_MAX, 0ULL);
    printf("[%jd] [%zu] [%td]\n", (intmax_t)-123456789012345, (size_t)987654321, (ptrdiff_t)-5);
    printf("[%" PRId64 "] [%" PRIx64 "] [%" PRIu32 "]\n", INT64_MIN, UINT64_MAX, UINT32_MAX);
    printf("[%*d] [%-*d] [%.*d]\n", 6, 13, 6, 13, 4, 13);

    // Floats: %f %e %g %a with widths and precisions.
    double vals[] = {0.0, -0.0, 1.0, -1.5, 3.14159265358979, 1e-300, 6.02214076e23,
                     123456789.125, 0.1, 2.5, 1e16, 5e-324, 1.7976931348623157e308};
    for (unsigned i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        double v = vals[i];
        printf("%f | %.2f | %12.4f | %-12.1f| %e | %.3E | %g | %.10g | %G | %a | %A\n",
               v, v, v, v, v, v, v, v, v, v, v);
    }
    printf("[%+.3f] [% .3f] [%08.2f] [%#.0f] [%#g] [%.0e]\n", 2.0, 2.0, -3.25, 3.0, 1.0, 12345.0);
    printf("[%.15g] [%.17g] [%.20f]\n", 0.1, 0.1, 0.1);
    printf("[%f] [%f] [%f] [%e] [%g] [%a]\n", INFINITY, -INFINITY, NAN, INFINITY, -NAN, INFINITY);
    printf("[%5.1f] [%-8.3e] [%+10.4g]\n", (double)1.0f / 3.0f, 1.0 / 7.0, -2.0 / 3.0);
    printf("[%Lf] [%Le] [%La]\n", 1.0L / 3.0L, 2.0L / 3.0L, 1.0L / 3.0L);
    printf("[%a] [%a] [%.2a]\n", 0x1.fffffffffffffp+1023, 0x1p-1074, 1.0 / 3.0);

    // Strings and characters.
    const char *s = "hello, world";
    printf("[%s] [%10s] [%-10s] [%.5s] [%10.3s] [%c] [%3c] [%%]\n", s, "hi", "hi", s, s, 'x', 'y');
    printf("[%s]\n", "");
    char buf[64];
    int n = snprintf(buf, sizeof buf, "%s-%d-%.2f", "abc", 17, 2.345);
    printf("snprintf %d [%s]\n", n, buf);
    n = snprintf(buf, 8, "%s", "truncated-string");
    printf("snprintf trunc %d [%s]\n", n, buf);
    n = printf("count me\n");
    printf("printf returned %d\n", n);
    fprintf(stdout, "%s %d %c\n", "stdout", 1, 'z');
    fputs("fputs line\n", stdout);
    putchar('!');
    putchar('\n');
    puts("done");
    return 0;
}
