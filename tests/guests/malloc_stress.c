// Heavy malloc/free/realloc including allocations above the mmap threshold.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t next_rand(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

// Pattern the first 4 KiB byte by byte and then one byte per 4 KiB page: cheap, yet it touches
// every page of large (mmap-backed) blocks and catches lost or moved contents.
static unsigned char pat(size_t i, unsigned seed) { return (unsigned char)(seed + i * 31 + (i >> 12)); }
static void fill(unsigned char *p, size_t n, unsigned seed) {
    for (size_t i = 0; i < n; i = i < 4096 ? i + 1 : i + 4096) p[i] = pat(i, seed);
    if (n) p[n - 1] = pat(n - 1, seed);
}
static int check(const unsigned char *p, size_t n, unsigned seed) {
    for (size_t i = 0; i < n; i = i < 4096 ? i + 1 : i + 4096)
        if (p[i] != pat(i, seed)) return 0;
    return 1;
}

#define SLOTS 512

int main(void) {
    static unsigned char *ptr[SLOTS];
    static size_t len[SLOTS];
    static unsigned tag[SLOTS];
    unsigned long errors = 0, allocs = 0, frees = 0, reallocs = 0;
    uint64_t checksum = 0;

    // Phase 1: random churn over many sizes, small to large (> 128 KiB uses mmap).
    for (int round = 0; round < 20000; round++) {
        unsigned i = next_rand() % SLOTS;
        if (ptr[i]) {
            if (!check(ptr[i], len[i], tag[i])) errors++;
            if (next_rand() % 3 == 0) {
                size_t keep = len[i];
                size_t nl = keep * 2 + 1 + next_rand() % 1000;
                if (nl > (1u << 20)) nl = 17;
                unsigned char *q = realloc(ptr[i], nl);
                if (!q) { errors++; continue; }
                size_t common = keep < nl ? keep : nl;
                if (!check(q, common, tag[i])) errors++;
                fill(q, nl, tag[i]);
                ptr[i] = q;
                len[i] = nl;
                reallocs++;
            } else {
                free(ptr[i]);
                ptr[i] = NULL;
                frees++;
            }
        } else {
            uint64_t r = next_rand() % 100;
            size_t n;
            if (r < 60) n = 1 + next_rand() % 256;
            else if (r < 90) n = 256 + next_rand() % 16384;
            else if (r < 97) n = 16384 + next_rand() % 131072;
            else n = 131072 + next_rand() % (1u << 20);
            ptr[i] = malloc(n);
            if (!ptr[i]) { errors++; continue; }
            len[i] = n;
            tag[i] = (unsigned)next_rand();
            fill(ptr[i], n, tag[i]);
            allocs++;
        }
    }
    for (unsigned i = 0; i < SLOTS; i++) {
        if (ptr[i]) {
            if (!check(ptr[i], len[i], tag[i])) errors++;
            checksum += len[i];
            free(ptr[i]);
            ptr[i] = NULL;
        }
    }
    printf("churn: allocs=%lu frees=%lu reallocs=%lu errors=%lu live_bytes=%llu\n",
           allocs, frees, reallocs, errors, (unsigned long long)checksum);

    // Phase 2: big mmap-backed blocks, touched fully.
    for (size_t mb = 1; mb <= 16; mb *= 2) {
        size_t n = mb << 20;
        unsigned char *p = malloc(n);
        if (!p) { printf("big malloc %zu failed\n", mb); return 1; }
        memset(p, 0xA5, n);
        unsigned long sum = 0;
        for (size_t i = 0; i < n; i += 4096) sum += p[i];
        free(p);
        printf("big %zu MiB ok sum=%lu\n", mb, sum);
    }

    // Phase 3: realloc growth from 1 byte to 4 MiB, preserving contents.
    unsigned char *g = malloc(1);
    size_t glen = 1;
    g[0] = 7;
    int grow_ok = 1;
    while (glen < (4u << 20)) {
        size_t nl = glen * 2 + 3;
        g = realloc(g, nl);
        if (!g) { grow_ok = 0; break; }
        for (size_t i = 0; i < glen; i += 997)
            if (g[i] != (unsigned char)(i * 7 + 7)) grow_ok = 0;
        for (size_t i = glen; i < nl; i++) g[i] = (unsigned char)(i * 7 + 7);
        if (g[0] != 7) grow_ok = 0;
        glen = nl;
    }
    printf("realloc growth to %zu bytes ok=%d\n", glen, grow_ok);
    g = realloc(g, 100);
    printf("shrink ok=%d\n", g && g[99] == (unsigned char)(99 * 7 + 7));
    free(g);

    // Phase 4: calloc zeroing and many tiny objects in a linked list.
    struct node { struct node *next; int v; } *head = NULL;
    for (int i = 0; i < 100000; i++) {
        struct node *nd = malloc(sizeof *nd);
        nd->v = i;
        nd->next = head;
        head = nd;
    }
    long total = 0;
    while (head) { struct node *n = head->next; total += head->v; free(head); head = n; }
    printf("list sum=%ld\n", total);
    int zero_ok = 1;
    for (int k = 0; k < 50; k++) {
        size_t n = 1000 + k * 5000;
        unsigned *z = calloc(n, sizeof *z);
        for (size_t i = 0; i < n; i++) if (z[i]) zero_ok = 0;
        for (size_t i = 0; i < n; i++) z[i] = 0xffffffffu;
        free(z);
    }
    unsigned *bigz = calloc(1u << 20, 4);
    for (size_t i = 0; i < (1u << 20); i += 1023) if (bigz[i]) zero_ok = 0;
    free(bigz);
    printf("calloc zero ok=%d\n", zero_ok);
    return errors ? 1 : 0;
}
