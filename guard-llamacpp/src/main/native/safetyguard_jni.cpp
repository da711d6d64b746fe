// SafetyGuard JNI shim over llama.cpp (llama.h) and libmtmd (mtmd.h, mtmd-helper.h).
//
// Thin by design: every function maps to one or a few C API calls and takes or returns primitives,
// byte arrays (UTF-8 text, RGB pixels) and opaque handles (jlong pointers). All policy lives in Java
// (io.safetyguard.llamacpp.NativeBridge and LlamaCppModel): locking, pooling, prompt layout,
// validation, the decode loop, cancellation and timeouts.
//
// What C must do because Java cannot:
//   * hold the llama.cpp structs that are passed by value (params, batches);
//   * the abort callback (called on llama.cpp's compute path; reads a flag Java sets);
//   * forward llama.cpp / ggml / mtmd log lines into Java (attaching threads as needed);
//   * never let a C++ exception or a NULL handle reach llama.cpp's asserts: every entry point
//     checks its handles and catches exceptions, turning them into Java exceptions.

#include <jni.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include <pthread.h>

#include "ggml.h"
#include "llama.h"
#include "mtmd.h"
#include "mtmd-helper.h"
// The clip API is internal to libmtmd (exported, C++ linkage, not installed); build-natives.sh passes
// the include path of the exact source tree the libraries were built from.
#include "clip.h"
#include "clip-impl.h"

// Bump when a native signature or semantics changes; NativeBridge checks it after loading.
#define SG_ABI_VERSION 6

namespace {

JavaVM *    g_vm         = nullptr;
jclass      g_bridge     = nullptr;  // global ref to io.safetyguard.llamacpp.NativeBridge
jmethodID   g_log_method = nullptr;  // static void log(int level, byte[] text)
pthread_key_t g_detach_key;
std::once_flag g_init_once;

// One llama_context plus what belongs to it: the abort flag Java sets, a reusable batch for
// single tokens and for text chunks, and whether the last decode produced logits to sample from.
struct SgContext {
    llama_context *   ctx = nullptr;
    std::atomic<bool> abort{false};
    llama_batch       batch{};
    int32_t           batch_cap = 0;
    bool              has_logits = false;
};

bool sg_abort_callback(void * data) {
    auto * c = static_cast<SgContext *>(data);
    return c->abort.load(std::memory_order_relaxed);
}

// ------------------------------------------------------------------------------------------------
// Java exceptions

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

#define SG_TRY try {
#define SG_CATCH(env, ret)                                                                   \
    } catch (const std::bad_alloc &) {                                                       \
        throw_java(env, "java/lang/OutOfMemoryError", "native allocation failed in llama.cpp"); \
        return ret;                                                                          \
    } catch (const std::exception & e) {                                                     \
        throw_java(env, "java/lang/RuntimeException", std::string("llama.cpp: ") + e.what()); \
        return ret;                                                                          \
    } catch (...) {                                                                          \
        throw_java(env, "java/lang/RuntimeException", "llama.cpp: unknown native exception"); \
        return ret;                                                                          \
    }

// Copies a Java byte[] (UTF-8 text, not NUL-terminated) into a std::string.
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
    jbyteArray arr = to_bytes(env, text, n);
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

inline llama_model *   as_model(jlong h) { return reinterpret_cast<llama_model *>(h); }
inline mtmd_context *  as_mtmd(jlong h)  { return reinterpret_cast<mtmd_context *>(h); }
inline SgContext *     as_ctx(jlong h)   { return reinterpret_cast<SgContext *>(h); }
inline mtmd_input_chunks * as_chunks(jlong h) { return reinterpret_cast<mtmd_input_chunks *>(h); }
inline clip_ctx *      as_clip(jlong h)  { return reinterpret_cast<clip_ctx *>(h); }

const mtmd_input_chunk * chunk_at(JNIEnv * env, jlong chunks, jint i) {
    if (chunks == 0) {
        throw_state(env, "null chunks handle");
        return nullptr;
    }
    size_t n = mtmd_input_chunks_size(as_chunks(chunks));
    if (i < 0 || static_cast<size_t>(i) >= n) {
        throw_arg(env, "chunk index " + std::to_string(i) + " out of range (" + std::to_string(n) + " chunks)");
        return nullptr;
    }
    return mtmd_input_chunks_get(as_chunks(chunks), static_cast<size_t>(i));
}

}  // namespace

#define SG_FN(ret, name) extern "C" JNIEXPORT ret JNICALL Java_io_safetyguard_llamacpp_internal_NativeBridge_##name
#define SG_CHECK(cond, env, msg, ret) \
    if (!(cond)) {                    \
        throw_state(env, msg);        \
        return ret;                   \
    }

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

// ------------------------------------------------------------------------------------------------
// Process-wide

SG_FN(jint, abiVersion)(JNIEnv *, jclass) {
    return SG_ABI_VERSION;
}

SG_FN(void, init)(JNIEnv * env, jclass) {
    SG_TRY
    std::call_once(g_init_once, [] {
        ggml_set_abort_callback(sg_ggml_abort);
        llama_log_set(sg_log, nullptr);
        mtmd_helper_log_set(sg_log, nullptr);  // also calls mtmd_log_set
        llama_backend_init();
    });
    SG_CATCH(env, )
}

SG_FN(jstring, systemInfo)(JNIEnv * env, jclass) {
    SG_TRY
    const char * s = llama_print_system_info();
    return env->NewStringUTF(s ? s : "");
    SG_CATCH(env, nullptr)
}

SG_FN(jstring, version)(JNIEnv * env, jclass) {
    SG_TRY
    const char * s = llama_version();
    return env->NewStringUTF(s ? s : "");
    SG_CATCH(env, nullptr)
}

