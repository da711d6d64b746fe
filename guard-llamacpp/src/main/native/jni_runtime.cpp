// io.safetyguard.llamacpp.internal.NativeBridge: JNI_OnLoad, the ABI version, llama.cpp initialisation, the log
// bridge into Java, loading the CPU backend variant Java chose, and the calls that need no native object. Also the
// helpers shared by every source file.

#include "jni_shim.h"

#include <cstdio>
#include <cstring>
#include <mutex>

#include <pthread.h>

#ifdef _WIN32
#define WIN32_LEAN_AND_MEAN
#define NOMINMAX
#include <windows.h>
#else
#include <dlfcn.h>
#endif

#include "ggml.h"
#include "ggml-backend.h"
#include "mtmd.h"
#include "mtmd-helper.h"

// Bump when a native method is added, removed, renamed, moved to another class or changes its signature or
// semantics; NativeBridge.ABI_VERSION must match (it checks after loading).
#define SG_ABI_VERSION 9

#define SG_BRIDGE(ret, name) extern "C" JNIEXPORT ret JNICALL Java_io_safetyguard_llamacpp_internal_NativeBridge_##name

namespace sg {

void throw_java(JNIEnv * env, const char * cls, const std::string & msg) {
    if (env->ExceptionCheck()) {
        return;
    }
    jclass c = env->FindClass(cls);
    if (c != nullptr) {
        env->ThrowNew(c, msg.c_str());
        env->DeleteLocalRef(c);
    }
}

void throw_state(JNIEnv * env, const std::string & msg) {
    throw_java(env, "java/lang/IllegalStateException", msg);
}

void throw_arg(JNIEnv * env, const std::string & msg) {
    throw_java(env, "java/lang/IllegalArgumentException", msg);
}

bool to_string(JNIEnv * env, jbyteArray arr, std::string & out) {
    if (arr == nullptr) {
        throw_arg(env, "null text");
        return false;
    }
    jsize n = env->GetArrayLength(arr);
    out.resize(static_cast<size_t>(n));
    if (n > 0) {
        env->GetByteArrayRegion(arr, 0, n, reinterpret_cast<jbyte *>(&out[0]));
    }
    return !env->ExceptionCheck();
}

jbyteArray to_bytes(JNIEnv * env, const char * data, size_t n) {
    jbyteArray arr = env->NewByteArray(static_cast<jsize>(n));
    if (arr != nullptr && n > 0) {
        env->SetByteArrayRegion(arr, 0, static_cast<jsize>(n), reinterpret_cast<const jbyte *>(data));
    }
    return arr;
}

void * cpu_proc(const char * name) {
    ggml_backend_reg_t reg = ggml_backend_reg_by_name("CPU");
    return reg == nullptr ? nullptr : ggml_backend_reg_get_proc_address(reg, name);
}

}  // namespace sg

namespace {

JavaVM *       g_vm         = nullptr;
jclass         g_bridge     = nullptr;  // global ref to io.safetyguard.llamacpp.internal.NativeBridge
jmethodID      g_log_method = nullptr;  // static void log(int level, byte[] text)
pthread_key_t  g_detach_key;
std::once_flag g_init_once;
std::once_flag g_backend_init_once;

// ------------------------------------------------------------------------------------------------
// Logging: every llama.cpp / ggml / mtmd log line goes to NativeBridge.log(int, byte[]).

void detach_thread(void *) {
    if (g_vm != nullptr) {
        g_vm->DetachCurrentThread();
    }
}

void sg_log(enum ggml_log_level level, const char * text, void * /*user_data*/) {
    if (g_vm == nullptr || g_bridge == nullptr || g_log_method == nullptr || text == nullptr) {
        return;
    }
    JNIEnv * env = nullptr;
    jint rc = g_vm->GetEnv(reinterpret_cast<void **>(&env), JNI_VERSION_1_8);
    if (rc == JNI_EDETACHED) {
        // A llama.cpp/ggml worker thread the JVM does not know: attach it as a daemon and detach it
        // when the thread exits (pthread key destructor).
        JavaVMAttachArgs args{JNI_VERSION_1_8, const_cast<char *>("llama.cpp-native"), nullptr};
        if (g_vm->AttachCurrentThreadAsDaemon(reinterpret_cast<void **>(&env), &args) != JNI_OK) {
            return;
        }
        pthread_setspecific(g_detach_key, reinterpret_cast<void *>(1));
    } else if (rc != JNI_OK) {
        return;
    }
    // Do not disturb an exception the calling Java thread is already propagating.
    if (env->ExceptionCheck()) {
        return;
    }
    size_t n = std::strlen(text);
    jbyteArray arr = sg::to_bytes(env, text, n);
    if (arr == nullptr) {
        env->ExceptionClear();
        return;
    }
    env->CallStaticVoidMethod(g_bridge, g_log_method, static_cast<jint>(level), arr);
    if (env->ExceptionCheck()) {
        env->ExceptionClear();
    }
    env->DeleteLocalRef(arr);
}

void sg_ggml_abort(const char * message) {
    // ggml is about to abort() the process (a failed GGML_ASSERT). Make the reason visible in the
    // Java log as well as on stderr; nothing can prevent the abort itself.
    std::fprintf(stderr, "llama.cpp fatal error: %s\n", message ? message : "(null)");
    std::fflush(stderr);
    sg_log(GGML_LOG_LEVEL_ERROR, message ? message : "ggml abort", nullptr);
}

}  // namespace

