// qsort and bsearch over ints, doubles, strings and structs.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

static int cmp_int(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}
static int cmp_double_desc(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}
static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}
struct rec { int key; int order; };
static int cmp_rec(const void *a, const void *b) {
    const struct rec *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->order - y->order;
}

int main(void) {
    enum { N = 200000 };
    int *v = malloc(N * sizeof *v);
    uint32_t s = 12345;
    for (int i = 0; i < N; i++) { s = s * 1103515245u + 12345u; v[i] = (int)(s >> 1) - (1 << 30); }
    qsort(v, N, sizeof *v, cmp_int);
    int sorted = 1;
    long long sum = 0;
    for (int i = 0; i < N; i++) { if (i && v[i - 1] > v[i]) sorted = 0; sum += v[i]; }
    printf("ints sorted=%d min=%d max=%d median=%d sum=%lld\n", sorted, v[0], v[N - 1], v[N / 2], sum);
    int key = v[777];
    int *found = bsearch(&key, v, N, sizeof *v, cmp_int);
    printf("bsearch found=%d value=%d\n", found != NULL, found ? *found : 0);
    int missing = v[0] - 1;
    printf("bsearch missing=%d\n", bsearch(&missing, v, N, sizeof *v, cmp_int) == NULL);
    free(v);

    double d[1000];
    for (int i = 0; i < 1000; i++) d[i] = (double)((i * 7919) % 1000) / 8.0 - 60.0;
    qsort(d, 1000, sizeof d[0], cmp_double_desc);
    printf("doubles first=%a last=%a mid=%g\n", d[0], d[999], d[500]);

    const char *words[] = {"pear", "apple", "fig", "banana", "cherry", "date", "elderberry",
                           "grape", "kiwi", "lemon", "mango", "nectarine", "apple", "Zebra"};
    size_t nw = sizeof words / sizeof words[0];
    qsort(words, nw, sizeof words[0], cmp_str);
    for (size_t i = 0; i < nw; i++) printf("%s%s", words[i], i + 1 < nw ? " " : "\n");

    struct rec r[64];
    for (int i = 0; i < 64; i++) { r[i].key = (i * 37) % 8; r[i].order = i; }
    qsort(r, 64, sizeof r[0], cmp_rec);
    for (int i = 0; i < 64; i += 8) printf("(%d,%d) ", r[i].key, r[i].order);
    printf("\n");
    return 0;
}
