// Shared by the SafetyGuard JNI shim's source files: the context struct, Java exception helpers, the JNI
// naming macro and the one batch-decode helper.
//
// One source file per Java class that declares native methods (see io.safetyguard.llamacpp.internal.jni):
//   jni_runtime.cpp  NativeBridge   loading, ABI check, logging, quantization
//   jni_model.cpp    LlamaModel     llama_model and its vocabulary
//   jni_context.cpp  LlamaContext   llama_context, decoding, logits
//   jni_sampler.cpp  Sampler        grammar-constrained sampling
//   jni_batch.cpp    SequenceBatch  several sequences in one context: per-sequence prefill, one-token-each steps
//   jni_mtmd.cpp     MtmdContext, ImageChunks, EncodedChunk   libmtmd's image pipeline
//   jni_clip.cpp     ClipContext    the vision tower alone, for the reference image pipeline
//
// Thin by design: every function maps to one or a few C API calls and takes or returns primitives, byte arrays
// (UTF-8 text, RGB pixels) and opaque handles (jlong pointers). All policy lives in Java: locking, pooling,
// prompt layout, validation, the decode loop, cancellation and timeouts.
//
// What C must do because Java cannot:
//   * hold the llama.cpp structs that are passed by value (params, batches);
//   * the abort callback (called on llama.cpp's compute path; reads a flag Java sets);
//   * forward llama.cpp / ggml / mtmd log lines into Java (attaching threads as needed);
//   * never let a C++ exception or a NULL handle reach llama.cpp's asserts: every entry point checks its handles
//     and catches exceptions, turning them into Java exceptions.
#pragma once

#include <jni.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <new>
#include <string>

// Not ggml-cpu.h: the CPU backend may be a module the shim loads at run time (CPU-feature dispatch), so the shim
// reaches it only through ggml's backend registry (see jni_runtime.cpp, cpu_proc).
#include "ggml-backend.h"
#include "llama.h"

// extern "C" entry point for native method `name` of io.safetyguard.llamacpp.internal.jni.<cls>. The symbol
// follows the Java class: moving a native method to another class means moving it here too.
#define SG_JNI(cls, ret, name) \
    extern "C" JNIEXPORT ret JNICALL Java_io_safetyguard_llamacpp_internal_jni_##cls##_##name

#define SG_TRY try {
#define SG_CATCH(env, ret)                                                                         \
    } catch (const std::bad_alloc &) {                                                             \
        sg::throw_java(env, "java/lang/OutOfMemoryError", "native allocation failed in llama.cpp"); \
        return ret;                                                                                \
    } catch (const std::exception & e) {                                                           \
        sg::throw_java(env, "java/lang/RuntimeException", std::string("llama.cpp: ") + e.what());  \
        return ret;                                                                                \
    } catch (...) {                                                                                \
        sg::throw_java(env, "java/lang/RuntimeException", "llama.cpp: unknown native exception");  \
        return ret;                                                                                \
    }

#define SG_CHECK(cond, env, msg, ret) \
    if (!(cond)) {                    \
        sg::throw_state(env, msg);    \
        return ret;                   \
    }

namespace sg {

// One llama_context plus what belongs to it: the abort flag Java sets, a reusable token batch, whether the
// last decode produced logits to sample from, its persistent CPU thread pools (null: ggml starts threads for
// every graph) and the time spent inside llama_decode so far.
struct Context {
    llama_context *    ctx = nullptr;
    std::atomic<bool>  abort{false};
    llama_batch        batch{};
    int32_t            batch_cap = 0;
    bool               has_logits = false;
    ggml_threadpool_t  threadpool = nullptr;
    ggml_threadpool_t  threadpool_batch = nullptr;  // null when the decode pool serves batches too
    int64_t            forward_ns = 0;
    // Which output row the logits readers (sampler, logitsOf, suppressTokens) use: -1 the last one; a
    // multi-sequence step selects each sequence's row in turn (see jni_batch.cpp).
    int32_t            output = -1;
    int32_t            n_step_outputs = 0;
};

// A function of the CPU backend by name (ggml_backend_reg_get_proc_address), or null when no CPU backend is
// registered or it has no such function.
void * cpu_proc(const char * name);

// The logits row the readers use now (see Context::output); null when there is none.
inline float * current_logits(Context * c) { return llama_get_logits_ith(c->ctx, c->output); }

inline llama_model * as_model(jlong h) { return reinterpret_cast<llama_model *>(h); }
inline Context *     as_ctx(jlong h)   { return reinterpret_cast<Context *>(h); }

void throw_java(JNIEnv * env, const char * cls, const std::string & msg);
void throw_state(JNIEnv * env, const std::string & msg);
void throw_arg(JNIEnv * env, const std::string & msg);

// Copies a Java byte[] (UTF-8 text, not NUL-terminated) into out; false (with a Java exception) on failure.
bool to_string(JNIEnv * env, jbyteArray arr, std::string & out);
jbyteArray to_bytes(JNIEnv * env, const char * data, size_t n);

// Fills batch slots [0, count) with inputs [first, first + count): tokens or embeddings, nothing else.
using BatchFill = std::function<void(llama_batch & batch, int32_t first, int32_t count)>;

// The one batch loop: decodes n inputs at positions n_past.. of sequence seq, at most capacity per llama_decode,
// with logits for the last input only if logits_last. Returns llama_decode's code (0 ok, 1 no KV slot,
// 2 aborted, <0 error) and sets c->has_logits only when the last input's logits exist.
int32_t decode_in_batches(Context * c, llama_batch & batch, int32_t capacity, int32_t n, llama_pos n_past,
                          bool logits_last, const BatchFill & fill, llama_seq_id seq = 0);

}  // namespace sg