SG_FN(jbyteArray, mediaMarker)(JNIEnv * env, jclass) {
    SG_TRY
    const char * m = mtmd_default_marker();
    return to_bytes(env, m, std::strlen(m));
    SG_CATCH(env, nullptr)
}

SG_FN(void, freeBuffer)(JNIEnv *, jclass, jlong ptr) {
    std::free(reinterpret_cast<void *>(ptr));
}

// ------------------------------------------------------------------------------------------------
// Model

// load_mode: llama_load_mode (-1 auto, 0 read into memory, 1 mmap). 0 on failure (see the log).
SG_FN(jlong, modelLoad)(JNIEnv * env, jclass, jbyteArray path, jint n_gpu_layers, jint load_mode) {
    std::string p;
    if (!to_string(env, path, p)) return 0;
    SG_TRY
    llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = n_gpu_layers;
    mp.load_mode    = static_cast<llama_load_mode>(load_mode);
    return reinterpret_cast<jlong>(llama_model_load_from_file(p.c_str(), mp));
    SG_CATCH(env, 0)
}

SG_FN(void, modelFree)(JNIEnv * env, jclass, jlong model) {
    SG_TRY
    if (model != 0) llama_model_free(as_model(model));
    SG_CATCH(env, )
}

SG_FN(jint, modelNEmbdInp)(JNIEnv * env, jclass, jlong model) {
    SG_CHECK(model != 0, env, "null model", 0)
    return llama_model_n_embd_inp(as_model(model));
}

SG_FN(jint, modelNCtxTrain)(JNIEnv * env, jclass, jlong model) {
    SG_CHECK(model != 0, env, "null model", 0)
    return llama_model_n_ctx_train(as_model(model));
}

SG_FN(jint, modelNVocab)(JNIEnv * env, jclass, jlong model) {
    SG_CHECK(model != 0, env, "null model", 0)
    return llama_vocab_n_tokens(llama_model_get_vocab(as_model(model)));
}

SG_FN(jlong, modelSize)(JNIEnv * env, jclass, jlong model) {
    SG_CHECK(model != 0, env, "null model", 0)
    return static_cast<jlong>(llama_model_size(as_model(model)));
}

// Quantizes the GGUF text model at in into out with llama_model_quantize (what llama-quantize does with
// default options: no imatrix, output tensor quantized, k-quant fallbacks per tensor). ftype is a
// llama_ftype; Java validates it and the input first. Returns llama_model_quantize's code (0 = ok;
// otherwise the reason is in the log). llama.cpp writes out directly, so Java passes a temporary path.
SG_FN(jint, modelQuantize)(JNIEnv * env, jclass, jbyteArray in, jbyteArray out, jint ftype, jint n_threads) {
    std::string src;
    std::string dst;
    if (!to_string(env, in, src) || !to_string(env, out, dst)) return -1;
    if (n_threads <= 0) {
        throw_arg(env, "the thread count must be positive");
        return -1;
    }
    SG_TRY
    llama_model_quantize_params qp = llama_model_quantize_default_params();
    qp.ftype   = static_cast<llama_ftype>(ftype);
    qp.nthread = n_threads;
    return static_cast<jint>(llama_model_quantize(src.c_str(), dst.c_str(), &qp));
    SG_CATCH(env, -1)
}

// Tokenizes text with the model's tokenizer (thread-safe). Returns null if the text is too long.
SG_FN(jintArray, tokenize)(JNIEnv * env, jclass, jlong model, jbyteArray text, jboolean add_special,
                           jboolean parse_special) {
    SG_CHECK(model != 0, env, "null model", nullptr)
    std::string s;
    if (!to_string(env, text, s)) return nullptr;
    SG_TRY
    const llama_vocab * vocab = llama_model_get_vocab(as_model(model));
    std::vector<llama_token> toks(s.size() + 8);
    int32_t n = llama_tokenize(vocab, s.data(), static_cast<int32_t>(s.size()), toks.data(),
                               static_cast<int32_t>(toks.size()), add_special, parse_special);
    if (n < 0) {
        if (n == INT32_MIN) return nullptr;
        toks.resize(static_cast<size_t>(-n));
        n = llama_tokenize(vocab, s.data(), static_cast<int32_t>(s.size()), toks.data(),
                           static_cast<int32_t>(toks.size()), add_special, parse_special);
        if (n < 0) return nullptr;
    }
    jintArray out = env->NewIntArray(n);
    if (out != nullptr && n > 0) {
        env->SetIntArrayRegion(out, 0, n, reinterpret_cast<const jint *>(toks.data()));
    }
    return out;
    SG_CATCH(env, nullptr)
}

SG_FN(jbyteArray, tokenPiece)(JNIEnv * env, jclass, jlong model, jint token, jboolean special) {
    SG_CHECK(model != 0, env, "null model", nullptr)
    SG_TRY
    const llama_vocab * vocab = llama_model_get_vocab(as_model(model));
    if (token < 0 || token >= llama_vocab_n_tokens(vocab)) {
        throw_arg(env, "token id out of range: " + std::to_string(token));
        return nullptr;
    }
    char buf[256];
    int32_t n = llama_token_to_piece(vocab, token, buf, sizeof(buf), 0, special == JNI_TRUE);
    if (n < 0) {
        std::vector<char> big(static_cast<size_t>(-n));
        n = llama_token_to_piece(vocab, token, big.data(), static_cast<int32_t>(big.size()), 0, special == JNI_TRUE);
        return to_bytes(env, big.data(), n > 0 ? static_cast<size_t>(n) : 0);
    }
    return to_bytes(env, buf, static_cast<size_t>(n));
    SG_CATCH(env, nullptr)
}

// An end-of-generation token of the vocabulary (EOS, else EOT), or -1.
SG_FN(jint, modelEogToken)(JNIEnv * env, jclass, jlong model) {
    SG_CHECK(model != 0, env, "null model", -1)
    const llama_vocab * vocab = llama_model_get_vocab(as_model(model));
    llama_token t = llama_vocab_eos(vocab);
    if (t < 0) t = llama_vocab_eot(vocab);
    return t;
}

