# Cross-compiles for 64-bit Windows with Debian's MinGW-w64 toolchain, POSIX thread model (std::thread
# needs it): apt-get install g++-mingw-w64-x86-64-posix. Used by build-natives.sh --target windows-x86_64.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER x86_64-w64-mingw32-gcc-posix)
set(CMAKE_CXX_COMPILER x86_64-w64-mingw32-g++-posix)
set(CMAKE_RC_COMPILER x86_64-w64-mingw32-windres)
set(CMAKE_FIND_ROOT_PATH /usr/x86_64-w64-mingw32)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# Debian 12's MinGW-w64 headers lack a Windows 10 API structure that ggml-cpu.c uses (see the header).
set(CMAKE_C_FLAGS_INIT "-include ${CMAKE_CURRENT_LIST_DIR}/mingw-compat.h")
# libstdc++, libgcc and winpthread linked in statically, so every DLL needs only Windows' own DLLs
# and its siblings in the bundle (checked by PackagedNativesTest with objdump).
# NOT WORKING YET (so the Maven execution is opt-in): without --exclude-libs, ggml-base.dll re-exports
# libgcc's _Unwind_Resume and ggml-cpu.dll's link sees it twice; with --exclude-libs,ALL, ggml-base.dll
# no longer exports the internal symbols ggml-cpu.dll needs (quantize_row_q8_K_ref ...). See
# native/README.md, Windows, for the way forward.
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static -static-libgcc -static-libstdc++ -Wl,--exclude-libs,ALL")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "-static -static-libgcc -static-libstdc++ -Wl,--exclude-libs,ALL")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -static-libgcc -static-libstdc++")
