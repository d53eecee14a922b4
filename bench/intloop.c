// A tight loop of 100 million integer adds; the asm barrier stops the compiler folding it.
#include <stdio.h>

int main(void) {
    unsigned long sum = 0;
    for (unsigned long i = 0; i < 100000000ul; i++) {
        sum += i ^ (sum >> 7);
        __asm__ volatile("" : "+r"(sum));
    }
    printf("sum = %lu\n", sum);
    return 0;
}
