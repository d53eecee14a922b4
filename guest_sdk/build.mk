# build.mk - recipe for building a godot-sandbox guest program with Debian's cross compiler.
# Include it from a Makefile (the Makefile next to this file does), or copy the variables.
#
#   PROGRAM  output ELF
#   SOURCES  one or more .cpp/.c files
#   CXXFLAGS_EXTRA / LDFLAGS_EXTRA  additions
#
# The result is a static RV64GC (lp64d) ELF with its symbol table (public functions are
# found by name, so never strip it).

GUEST_SDK_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))

CROSS    ?= riscv64-linux-gnu-
CXX_RV   ?= $(CROSS)g++

GUEST_CXXFLAGS := -O2 -std=gnu++20 -march=rv64gc -mabi=lp64d \
	-Wall -Wextra -Wno-unused-parameter \
	-ffunction-sections -fdata-sections \
	-I$(GUEST_SDK_DIR)/include $(CXXFLAGS_EXTRA)
# --gc-sections is safe: PUBLIC functions and the runtime carry the `retain` attribute.
GUEST_LDFLAGS  := -static -Wl,--gc-sections $(LDFLAGS_EXTRA)

GUEST_RUNTIME  := $(GUEST_SDK_DIR)/src/runtime.cpp
GUEST_HEADERS  := $(wildcard $(GUEST_SDK_DIR)/include/*.hpp)

# $(call guest_program,OUTPUT,SOURCES): compile and link in one step.
define guest_program
$(1): $(2) $(GUEST_RUNTIME) $(GUEST_HEADERS)
	@mkdir -p $$(dir $$@)
	$$(CXX_RV) $$(GUEST_CXXFLAGS) $(2) $$(GUEST_RUNTIME) $$(GUEST_LDFLAGS) -o $$@
endef
