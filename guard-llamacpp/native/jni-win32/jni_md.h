/*
 * Machine-dependent JNI definitions for 64-bit Windows, written for SafetyGuard so that the JNI shim
 * can be cross-compiled with MinGW-w64 on a Linux build machine, whose JDK only ships the Linux
 * variant of this header. It provides exactly what jni.h expects from jni_md.h: the export/import
 * and calling-convention macros and the three platform-sized Java integer types.
 * On Windows, jint is 32 bits (long is 32 bits there too), jlong 64 bits, jbyte 8 bits signed.
 */
#ifndef SAFETYGUARD_JNI_MD_WIN32_H
#define SAFETYGUARD_JNI_MD_WIN32_H

#define JNIEXPORT __declspec(dllexport)
#define JNIIMPORT __declspec(dllimport)
#define JNICALL __stdcall

typedef long jint;
typedef long long jlong;
typedef signed char jbyte;

#endif
