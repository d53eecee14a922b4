// Sieve of Eratosthenes up to 10 million: byte stores and strided loops.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    const long n = 10000000;
    unsigned char *composite = calloc(n + 1, 1);
    if (!composite) return 1;
    for (long i = 2; i * i <= n; i++)
        if (!composite[i])
            for (long j = i * i; j <= n; j += i) composite[j] = 1;
    long count = 0, last = 0;
    unsigned long sum = 0;
    for (long i = 2; i <= n; i++)
        if (!composite[i]) { count++; last = i; sum += (unsigned long)i; }
    printf("primes below %ld: %ld, largest %ld, sum %lu\n", n, count, last, sum);
    free(composite);
    return 0;
}
