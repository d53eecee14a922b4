// C++ exceptions: across frames, nested, rethrow, std::exception subclasses, destructors on unwind.
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>
#include <memory>
#include <new>

static int live_guards = 0;
struct Guard {
    const char *name;
    explicit Guard(const char *n) : name(n) { live_guards++; }
    ~Guard() { live_guards--; std::printf("  ~Guard(%s)\n", name); }
};

struct MyError : std::runtime_error {
    int code;
    MyError(const std::string &what, int c) : std::runtime_error(what), code(c) {}
};
struct DerivedError : MyError {
    DerivedError() : MyError("derived", 99) {}
};

__attribute__((noinline)) static int thrower(int depth, int kind) {
    Guard g("thrower");
    if (depth > 0) return thrower(depth - 1, kind) + 1;
    switch (kind) {
    case 0: throw 42;
    case 1: throw std::string("a string");
    case 2: throw MyError("my error", 7);
    case 3: throw DerivedError();
    case 4: throw std::out_of_range("out of range");
    case 5: { std::vector<int> v(3); return v.at(10); }
    case 6: throw 3.5;
    default: return 0;
    }
}

static void classify(int kind) {
    try {
        thrower(5, kind);
        std::printf("kind %d: no exception\n", kind);
    } catch (int v) {
        std::printf("kind %d: int %d\n", kind, v);
    } catch (const std::string &s) {
        std::printf("kind %d: string '%s'\n", kind, s.c_str());
    } catch (const DerivedError &e) {
        std::printf("kind %d: DerivedError code=%d what=%s\n", kind, e.code, e.what());
    } catch (const MyError &e) {
        std::printf("kind %d: MyError code=%d what=%s\n", kind, e.code, e.what());
    } catch (const std::logic_error &e) {
        std::printf("kind %d: logic_error what=%s\n", kind, e.what());
    } catch (...) {
        std::printf("kind %d: unknown exception\n", kind);
    }
    std::printf("  live guards: %d\n", live_guards);
}

static void rethrower() {
    try {
        throw MyError("inner", 1);
    } catch (MyError &e) {
        std::printf("rethrower caught %s, rethrowing\n", e.what());
        e.code = 2;
        throw;
    }
}

static void nested() {
    try {
        try {
            Guard g("nested-inner");
            throw std::runtime_error("first");
        } catch (const std::runtime_error &e) {
            std::printf("nested inner caught: %s\n", e.what());
            try {
                throw std::invalid_argument("second");
            } catch (const std::exception &e2) {
                std::printf("nested inner-inner caught: %s\n", e2.what());
            }
            throw std::logic_error(std::string("wrapped ") + e.what());
        }
    } catch (const std::exception &e) {
        std::printf("nested outer caught: %s\n", e.what());
    }
}

struct ThrowsInCtor {
    Guard a{"member-a"};
    explicit ThrowsInCtor(bool t) { if (t) throw std::runtime_error("ctor failed"); }
};

int main() {
    for (int k = 0; k <= 7; k++) classify(k);
    try {
        rethrower();
    } catch (const MyError &e) {
        std::printf("main caught rethrown %s code=%d\n", e.what(), e.code);
    }
    nested();
    try {
        ThrowsInCtor t(true);
    } catch (const std::exception &e) {
        std::printf("ctor exception: %s\n", e.what());
    }
    std::exception_ptr saved;
    try {
        throw DerivedError();
    } catch (...) {
        saved = std::current_exception();
    }
    try {
        std::rethrow_exception(saved);
    } catch (const MyError &e) {
        std::printf("exception_ptr rethrown code=%d\n", e.code);
    }
    int caught = 0;
    for (int i = 0; i < 1000; i++) {
        try {
            if (i % 3 == 0) throw i;
        } catch (int v) {
            caught += v;
        }
    }
    std::printf("loop caught sum %d\n", caught);
    try {
        auto p = std::make_unique<int[]>(4);
        p[0] = 1;
        throw std::bad_alloc();
    } catch (const std::bad_alloc &e) {
        std::printf("bad_alloc: %s\n", e.what());
    }
    std::printf("final live guards: %d\n", live_guards);
    return 0;
}
