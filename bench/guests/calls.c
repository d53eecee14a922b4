// Guest for the call-latency benchmark (rust/vm/benches/calls.rs).
#define PUBLIC __attribute__((used, retain, noinline))

static long host_call(long number, long a0) {
    register long a7 __asm__("a7") = number;
    register long r0 __asm__("a0") = a0;
    __asm__ volatile("ecall" : "+r"(r0) : "r"(a7) : "memory");
    return r0;
}

PUBLIC void empty(void) {}
PUBLIC long four(long a, long b, long c, long d) { return a + b + c + d; }
PUBLIC long one_host_call(long x) { return host_call(500, x); }
PUBLIC long callback(long x) { return x + 1; }
// Host call 501 calls `callback` from inside the handler (a preempted, nested call).
PUBLIC long nested(long x) { return host_call(501, x); }

int main(void) { return 0; }
