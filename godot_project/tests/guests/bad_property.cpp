// A guest whose main() registers a property named like one of the node's own ("name"): loading
// it must fail with one error, or `sandbox.name = ...` in the game would reach the guest
// (test_host_calls.gd).
#include "guest.h"

static Variant shadow = nil();

int main() {
    set_exit_address();
    add_property("name", 4 /* STRING */, &shadow);
    fast_exit();
}
