// The guest side of godot_project/benchmarks/bench_vmcall.gd. Unboxed convention (the default):
// integer parameters arrive in registers.
#include <api.hpp>

PUBLIC Variant add(int64_t a, int64_t b) {
	return a + b;
}

// The same arithmetic as `numeric_loop` in bench_vmcall.gd: integer and float work per step.
PUBLIC Variant numeric_loop(int64_t iterations) {
	int64_t acc = 0;
	double x = 0.0;
	for (int64_t i = 0; i < iterations; i++) {
		acc += (i * 7) ^ (acc >> 3);
		x += (double)(i & 1023) * 0.5;
	}
	return acc + (int64_t)x;
}

int main() {
	halt();
}