SG_FN(jboolean, tokenIsEog)(JNIEnv * env, jclass, jlong model, jint token) {
    SG_CHECK(model != 0, env, "null model", JNI_FALSE)
    return llama_vocab_is_eog(llama_model_get_vocab(as_model(model)), token) ? JNI_TRUE : JNI_FALSE;
}

// ------------------------------------------------------------------------------------------------
// mtmd (vision projector)

SG_FN(jlong, mtmdInit)(JNIEnv * env, jclass, jbyteArray mmproj, jlong model, jboolean use_gpu, jint n_threads,
                       jboolean warmup) {
    SG_CHECK(model != 0, env, "null model", 0)
    std::string p;
    if (!to_string(env, mmproj, p)) return 0;
    SG_TRY
    mtmd_context_params mp = mtmd_context_params_default();
    mp.use_gpu       = use_gpu == JNI_TRUE;
    mp.print_timings = false;
    mp.n_threads     = n_threads > 0 ? n_threads : mp.n_threads;
    mp.warmup        = warmup == JNI_TRUE;
    mp.media_marker  = mtmd_default_marker();
    mtmd_context * m = mtmd_init_from_file(p.c_str(), as_model(model), mp);
    if (m != nullptr && !mtmd_support_vision(m)) {
        mtmd_free(m);
        throw_state(env, "the projector file has no vision encoder (clip.has_vision_encoder is false)");
        return 0;
    }
    return reinterpret_cast<jlong>(m);
    SG_CATCH(env, 0)
}

SG_FN(void, mtmdFree)(JNIEnv * env, jclass, jlong m) {
    SG_TRY
    if (m != 0) mtmd_free(as_mtmd(m));
    SG_CATCH(env, )
}

// Builds the bitmap from packed RGB (copied) and tokenizes the prompt around the media marker.
// Thread-safe with a shared mtmd context (mtmd.h). status[0] receives mtmd_tokenize's code
// (0 ok, 1 marker/bitmap count mismatch, 2 image preprocessing failed, -1 bitmap allocation failed).
SG_FN(jlong, tokenizeWithImage)(JNIEnv * env, jclass, jlong m, jbyteArray prompt, jbyteArray rgb, jint width,
                                jint height, jboolean add_special, jintArray status) {
    SG_CHECK(m != 0, env, "null mtmd context", 0)
    if (rgb == nullptr || width <= 0 || height <= 0 ||
        static_cast<int64_t>(env->GetArrayLength(rgb)) != static_cast<int64_t>(width) * height * 3) {
        throw_arg(env, "RGB buffer does not match width*height*3");
        return 0;
    }
    std::string text;
    if (!to_string(env, prompt, text)) return 0;
    jint code = -1;
    jlong result = 0;
    SG_TRY
    // Only mtmd_bitmap_init (a memcpy, no logging, no JNI) runs inside the critical region.
    void * px = env->GetPrimitiveArrayCritical(rgb, nullptr);
    if (px == nullptr) return 0;
    mtmd_bitmap * bmp = mtmd_bitmap_init(static_cast<uint32_t>(width), static_cast<uint32_t>(height),
                                         static_cast<const unsigned char *>(px));
    env->ReleasePrimitiveArrayCritical(rgb, px, JNI_ABORT);
    if (bmp != nullptr) {
        mtmd_input_chunks * chunks = mtmd_input_chunks_init();
        mtmd_input_text in{text.c_str(), text.size(), add_special == JNI_TRUE, true};
        const mtmd_bitmap * bitmaps[1] = {bmp};
        try {
            code = mtmd_tokenize(as_mtmd(m), chunks, &in, bitmaps, 1);
        } catch (...) {
            mtmd_bitmap_free(bmp);
            mtmd_input_chunks_free(chunks);
            throw;
        }
        mtmd_bitmap_free(bmp);
        if (code == 0) {
            result = reinterpret_cast<jlong>(chunks);
        } else {
            mtmd_input_chunks_free(chunks);
        }
    }
    SG_CATCH(env, 0)
    if (status != nullptr && env->GetArrayLength(status) > 0) {
        env->SetIntArrayRegion(status, 0, 1, &code);
    }
    return result;
}

SG_FN(void, chunksFree)(JNIEnv * env, jclass, jlong chunks) {
    SG_TRY
    if (chunks != 0) mtmd_input_chunks_free(as_chunks(chunks));
    SG_CATCH(env, )
}

SG_FN(jint, chunksCount)(JNIEnv * env, jclass, jlong chunks) {
    SG_CHECK(chunks != 0, env, "null chunks handle", 0)
    return static_cast<jint>(mtmd_input_chunks_size(as_chunks(chunks)));
}

// 0 = text, 1 = image, 2 = audio (mtmd_input_chunk_type)
SG_FN(jint, chunkType)(JNIEnv * env, jclass, jlong chunks, jint i) {
    const mtmd_input_chunk * c = chunk_at(env, chunks, i);
    return c ? static_cast<jint>(mtmd_input_chunk_get_type(c)) : -1;
}

SG_FN(jint, chunkTokens)(JNIEnv * env, jclass, jlong chunks, jint i) {
    const mtmd_input_chunk * c = chunk_at(env, chunks, i);
    return c ? static_cast<jint>(mtmd_input_chunk_get_n_tokens(c)) : -1;
}

SG_FN(jint, chunkPositions)(JNIEnv * env, jclass, jlong chunks, jint i) {
    const mtmd_input_chunk * c = chunk_at(env, chunks, i);
    return c ? static_cast<jint>(mtmd_input_chunk_get_n_pos(c)) : -1;
}

