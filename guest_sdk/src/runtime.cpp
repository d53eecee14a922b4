// runtime.cpp - the small runtime every guest program links (the Makefile adds it):
//   * fast_exit(): the STOP instruction, registered as the program's exit address;
//   * uncaught C++ exceptions become host errors (ECALL_THROW) instead of aborting;
//   * a weak main() that just halts, for programs that only register functions from
//     global constructors.
#include <api.hpp>

#include <exception>
#include <typeinfo>

extern "C" __attribute__((used, retain, noreturn, naked)) void fast_exit() {
	// SYSTEM opcode, funct3 0, rd = rs1 = x0, imm 0x7FF: the word 0x7FF00073.
	asm volatile(".insn i 0x73, 0, x0, x0, 0x7ff");
}

namespace {

[[noreturn]] void report_uncaught_exception() {
	if (std::exception_ptr error = std::current_exception()) {
		try {
			std::rethrow_exception(error);
		} catch (const std::exception &e) {
			sandbox_throw(typeid(e).name(), e.what(), nullptr, "uncaught exception");
		} catch (...) {
			sandbox_throw("exception", "unknown C++ exception", nullptr, "uncaught exception");
		}
	}
	sandbox_throw("terminate", "std::terminate() was called", nullptr, "terminate");
}

__attribute__((constructor(101))) void sandbox_runtime_init() {
	// Every vmcall returns to this address, which stops the machine (SANDBOX_ADD 2).
	sys::call<sys::SANDBOX_ADD>(sys::SandboxAdd::SET_EXIT_ADDRESS, reinterpret_cast<uintptr_t>(&fast_exit));
	std::set_terminate(report_uncaught_exception);
}

} // namespace

__attribute__((weak)) int main() {
	halt();
}
