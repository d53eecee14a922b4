// The guest of test_host_calls.test_what_main_builds_counts_once: main() builds five Arrays of
// two million elements (46 MiB each), which it keeps, as everything made while main() runs.
#include "guest.h"

static Variant arrays[5];

PUBLIC Variant kept_sizes() {
    int64_t total = 0;
    for (auto &array : arrays) total += sys(ECALL_ARRAY_SIZE, L((uint32_t)array.i));
    return integer(total);
}

// One more Array of `size` elements, in a call.
PUBLIC Variant another_array(int64_t size) {
    Variant out = nil();
    sys(ECALL_ARRAY_OPS, 0, size, 0, L(&out));
    return integer(sys(ECALL_ARRAY_SIZE, L((uint32_t)out.i)));
}

int main() {
    for (auto &array : arrays) sys(ECALL_ARRAY_OPS, 0, 2000000, 0, L(&array));
    set_exit_address();
    fast_exit();
}
