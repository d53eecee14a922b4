// A guest whose main() registers a public function at an address that is not code: loading
// it must fail with one error (test_host_calls.gd).
#include "guest.h"

static long not_code[2] = {0, 0};

int main() {
    set_exit_address();
    add_function("bogus", (void *)&not_code[0]);
    fast_exit();
}
