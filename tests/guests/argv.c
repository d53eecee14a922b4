// Prints its arguments (not argv[0], whose spelling depends on the runner).
// args: one two-words --flag=x 12345 ""
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    printf("argv0 present=%d\n", argv[0] != NULL && strlen(argv[0]) > 0);
    for (int i = 1; i < argc; i++) printf("argv[%d]=<%s> len=%zu\n", i, argv[i], strlen(argv[i]));
    printf("argv[argc] null=%d\n", argv[argc] == NULL);
    return argc;
}