// Encodes one image chunk with the vision tower and returns a malloc'd copy of its embeddings
// (n_tokens x llama_model_n_embd_inp floats; free with freeBuffer). mtmd_encode_chunk writes the
// mtmd context's single output buffer, so the caller must hold the mtmd context's lock around this
// call; the copy is what lets the lock be released before the (long) LLM decode. 0 on failure.
SG_FN(jlong, encodeImageChunk)(JNIEnv * env, jclass, jlong m, jlong model, jlong chunks, jint i) {
    SG_CHECK(m != 0 && model != 0, env, "null mtmd context or model", 0)
    const mtmd_input_chunk * c = chunk_at(env, chunks, i);
    if (c == nullptr) return 0;
    if (mtmd_input_chunk_get_type(c) != MTMD_INPUT_CHUNK_TYPE_IMAGE) {
        throw_arg(env, "chunk " + std::to_string(i) + " is not an image chunk");
        return 0;
    }
    SG_TRY
    if (mtmd_encode_chunk(as_mtmd(m), c) != 0) return 0;
    const float * embd = mtmd_get_output_embd(as_mtmd(m));
    if (embd == nullptr) return 0;
    size_t n = mtmd_input_chunk_get_n_tokens(c) * static_cast<size_t>(llama_model_n_embd_inp(as_model(model)));
    auto * copy = static_cast<float *>(std::malloc(n * sizeof(float)));
    if (copy == nullptr) {
        throw_java(env, "java/lang/OutOfMemoryError", "cannot allocate image embeddings");
        return 0;
    }
    std::memcpy(copy, embd, n * sizeof(float));
    return reinterpret_cast<jlong>(copy);
    SG_CATCH(env, 0)
}

// ------------------------------------------------------------------------------------------------
// Context

SG_FN(jlong, contextCreate)(JNIEnv * env, jclass, jlong model, jint n_ctx, jint n_batch, jint n_ubatch,
                            jint n_threads, jint n_threads_batch) {
    SG_CHECK(model != 0, env, "null model", 0)
    if (n_batch <= 0 || n_ubatch <= 0 || n_threads <= 0 || n_threads_batch <= 0 || n_ctx < 0) {
        throw_arg(env, "context sizes and thread counts must be positive");
        return 0;
    }
    SG_TRY
    auto * c = new SgContext();
    llama_context_params cp = llama_context_default_params();
    cp.n_ctx               = static_cast<uint32_t>(n_ctx);
    cp.n_batch             = static_cast<uint32_t>(n_batch);
    cp.n_ubatch            = static_cast<uint32_t>(n_ubatch);
    cp.n_seq_max           = 1;
    // We only ever read the logits of the last position of a batch: one output row, not n_batch
    // (saves n_ubatch x n_vocab floats of compute buffer; 300 MB for a 151k vocab at ubatch 512).
    cp.n_outputs_max       = 1;
    cp.n_threads           = n_threads;
    cp.n_threads_batch     = n_threads_batch;
    cp.no_perf             = true;
    cp.abort_callback      = sg_abort_callback;
    cp.abort_callback_data = c;
    c->ctx = llama_init_from_model(as_model(model), cp);
    if (c->ctx == nullptr) {
        delete c;
        return 0;
    }
    c->batch_cap = n_batch;
    c->batch     = llama_batch_init(n_batch, 0, 1);
    return reinterpret_cast<jlong>(c);
    SG_CATCH(env, 0)
}

SG_FN(void, contextFree)(JNIEnv * env, jclass, jlong h) {
    SG_TRY
    if (h == 0) return;
    SgContext * c = as_ctx(h);
    llama_batch_free(c->batch);
    llama_free(c->ctx);
    delete c;
    SG_CATCH(env, )
}

SG_FN(jint, contextSize)(JNIEnv * env, jclass, jlong h) {
    SG_CHECK(h != 0, env, "null context", 0)
    return static_cast<jint>(llama_n_ctx(as_ctx(h)->ctx));
}

SG_FN(void, contextSetAbort)(JNIEnv *, jclass, jlong h, jboolean abort) {
    if (h != 0) as_ctx(h)->abort.store(abort == JNI_TRUE, std::memory_order_relaxed);
}

// Forgets everything in the context's KV memory (all sequences).
SG_FN(void, contextClear)(JNIEnv * env, jclass, jlong h) {
    SG_CHECK(h != 0, env, "null context", )
    SG_TRY
    SgContext * c = as_ctx(h);
    llama_memory_clear(llama_get_memory(c->ctx), true);
    c->has_logits = false;
    SG_CATCH(env, )
}

// Decodes a text chunk at positions n_past.. in sequence 0, n_batch tokens per llama_decode.
// Returns llama_decode's code (0 ok, 1 no KV slot, 2 aborted, <0 error).
SG_FN(jint, decodeTextChunk)(JNIEnv * env, jclass, jlong h, jlong chunks, jint i, jint n_past,
                             jboolean logits_last) {
    SG_CHECK(h != 0, env, "null context", -100)
    const mtmd_input_chunk * chunk = chunk_at(env, chunks, i);
    if (chunk == nullptr) return -100;
    if (mtmd_input_chunk_get_type(chunk) != MTMD_INPUT_CHUNK_TYPE_TEXT) {
        throw_arg(env, "chunk " + std::to_string(i) + " is not a text chunk");
        return -100;
    }
    SG_TRY
    SgContext * c = as_ctx(h);
    c->has_logits = false;
    size_t n_tokens = 0;
    const llama_token * tokens = mtmd_input_chunk_get_tokens_text(chunk, &n_tokens);
    size_t k = 0;
    llama_pos pos = n_past;
    while (k < n_tokens) {
        c->batch.n_tokens = 0;
        for (; k < n_tokens && c->batch.n_tokens < c->batch_cap; k++) {
            int32_t j = c->batch.n_tokens++;
            c->batch.token[j]     = tokens[k];
            c->batch.pos[j]       = pos++;
            c->batch.n_seq_id[j]  = 1;
            c->batch.seq_id[j][0] = 0;
            c->batch.logits[j]    = false;
        }
        bool last = (k == n_tokens);
        if (last && logits_last) c->batch.logits[c->batch.n_tokens - 1] = true;
        int32_t rc = llama_decode(c->ctx, c->batch);
        if (rc != 0) return rc;
        if (last && logits_last) c->has_logits = true;
    }
    return 0;
    SG_CATCH(env, -100)
}

