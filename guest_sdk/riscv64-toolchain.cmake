# CMake toolchain file for godot-sandbox guest programs with Debian's cross compiler.
#
#   cmake -B build -DCMAKE_TOOLCHAIN_FILE=/path/to/guest_sdk/riscv64-toolchain.cmake
#   # in CMakeLists.txt:
#   add_executable(demo.elf demo.cpp ${GUEST_SDK_RUNTIME})
#   target_include_directories(demo.elf PRIVATE ${GUEST_SDK_INCLUDE})
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR riscv64)
set(CMAKE_C_COMPILER riscv64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER riscv64-linux-gnu-g++)
set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_EXTENSIONS ON)
set(CMAKE_CXX_FLAGS_INIT "-march=rv64gc -mabi=lp64d -ffunction-sections -fdata-sections")
set(CMAKE_CXX_FLAGS_RELEASE_INIT "-O2")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -Wl,--gc-sections")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
if(NOT CMAKE_BUILD_TYPE)
	set(CMAKE_BUILD_TYPE Release CACHE STRING "" FORCE)
endif()
set(GUEST_SDK_INCLUDE ${CMAKE_CURRENT_LIST_DIR}/include)
set(GUEST_SDK_RUNTIME ${CMAKE_CURRENT_LIST_DIR}/src/runtime.cpp)
