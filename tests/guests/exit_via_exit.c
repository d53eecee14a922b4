// exit() from a nested call flushes stdio and runs atexit handlers in reverse order.
// expect-exit: 42
#include <stdio.h>
#include <stdlib.h>
static void first(void) { printf("atexit first registered\n"); }
static void second(void) { printf("atexit second registered\n"); }
static void leave(int code) { printf("leaving with %d", code); exit(code); }
int main(void) {
    atexit(first);
    atexit(second);
    leave(42);
    return 0;
}
