// The guest of test_fuzz.gd: random host calls. Every number the host answers (the core's
// native libc calls 480-491 and the Godot calls 500-562) is called with arguments that are
// zero, small numbers (sub-operations, counts, types), any 64-bit word, pointers into a buffer
// of random bytes, or pointers to Variants of random types holding made-up handles. The host
// must answer each call or end the vmcall with an error; it must never crash or hang.
#include "guest.h"

static uint64_t state;

// xorshift64*: the same seed gives the same calls.
static uint64_t next() {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545F4914F6CDD1Dull;
}

enum { HC_UTILITY = 549, UTILITY_RANDOMIZE = 74 };

static uint8_t junk[4096];
static Variant variants[64];

static long argument() {
    switch (next() % 8) {
    case 0: return 0;
    case 1: return (long)(next() % 64);
    case 2: return (long)next();
    case 3: return -(long)(next() % 16);
    case 4:
    case 5: return L(&junk[next() % sizeof junk]);
    default: return L(&variants[next() % 64]);
    }
}

// Starts the calls of `seed`: fills the buffer and the Variants. (Host calls may overwrite any
// of it, and the generator's state too; the calls stay the same for the same seed.)
PUBLIC Variant fuzz_start(int64_t seed) {
    state = ((uint64_t)seed + 1) * 0x9E3779B97F4A7C15ull;
    for (auto &byte : junk) byte = (uint8_t)next();
    for (auto &v : variants) {
        v.type = (uint32_t)(next() % (PACKED_VECTOR4_ARRAY + 2));
        v.pad = 0;
        // Mostly small: the indices of Variants that earlier calls of the same vmcall made.
        v.u = next() % 4 == 0 ? next() : next() % 8;
    }
    return nil();
}

// Makes the next `calls` random host calls; returns true if the host answered them all (a
// call the host refuses ends the vmcall with an error instead). The Variants that the earlier
// ones make are there for the later ones to use, by their indices.
PUBLIC Variant fuzz_host_calls(int64_t calls) {
    for (int64_t i = 0; i < calls; i++) {
        long number = next() % 8 == 0 ? 480 + (long)(next() % 12) : 500 + (long)(next() % 63);
        // Left out: PRINT_CHANNEL, whose channel 7 pushes the guest's text as an engine error
        // by design (the test could not tell it from the host's own), and NODE_CREATE, whose
        // Nodes the guest owns and would have to free (test_host_calls.gd covers it).
        if (number == 550 || number == 532) continue;
        long args[7];
        for (long &arg : args) arg = argument();
        // UTILITY's RANDOMIZE seeds the engine's generator from the clock: the calls after it
        // would differ from run to run.
        if (number == HC_UTILITY && args[0] == UTILITY_RANDOMIZE) continue;
        sys(number, args[0], args[1], args[2], args[3], args[4], args[5], args[6]);
    }
    return boolean(true);
}

PUBLIC Variant add_ints(int64_t a, int64_t b) { return integer(a + b); }

// Returns a Variant with any type tag and payload word, as a guest may forge it.
PUBLIC Variant forged(int64_t type, int64_t payload) { return make((uint32_t)type, (uint64_t)payload); }

int main() {
    set_exit_address();
    fast_exit();
}