extern "C" JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM * vm, void * /*reserved*/) {
    g_vm = vm;
    JNIEnv * env = nullptr;
    if (vm->GetEnv(reinterpret_cast<void **>(&env), JNI_VERSION_1_8) != JNI_OK) {
        return JNI_ERR;
    }
    jclass local = env->FindClass("io/safetyguard/llamacpp/internal/NativeBridge");
    if (local == nullptr) {
        return JNI_ERR;
    }
    g_bridge = static_cast<jclass>(env->NewGlobalRef(local));
    env->DeleteLocalRef(local);
    g_log_method = env->GetStaticMethodID(g_bridge, "log", "(I[B)V");
    if (g_log_method == nullptr) {
        return JNI_ERR;
    }
    pthread_key_create(&g_detach_key, detach_thread);
    return JNI_VERSION_1_8;
}

SG_BRIDGE(jint, abiVersion)(JNIEnv *, jclass) {
    return SG_ABI_VERSION;
}

// The log bridge and the abort hook: first, so that loading a CPU variant already logs into Java.
SG_BRIDGE(void, init)(JNIEnv * env, jclass) {
    SG_TRY
    std::call_once(g_init_once, [] {
        ggml_set_abort_callback(sg_ggml_abort);
        llama_log_set(sg_log, nullptr);
        mtmd_helper_log_set(sg_log, nullptr);  // also calls mtmd_log_set
    });
    SG_CATCH(env, )
}

// llama_backend_init, after the CPU backend is registered: with no backend registered it would itself search the
// JVM's bin folder and the working directory for backend modules (ggml_backend_load_all).
SG_BRIDGE(void, backendInit)(JNIEnv * env, jclass) {
    SG_TRY
    std::call_once(g_backend_init_once, [] { llama_backend_init(); });
    SG_CATCH(env, )
}

// ------------------------------------------------------------------------------------------------
// CPU-feature dispatch: the bundle carries ggml-cpu as several modules (libggml-cpu-<variant>.so,
// ggml-cpu-<variant>.dll), each compiled for one CPU generation. Java asks each for its score (0: this CPU lacks
// an instruction set it was compiled for), chooses one, and has ggml load and register it. The scores are
// ggml's own (ggml_backend_score, ggml-cpu/arch/x86/cpu-feats.cpp).

SG_BRIDGE(jboolean, hasCpuBackend)(JNIEnv *, jclass) {
    return ggml_backend_reg_by_name("CPU") != nullptr ? JNI_TRUE : JNI_FALSE;
}