// Decodes precomputed image embeddings (from encodeImageChunk) at n_past in sequence 0. Only reads
// immutable flags of the mtmd context, so no mtmd lock is needed. Returns 0 ok, 1 decode failure
// (see llama.cpp's log: no KV slot or aborted), -1 not an image chunk.
SG_FN(jint, decodeImageChunk)(JNIEnv * env, jclass, jlong m, jlong h, jlong chunks, jint i, jlong embd,
                              jint n_past) {
    SG_CHECK(m != 0 && h != 0 && embd != 0, env, "null mtmd context, context or embeddings", -100)
    const mtmd_input_chunk * chunk = chunk_at(env, chunks, i);
    if (chunk == nullptr) return -100;
    SG_TRY
    SgContext * c = as_ctx(h);
    c->has_logits = false;
    llama_pos new_n_past = n_past;
    return mtmd_helper_decode_image_chunk(as_mtmd(m), c->ctx, chunk, reinterpret_cast<float *>(embd), n_past, 0,
                                          c->batch_cap, &new_n_past, nullptr, nullptr);
    SG_CATCH(env, -100)
}

// Decodes one token at position pos in sequence 0 with logits. Returns llama_decode's code.
SG_FN(jint, decodeToken)(JNIEnv * env, jclass, jlong h, jint token, jint pos) {
    SG_CHECK(h != 0, env, "null context", -100)
    SG_TRY
    SgContext * c = as_ctx(h);
    c->has_logits = false;
    c->batch.n_tokens     = 1;
    c->batch.token[0]     = token;
    c->batch.pos[0]       = pos;
    c->batch.n_seq_id[0]  = 1;
    c->batch.seq_id[0][0] = 0;
    c->batch.logits[0]    = true;
    int32_t rc = llama_decode(c->ctx, c->batch);
    if (rc == 0) c->has_logits = true;
    return rc;
    SG_CATCH(env, -100)
}

// Copies the raw logits of the given tokens at the last output position into out.
SG_FN(void, logitsOf)(JNIEnv * env, jclass, jlong h, jintArray tokens, jfloatArray out) {
    SG_CHECK(h != 0, env, "null context", )
    SgContext * c = as_ctx(h);
    SG_CHECK(c->has_logits, env, "no logits: the last decode did not produce any", )
    SG_TRY
    jsize n = env->GetArrayLength(tokens);
    if (env->GetArrayLength(out) < n) {
        throw_arg(env, "output array too short");
        return;
    }
    const float * logits = llama_get_logits_ith(c->ctx, -1);
    if (logits == nullptr) {
        throw_state(env, "no logits available");
        return;
    }
    int32_t n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(llama_get_model(c->ctx)));
    std::vector<jint> ids(static_cast<size_t>(n));
    std::vector<jfloat> vals(static_cast<size_t>(n));
    if (n > 0) env->GetIntArrayRegion(tokens, 0, n, ids.data());
    for (jsize k = 0; k < n; k++) {
        if (ids[k] < 0 || ids[k] >= n_vocab) {
            throw_arg(env, "token id out of range: " + std::to_string(ids[k]));
            return;
        }
        vals[k] = logits[ids[k]];
    }
    if (n > 0) env->SetFloatArrayRegion(out, 0, n, vals.data());
    SG_CATCH(env, )
}

// Sets the logits of the given tokens at the last output position to -infinity, so that the next
// sample() cannot choose them (the rating probe uses it to keep the opening quote of the rating
// value a token of its own). Only the context's logits buffer changes; the KV cache does not.
SG_FN(void, suppressTokens)(JNIEnv * env, jclass, jlong h, jintArray tokens) {
    SG_CHECK(h != 0, env, "null context", )
    SgContext * c = as_ctx(h);
    SG_CHECK(c->has_logits, env, "no logits: the last decode did not produce any", )
    SG_TRY
    float * logits = llama_get_logits_ith(c->ctx, -1);
    if (logits == nullptr) {
        throw_state(env, "no logits available");
        return;
    }
    int32_t n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(llama_get_model(c->ctx)));
    jsize n = env->GetArrayLength(tokens);
    std::vector<jint> ids(static_cast<size_t>(n));
    if (n > 0) env->GetIntArrayRegion(tokens, 0, n, ids.data());
    for (jint t : ids) {
        if (t < 0 || t >= n_vocab) {
            throw_arg(env, "token id out of range: " + std::to_string(t));
            return;
        }
    }
    for (jint t : ids) logits[t] = -INFINITY;
    SG_CATCH(env, )
}

// ------------------------------------------------------------------------------------------------
// Sampling
//
// The order is grammar -> greedy, or grammar -> top_k -> top_p -> temp -> dist(seed). Applying a
// GBNF grammar to every token of a 150k vocabulary costs tens of milliseconds per step, more than
// a small model's forward pass, so the grammar is applied lazily with the same result:
//   greedy:  take the argmax; if the grammar accepts it, it is also the argmax of the
//            grammar-filtered logits. Otherwise continue as top_k with k = 1.
//   top_k:   walk the tokens in descending logit order and keep the first k the grammar accepts
//            (exactly the k that top_k would keep after the grammar set the others to -inf), then
//            run top_p -> temp -> dist on them. dist draws one random number per step either way,
//            so a seed gives the same tokens as the plain chain (up to ties between equal logits).
//   top_k=0: filter everything with the grammar, then run the chain.
// A single-token grammar check is what llama.cpp's own common_sampler does for the same reason.

