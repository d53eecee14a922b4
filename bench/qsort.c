// qsort of 1.5 million ints through a comparison callback.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int cmp(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int main(void) {
    const size_t n = 1500000;
    int *v = malloc(n * sizeof *v);
    if (!v) return 1;
    uint32_t s = 2463534242u;
    for (size_t i = 0; i < n; i++) {
        s ^= s << 13; s ^= s >> 17; s ^= s << 5;
        v[i] = (int)s;
    }
    qsort(v, n, sizeof *v, cmp);
    uint64_t h = 1469598103934665603ull;
    int sorted = 1;
    for (size_t i = 0; i < n; i++) {
        if (i && v[i - 1] > v[i]) sorted = 0;
        h = (h ^ (uint32_t)v[i]) * 1099511628211ull;
    }
    printf("sorted=%d min=%d max=%d median=%d hash=%016llx\n", sorted, v[0], v[n - 1], v[n / 2], (unsigned long long)h);
    free(v);
    return 0;
}
