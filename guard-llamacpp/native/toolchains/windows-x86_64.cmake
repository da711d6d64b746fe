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
# and its siblings in the bundle (checked by PackagedNativesTest with objdump). MinGW exports every
# symbol of a DLL without dllexport annotations, the runtime's too: ggml-base.dll would re-export
# libgcc's _Unwind_Resume, and ggml-cpu.dll, which links libgcc as well, would see it twice. So the
# runtime archives are kept out of the exports by name. Not "--exclude-libs,ALL": CMake hands a
# target's own objects to the MinGW linker as an archive (objects.a), and ALL would hide them too
# (ggml-cpu.dll then misses ggml-base's quantize_row_q8_K_ref and friends).
set(SAFETYGUARD_MINGW_RUNTIME_FLAGS
    "-static -static-libgcc -static-libstdc++ -Wl,--exclude-libs,libgcc.a:libgcc_eh.a:libstdc++.a:libwinpthread.a:libpthread.a")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "${SAFETYGUARD_MINGW_RUNTIME_FLAGS}")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "${SAFETYGUARD_MINGW_RUNTIME_FLAGS}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -static-libgcc -static-libstdc++")
