// setjmp/longjmp across frames, with preserved locals and nested buffers.
#include <stdio.h>
#include <setjmp.h>

static jmp_buf outer, inner;
static int depth_reached;

__attribute__((noinline)) static void dive(int depth, int target) {
    depth_reached = depth;
    if (depth == target) longjmp(outer, depth * 10);
    if (depth < 1000) dive(depth + 1, target);
}

__attribute__((noinline)) static void inner_throw(int v) { longjmp(inner, v); }

int main(void) {
    volatile int count = 0;
    int r = setjmp(outer);
    printf("setjmp returned %d (count=%d)\n", r, count);
    count++;
    if (count < 4) dive(0, count * 5);
    printf("depth reached %d\n", depth_reached);

    // longjmp with 0 delivers 1.
    r = setjmp(inner);
    if (r == 0) inner_throw(0);
    printf("longjmp(0) delivered %d\n", r);

    // Nested: inner jumps do not disturb the outer buffer.
    volatile double acc = 1.5;
    int k = setjmp(outer);
    if (k < 3) {
        int j = setjmp(inner);
        acc = acc * 2.0;
        if (j < 2) inner_throw(j + 1);
        printf("inner done j=%d acc=%g\n", j, (double)acc);
        longjmp(outer, k + 1);
    }
    printf("outer done k=%d acc=%g\n", k, (double)acc);

    sigjmp_buf sj;
    if (sigsetjmp(sj, 1) == 0) { printf("sigsetjmp first\n"); siglongjmp(sj, 5); }
    else printf("siglongjmp back\n");
    return 0;
}
