/*
 * Force-included (-include) into every C file of the Windows cross build. Debian 12's MinGW-w64
 * headers (v10) declare SetThreadInformation and ThreadPowerThrottling but not the structure and
 * constants that go with them, which ggml-cpu.c uses to opt its threads out of power throttling.
 * Their layout is the documented Windows API one (THREAD_POWER_THROTTLING_STATE: three ULONGs).
 */
#ifndef SAFETYGUARD_MINGW_COMPAT_H
#define SAFETYGUARD_MINGW_COMPAT_H
#include <_mingw.h>
#if defined(__MINGW64_VERSION_MAJOR) && __MINGW64_VERSION_MAJOR < 11 && !defined(THREAD_POWER_THROTTLING_CURRENT_VERSION)
#define THREAD_POWER_THROTTLING_CURRENT_VERSION 1
#define THREAD_POWER_THROTTLING_EXECUTION_SPEED 0x1
typedef struct {
    unsigned long Version;
    unsigned long ControlMask;
    unsigned long StateMask;
} THREAD_POWER_THROTTLING_STATE;
#endif
#endif