namespace {

struct SgSampler {
    llama_sampler * grammar = nullptr;  // may be null
    llama_sampler * chain   = nullptr;  // greedy, or top_k -> top_p -> temp -> dist
    bool            greedy  = true;
    int32_t         top_k   = 0;
    std::vector<llama_token_data> cur;
    std::vector<llama_token_data> kept;
};

bool grammar_accepts(SgSampler * s, llama_token t) {
    llama_token_data d{t, 0.0f, 0.0f};
    llama_token_data_array a{&d, 1, -1, false};
    llama_sampler_apply(s->grammar, &a);
    return a.data[0].logit != -INFINITY;
}

void fill_all(SgSampler * s, const float * logits, int32_t n_vocab) {
    s->cur.resize(static_cast<size_t>(n_vocab));
    for (llama_token t = 0; t < n_vocab; t++) {
        s->cur[t] = llama_token_data{t, logits[t], 0.0f};
    }
}

llama_token finish(SgSampler * s, llama_token_data_array & arr) {
    llama_sampler_apply(s->chain, &arr);
    if (arr.selected < 0 || static_cast<size_t>(arr.selected) >= arr.size) {
        return -1;
    }
    llama_token t = arr.data[arr.selected].id;
    if (s->grammar != nullptr) llama_sampler_accept(s->grammar, t);
    llama_sampler_accept(s->chain, t);
    return t;
}

llama_token sample_full(SgSampler * s, const float * logits, int32_t n_vocab) {
    fill_all(s, logits, n_vocab);
    llama_token_data_array arr{s->cur.data(), s->cur.size(), -1, false};
    if (s->grammar != nullptr) {
        llama_sampler_apply(s->grammar, &arr);
        bool any = false;
        for (size_t i = 0; i < arr.size && !any; i++) any = arr.data[i].logit != -INFINITY;
        if (!any) return -1;  // the grammar allows nothing (cannot happen with a well-formed grammar)
    }
    return finish(s, arr);
}

llama_token sg_sample(SgSampler * s, llama_context * ctx) {
    const float * logits = llama_get_logits_ith(ctx, -1);
    if (logits == nullptr) return -1;
    const int32_t n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(llama_get_model(ctx)));
    if (s->grammar == nullptr) {
        return sample_full(s, logits, n_vocab);
    }
    if (s->greedy) {
        llama_token best = 0;
        for (llama_token t = 1; t < n_vocab; t++) {
            if (logits[t] > logits[best]) best = t;
        }
        if (grammar_accepts(s, best)) {
            llama_token_data d{best, logits[best], 0.0f};
            llama_token_data_array arr{&d, 1, -1, true};
            return finish(s, arr);
        }
        // else: the first accepted token in descending order is the filtered argmax (k = 1 below)
    } else if (s->top_k <= 0) {
        return sample_full(s, logits, n_vocab);
    }
    fill_all(s, logits, n_vocab);
    auto desc = [](const llama_token_data & a, const llama_token_data & b) { return a.logit > b.logit; };
    const size_t n = s->cur.size();
    const size_t k = s->greedy ? 1 : static_cast<size_t>(s->top_k);
    // Check the best few hundred one by one; if the grammar rejects too many of them (inside a
    // fixed literal almost every token is rejected), filter the rest in one pass instead.
    const size_t walk = std::min(n, std::max<size_t>(4 * k, 256));
    std::partial_sort(s->cur.begin(), s->cur.begin() + walk, s->cur.end(), desc);
    s->kept.clear();
    size_t i = 0;
    for (; i < walk && s->kept.size() < k; i++) {
        if (grammar_accepts(s, s->cur[i].id)) s->kept.push_back(s->cur[i]);
    }
    if (s->kept.size() < k && i < n) {
        llama_token_data_array rest{s->cur.data() + i, n - i, -1, false};
        llama_sampler_apply(s->grammar, &rest);
        for (size_t j = 0; j < rest.size; j++) {
            if (rest.data[j].logit != -INFINITY) s->kept.push_back(rest.data[j]);
        }
        std::sort(s->kept.begin(), s->kept.end(), desc);
        if (s->kept.size() > k) s->kept.resize(k);
    }
    if (s->kept.empty()) return -1;
    llama_token_data_array arr{s->kept.data(), s->kept.size(), -1, true};
    return finish(s, arr);
}

inline SgSampler * as_sg_smpl(jlong h) { return reinterpret_cast<SgSampler *>(h); }

}  // namespace

// Returns 0 if the grammar does not parse (llama.cpp logs why).
SG_FN(jlong, samplerCreate)(JNIEnv * env, jclass, jlong model, jbyteArray grammar, jboolean greedy, jfloat temp,
                            jfloat top_p, jint top_k, jint seed) {
    SG_CHECK(model != 0, env, "null model", 0)
    std::string g;
    bool has_grammar = grammar != nullptr;
    if (has_grammar && !to_string(env, grammar, g)) return 0;
    SG_TRY
    auto * s = new SgSampler();
    s->greedy = greedy == JNI_TRUE;
    s->top_k  = top_k;
    if (has_grammar) {
        s->grammar = llama_sampler_init_grammar(llama_model_get_vocab(as_model(model)), g.c_str(), "root");
        if (s->grammar == nullptr) {
            delete s;
            return 0;
        }
    }
    llama_sampler_chain_params sp = llama_sampler_chain_default_params();
    sp.no_perf = true;
    s->chain = llama_sampler_chain_init(sp);
    if (s->greedy) {
        llama_sampler_chain_add(s->chain, llama_sampler_init_greedy());
    } else {
        if (top_k > 0) llama_sampler_chain_add(s->chain, llama_sampler_init_top_k(top_k));
        if (top_p < 1.0f) llama_sampler_chain_add(s->chain, llama_sampler_init_top_p(top_p, 1));
        llama_sampler_chain_add(s->chain, llama_sampler_init_temp(temp));
        llama_sampler_chain_add(s->chain, llama_sampler_init_dist(static_cast<uint32_t>(seed)));
    }
    return reinterpret_cast<jlong>(s);
    SG_CATCH(env, 0)
}

