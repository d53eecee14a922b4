// A guest that prints: from main(), from a property's accessors, and without end (for
// test_godot_api.gd's tests of Sandbox.set_redirect_stdout).
#include <unistd.h>

#include "guest.h"

static Variant loud_value = integer(0);
PUBLIC Variant loud_get() {
    print(str("getting loud"));
    return loud_value;
}
PUBLIC Variant loud_set(Variant v) {
    print(str("setting loud"));
    loud_value = v;
    return nil();
}

// Writes `n` pieces of 64 KiB + 1 bytes to standard output, without a newline.
PUBLIC Variant flood(Variant n) {
    static char piece[65537];
    memset(piece, 'a', sizeof piece);
    for (int64_t i = 0; i < n.i; i++) write(1, piece, sizeof piece);
    return integer(n.i);
}

int main() {
    set_exit_address();
    static Variant loud_default = integer(0);
    sys(ECALL_SANDBOX_ADD, 0, L("loud"), 4, INT, L(&loud_set), L(&loud_get), L(&loud_default));
    print(str("main says hi"));
    write(1, "main stdout\n", 12);
    write(1, "main tail", 9);
    fast_exit();
}