// The module's ggml_backend_score() on this CPU; opens the module just for the call and closes it again.
SG_BRIDGE(jint, cpuVariantScore)(JNIEnv * env, jclass, jbyteArray path) {
    std::string p;
    if (!sg::to_string(env, path, p)) return -1;
    SG_TRY
    using score_fn = int (*)();
#ifdef _WIN32
    const int wn = MultiByteToWideChar(CP_UTF8, 0, p.c_str(), -1, nullptr, 0);
    std::wstring wp(wn > 0 ? static_cast<size_t>(wn) : 0, L'\0');
    if (wn > 0) MultiByteToWideChar(CP_UTF8, 0, p.c_str(), -1, &wp[0], wn);
    HMODULE h = LoadLibraryExW(wp.c_str(), nullptr, LOAD_WITH_ALTERED_SEARCH_PATH);
    if (h == nullptr) {
        sg::throw_state(env, "cannot open " + p + " (Windows error " + std::to_string(GetLastError()) + ")");
        return -1;
    }
    auto score = reinterpret_cast<score_fn>(reinterpret_cast<void *>(GetProcAddress(h, "ggml_backend_score")));
    const int s = score != nullptr ? score() : -1;
    FreeLibrary(h);
#else
    void * h = dlopen(p.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (h == nullptr) {
        const char * err = dlerror();
        sg::throw_state(env, std::string("cannot open ") + (err != nullptr ? err : p.c_str()));
        return -1;
    }
    auto score = reinterpret_cast<score_fn>(dlsym(h, "ggml_backend_score"));
    const int s = score != nullptr ? score() : -1;
    dlclose(h);
#endif
    if (s < 0) {
        sg::throw_state(env, p + " has no ggml_backend_score: not a ggml CPU variant module");
    }
    return static_cast<jint>(s);
    SG_CATCH(env, -1)
}

// Loads and registers the module as ggml's CPU backend; returns the CPU's description (ggml's device description),
// or throws when ggml refuses it (the reason is in the log).
SG_BRIDGE(jstring, loadCpuBackend)(JNIEnv * env, jclass, jbyteArray path) {
    std::string p;
    if (!sg::to_string(env, path, p)) return nullptr;
    SG_TRY
    if (ggml_backend_reg_by_name("CPU") != nullptr) {
        sg::throw_state(env, "a CPU backend is already registered; cannot load " + p);
        return nullptr;
    }
    ggml_backend_reg_t reg = ggml_backend_load(p.c_str());
    if (reg == nullptr) {
        sg::throw_state(env, "ggml could not load the CPU backend " + p);
        return nullptr;
    }
    const char * desc = ggml_backend_reg_dev_count(reg) > 0 ? ggml_backend_dev_description(ggml_backend_reg_dev_get(reg, 0))
                                                             : "";
    return env->NewStringUTF(desc != nullptr ? desc : "");
    SG_CATCH(env, nullptr)
}

SG_BRIDGE(jstring, systemInfo)(JNIEnv * env, jclass) {
    SG_TRY
    const char * s = llama_print_system_info();
    return env->NewStringUTF(s ? s : "");
    SG_CATCH(env, nullptr)
}

SG_BRIDGE(jstring, version)(JNIEnv * env, jclass) {
    SG_TRY
    const char * s = llama_version();
    return env->NewStringUTF(s ? s : "");
    SG_CATCH(env, nullptr)
}

SG_BRIDGE(jbyteArray, mediaMarker)(JNIEnv * env, jclass) {
    SG_TRY
    const char * m = mtmd_default_marker();
    return sg::to_bytes(env, m, std::strlen(m));
    SG_CATCH(env, nullptr)
}

// Quantizes the GGUF text model at in into out with llama_model_quantize (what llama-quantize does with
// default options: no imatrix, output tensor quantized, k-quant fallbacks per tensor). ftype is a
// llama_ftype; Java validates it and the input first. Returns llama_model_quantize's code (0 = ok;
// otherwise the reason is in the log). llama.cpp writes out directly, so Java passes a temporary path.
SG_BRIDGE(jint, modelQuantize)(JNIEnv * env, jclass, jbyteArray in, jbyteArray out, jint ftype, jint n_threads) {
    std::string src;
    std::string dst;
    if (!sg::to_string(env, in, src) || !sg::to_string(env, out, dst)) return -1;
    if (n_threads <= 0) {
        sg::throw_arg(env, "the thread count must be positive");
        return -1;
    }
    SG_TRY
    llama_model_quantize_params qp = llama_model_quantize_default_params();
    qp.ftype   = static_cast<llama_ftype>(ftype);
    qp.nthread = n_threads;
    return static_cast<jint>(llama_model_quantize(src.c_str(), dst.c_str(), &qp));
    SG_CATCH(env, -1)
}