SG_FN(void, samplerFree)(JNIEnv * env, jclass, jlong h) {
    SG_TRY
    if (h == 0) return;
    SgSampler * s = as_sg_smpl(h);
    if (s->grammar != nullptr) llama_sampler_free(s->grammar);
    if (s->chain != nullptr) llama_sampler_free(s->chain);
    delete s;
    SG_CATCH(env, )
}

// Returns those of the given tokens that the sampler's grammar accepts at the current position
// (all of them without a grammar). Does not change the grammar's state.
SG_FN(jintArray, samplerAllowed)(JNIEnv * env, jclass, jlong h, jintArray tokens) {
    SG_CHECK(h != 0, env, "null sampler", nullptr)
    SG_TRY
    SgSampler * s = as_sg_smpl(h);
    jsize n = env->GetArrayLength(tokens);
    std::vector<jint> in(static_cast<size_t>(n));
    if (n > 0) env->GetIntArrayRegion(tokens, 0, n, in.data());
    std::vector<jint> out;
    for (jint t : in) {
        if (s->grammar == nullptr || grammar_accepts(s, t)) out.push_back(t);
    }
    jintArray arr = env->NewIntArray(static_cast<jsize>(out.size()));
    if (arr != nullptr && !out.empty()) env->SetIntArrayRegion(arr, 0, static_cast<jsize>(out.size()), out.data());
    return arr;
    SG_CATCH(env, nullptr)
}

// Samples (and accepts) the next token from the last output position; -1 if nothing can be sampled.
SG_FN(jint, sample)(JNIEnv * env, jclass, jlong h, jlong ctx) {
    SG_CHECK(h != 0 && ctx != 0, env, "null sampler or context", -1)
    SgContext * c = as_ctx(ctx);
    SG_CHECK(c->has_logits, env, "no logits to sample from: the last decode did not produce any", -1)
    SG_TRY
    return sg_sample(as_sg_smpl(h), c->ctx);
    SG_CATCH(env, -1)
}

// ------------------------------------------------------------------------------------------------
// Our own image pipeline (io.safetyguard.llamacpp.ReferenceImagePipeline): the vision tower without
// libmtmd's preprocessing and token layout. Java prepares the tiles, encodes them one by one here,
// assembles the embeddings as the reference does and decodes them with decodeEmbeddings.

// Loads the vision tower + projector of an mmproj (vision only). 0 on failure (see the log).
SG_FN(jlong, clipInit)(JNIEnv * env, jclass, jbyteArray mmproj, jboolean use_gpu, jboolean warmup) {
    std::string p;
    if (!to_string(env, mmproj, p)) return 0;
    SG_TRY
    clip_context_params cp{};
    cp.use_gpu          = use_gpu == JNI_TRUE;
    cp.device           = nullptr;
    cp.flash_attn_type  = CLIP_FLASH_ATTN_TYPE_AUTO;
    cp.image_min_tokens = -1;
    cp.image_max_tokens = -1;
    cp.warmup           = warmup == JNI_TRUE;
    cp.cb_eval          = nullptr;
    cp.cb_eval_user_data = nullptr;
    cp.no_alloc         = false;
    cp.progress_callback = nullptr;
    cp.progress_callback_user_data = nullptr;
    clip_init_result r = clip_init(p.c_str(), cp);
    if (r.ctx_a != nullptr) clip_free(r.ctx_a);
    if (r.ctx_gen_a != nullptr) clip_free(r.ctx_gen_a);
    if (r.ctx_v == nullptr) {
        throw_state(env, "the projector file has no vision encoder (clip.has_vision_encoder is false or loading failed)");
        return 0;
    }
    return reinterpret_cast<jlong>(r.ctx_v);
    SG_CATCH(env, 0)
}

SG_FN(void, clipFree)(JNIEnv * env, jclass, jlong clip) {
    SG_TRY
    if (clip != 0) clip_free(as_clip(clip));
    SG_CATCH(env, )
}

// Width of the projected embeddings (must equal the text model's n_embd_inp).
SG_FN(jint, clipNEmbd)(JNIEnv * env, jclass, jlong clip) {
    SG_CHECK(clip != 0, env, "null clip context", 0)
    SG_TRY
    return clip_n_mmproj_embd(as_clip(clip));
    SG_CATCH(env, 0)
}

// Encodes one preprocessed square tile: chw holds 3 x size x size normalized floats, channel-major
// (clip takes them interleaved; this converts). Returns n_tokens x n_embd floats, token-major, or
// null if the encoder failed. Not thread-safe for one clip context: the caller serialises.
SG_FN(jfloatArray, clipEncodeTile)(JNIEnv * env, jclass, jlong clip, jfloatArray chw, jint size, jint n_threads) {
    SG_CHECK(clip != 0, env, "null clip context", nullptr)
    if (chw == nullptr || size <= 0 || size > 8192 || n_threads <= 0 ||
        static_cast<int64_t>(env->GetArrayLength(chw)) != 3LL * size * size) {
        throw_arg(env, "the tile must be 3 x size x size floats with 0 < size <= 8192 and threads > 0");
        return nullptr;
    }
    SG_TRY
    const size_t plane = static_cast<size_t>(size) * static_cast<size_t>(size);
    std::vector<float> planar(3 * plane);
    env->GetFloatArrayRegion(chw, 0, static_cast<jsize>(planar.size()), planar.data());
    std::vector<float> hwc(3 * plane);
    for (size_t i = 0; i < plane; i++) {
        hwc[3 * i + 0] = planar[i];
        hwc[3 * i + 1] = planar[plane + i];
        hwc[3 * i + 2] = planar[2 * plane + i];
    }
    clip_image_f32 img;
    img.set_size({size, size}, false, false);
    img.cpy_buf(hwc);
    const int n_tokens = clip_n_output_tokens(as_clip(clip), &img);
    const int n_embd   = clip_n_mmproj_embd(as_clip(clip));
    // clip_encode copies into the buffer only when it already has exactly the output's size
    const size_t n = static_cast<size_t>(n_tokens) * static_cast<size_t>(n_embd);
    std::vector<float> out(n);
    if (!clip_image_encode(as_clip(clip), n_threads, &img, out)) return nullptr;
    jfloatArray arr = env->NewFloatArray(static_cast<jsize>(n));
    if (arr != nullptr) env->SetFloatArrayRegion(arr, 0, static_cast<jsize>(n), out.data());
    return arr;
    SG_CATCH(env, nullptr)
}

