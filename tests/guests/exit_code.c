// The process exit code must be the value returned from main.
// expect-exit: 3
#include <stdio.h>
int main(void) {
    printf("returning 3\n");
    return 3;
}