// Decodes n_tokens embeddings (embd: n_tokens x n_embd floats, token-major, starting at float offset
// `offset`) at positions n_past.. in sequence 0, n_batch tokens per llama_decode; logits only for the
// last one if logits_last. Returns llama_decode's code (0 ok, 1 no KV slot, 2 aborted, <0 error).
SG_FN(jint, decodeEmbeddings)(JNIEnv * env, jclass, jlong h, jfloatArray embd, jint offset, jint n_tokens,
                              jint n_past, jboolean logits_last) {
    SG_CHECK(h != 0, env, "null context", -100)
    SgContext * c = as_ctx(h);
    const int32_t n_embd = llama_model_n_embd_inp(llama_get_model(c->ctx));
    if (embd == nullptr || offset < 0 || n_tokens <= 0 ||
        static_cast<int64_t>(offset) + static_cast<int64_t>(n_tokens) * n_embd > env->GetArrayLength(embd)) {
        throw_arg(env, "embeddings array too short for " + std::to_string(n_tokens) + " tokens of " +
                       std::to_string(n_embd) + " floats");
        return -100;
    }
    SG_TRY
    c->has_logits = false;
    const int32_t per_batch = std::min<int32_t>(c->batch_cap, n_tokens);
    llama_batch b = llama_batch_init(per_batch, n_embd, 1);
    int32_t rc = 0;
    try {
        for (int32_t done = 0; done < n_tokens && rc == 0;) {
            const int32_t k = std::min<int32_t>(per_batch, n_tokens - done);
            env->GetFloatArrayRegion(embd, offset + done * n_embd, k * n_embd, b.embd);
            for (int32_t j = 0; j < k; j++) {
                b.pos[j]       = n_past + done + j;
                b.n_seq_id[j]  = 1;
                b.seq_id[j][0] = 0;
                b.logits[j]    = false;
            }
            b.n_tokens = k;
            done += k;
            const bool last = done == n_tokens;
            if (last && logits_last) b.logits[k - 1] = true;
            rc = llama_decode(c->ctx, b);
            if (rc == 0 && last && logits_last) c->has_logits = true;
        }
    } catch (...) {
        llama_batch_free(b);
        throw;
    }
    llama_batch_free(b);
    return rc;
    SG_CATCH(env, -100)
}

// Decodes text tokens at positions n_past.. in sequence 0, n_batch per llama_decode; logits for the
// last one if logits_last. Returns llama_decode's code.
SG_FN(jint, decodeTokens)(JNIEnv * env, jclass, jlong h, jintArray tokens, jint n_past, jboolean logits_last) {
    SG_CHECK(h != 0, env, "null context", -100)
    if (tokens == nullptr) {
        throw_arg(env, "null tokens");
        return -100;
    }
    SG_TRY
    SgContext * c = as_ctx(h);
    c->has_logits = false;
    const jsize n = env->GetArrayLength(tokens);
    std::vector<jint> ids(static_cast<size_t>(n));
    if (n > 0) env->GetIntArrayRegion(tokens, 0, n, ids.data());
    const int32_t n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(llama_get_model(c->ctx)));
    for (jint t : ids) {
        if (t < 0 || t >= n_vocab) {
            throw_arg(env, "token id out of range: " + std::to_string(t));
            return -100;
        }
    }
    jsize k = 0;
    llama_pos pos = n_past;
    while (k < n) {
        c->batch.n_tokens = 0;
        for (; k < n && c->batch.n_tokens < c->batch_cap; k++) {
            int32_t j = c->batch.n_tokens++;
            c->batch.token[j]     = ids[static_cast<size_t>(k)];
            c->batch.pos[j]       = pos++;
            c->batch.n_seq_id[j]  = 1;
            c->batch.seq_id[j][0] = 0;
            c->batch.logits[j]    = false;
        }
        const bool last = k == n;
        if (last && logits_last) c->batch.logits[c->batch.n_tokens - 1] = true;
        int32_t rc = llama_decode(c->ctx, c->batch);
        if (rc != 0) return rc;
        if (last && logits_last) c->has_logits = true;
    }
    return 0;
    SG_CATCH(env, -100)
}

// Forgets sequence 0's KV entries at positions >= from (keeps the prefix before it). False if the
// memory cannot remove a partial range (then the caller clears the context instead).
SG_FN(jboolean, contextTrim)(JNIEnv * env, jclass, jlong h, jint from) {
    SG_CHECK(h != 0, env, "null context", JNI_FALSE)
    SG_TRY
    SgContext * c = as_ctx(h);
    c->has_logits = false;
    return llama_memory_seq_rm(llama_get_memory(c->ctx), 0, from, -1) ? JNI_TRUE : JNI_FALSE;
    SG_CATCH(env, JNI_FALSE)
}
