// io.safetyguard.llamacpp.internal.jni.LlamaContext: llama_context (sequence 0), its abort flag, decoding text
// and embeddings through the one batch loop, and the logits of the last output.

#include "jni_shim.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

using sg::as_ctx;
using sg::as_model;

namespace {

bool abort_callback(void * data) {
    return static_cast<sg::Context *>(data)->abort.load(std::memory_order_relaxed);
}

// Without a pool of its own, ggml's CPU backend starts and joins its worker threads for every graph, i.e. for
// every generated token. A persistent pool keeps them (spinning briefly, then asleep) between decodes.
// The pools belong to the CPU backend, which may be a runtime-loaded variant: its functions come from the registry.
using threadpool_new_fn  = ggml_threadpool_t (*)(ggml_threadpool_params *);
using threadpool_free_fn = void (*)(ggml_threadpool_t);

void free_threadpool(ggml_threadpool_t pool) {
    auto pool_free = reinterpret_cast<threadpool_free_fn>(sg::cpu_proc("ggml_threadpool_free"));
    if (pool != nullptr && pool_free != nullptr) pool_free(pool);
}

bool attach_threadpools(sg::Context * c, int32_t n_threads, int32_t n_threads_batch) {
    auto pool_new = reinterpret_cast<threadpool_new_fn>(sg::cpu_proc("ggml_threadpool_new"));
    if (pool_new == nullptr) return false;
    ggml_threadpool_params tp = ggml_threadpool_params_default(n_threads);
    c->threadpool = pool_new(&tp);
    if (c->threadpool == nullptr) return false;
    if (n_threads_batch != n_threads) {
        ggml_threadpool_params tpb = ggml_threadpool_params_default(n_threads_batch);
        c->threadpool_batch = pool_new(&tpb);
        if (c->threadpool_batch == nullptr) return false;
    }
    llama_attach_threadpool(c->ctx, c->threadpool, c->threadpool_batch);
    return true;
}

void free_context(sg::Context * c) {
    if (c->batch_cap > 0) llama_batch_free(c->batch);
    if (c->ctx != nullptr) llama_free(c->ctx);  // before the pools it uses
    free_threadpool(c->threadpool_batch);
    free_threadpool(c->threadpool);
    delete c;
}

}  // namespace

namespace sg {

int32_t decode_in_batches(Context * c, llama_batch & batch, int32_t capacity, int32_t n, llama_pos n_past,
                          bool logits_last, const BatchFill & fill, llama_seq_id seq) {
    c->has_logits = false;
    c->output     = -1;
    for (int32_t done = 0; done < n;) {
        const int32_t k = std::min<int32_t>(capacity, n - done);
        fill(batch, done, k);
        for (int32_t j = 0; j < k; j++) {
            batch.pos[j]       = n_past + done + j;
            batch.n_seq_id[j]  = 1;
            batch.seq_id[j][0] = seq;
            batch.logits[j]    = false;
        }
        batch.n_tokens = k;
        done += k;
        const bool last = done == n;
        if (last && logits_last) batch.logits[k - 1] = true;
        const auto    t0 = std::chrono::steady_clock::now();
        const int32_t rc = llama_decode(c->ctx, batch);
        c->forward_ns += std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - t0)
                             .count();
        if (rc != 0) return rc;
        if (last && logits_last) c->has_logits = true;
    }
    return 0;
}

}  // namespace sg

// flash_attn: -1 auto (llama.cpp enables it where the backend supports it, the CPU included), 0 off, 1 on.
// persistent_threads: attach thread pools that live as long as the context (see attach_threadpools).
SG_JNI(LlamaContext, jlong, nativeCreate)(JNIEnv * env, jclass, jlong model, jint n_ctx, jint n_batch, jint n_ubatch,
                                          jint n_threads, jint n_threads_batch, jint flash_attn,
                                          jboolean persistent_threads, jint n_seq) {
    SG_CHECK(model != 0, env, "null model", 0)
    if (n_batch <= 0 || n_ubatch <= 0 || n_threads <= 0 || n_threads_batch <= 0 || n_ctx < 0 || n_seq <= 0) {
        sg::throw_arg(env, "context sizes and thread counts must be positive");
        return 0;
    }
    if (flash_attn < -1 || flash_attn > 1) {
        sg::throw_arg(env, "flash attention must be -1 (auto), 0 (off) or 1 (on), got " + std::to_string(flash_attn));
        return 0;
    }
    SG_TRY
    auto * c = new sg::Context();
    llama_context_params cp = llama_context_default_params();
    cp.n_ctx               = static_cast<uint32_t>(n_ctx);
    cp.n_batch             = static_cast<uint32_t>(n_batch);
    cp.n_ubatch            = static_cast<uint32_t>(n_ubatch);
    cp.n_seq_max           = static_cast<uint32_t>(n_seq);
    // We only read the logits of the last position of a batch, or of each sequence's token in a
    // multi-sequence step: n_seq output rows, not n_batch (saves n_ubatch x n_vocab floats of
    // compute buffer; 300 MB for a 151k vocab at ubatch 512).
    cp.n_outputs_max       = static_cast<uint32_t>(n_seq);
    // Several sequences get a KV stream each (n_ctx / n_seq cells): attention then runs per sequence,
    // as it would for one sequence alone.
    cp.kv_unified          = false;
    cp.n_threads           = n_threads;
    cp.n_threads_batch     = n_threads_batch;
    cp.no_perf             = true;
    cp.flash_attn_type     = static_cast<llama_flash_attn_type>(flash_attn);
    cp.abort_callback      = abort_callback;
    cp.abort_callback_data = c;
    c->ctx = llama_init_from_model(as_model(model), cp);
    if (c->ctx == nullptr) {
        delete c;
        return 0;
    }
    if (persistent_threads == JNI_TRUE && !attach_threadpools(c, n_threads, n_threads_batch)) {
        free_context(c);
        sg::throw_state(env, "ggml could not start a CPU thread pool of " + std::to_string(n_threads) + " threads");
        return 0;
    }
    c->batch_cap = std::max<int32_t>(n_batch, n_seq);
    c->batch     = llama_batch_init(c->batch_cap, 0, 1);
    return reinterpret_cast<jlong>(c);
    SG_CATCH(env, 0)
}

SG_JNI(LlamaContext, void, nativeFree)(JNIEnv * env, jclass, jlong h) {
    SG_TRY
    if (h == 0) return;
    free_context(as_ctx(h));
    SG_CATCH(env, )
}

SG_JNI(LlamaContext, jint, nativeSize)(JNIEnv * env, jclass, jlong h) {
    SG_CHECK(h != 0, env, "null context", 0)
    return static_cast<jint>(llama_n_ctx(as_ctx(h)->ctx));
}

// Nanoseconds spent inside llama_decode on this context since it was created.
SG_JNI(LlamaContext, jlong, nativeForwardNanos)(JNIEnv * env, jclass, jlong h) {
    SG_CHECK(h != 0, env, "null context", 0)
    return static_cast<jlong>(as_ctx(h)->forward_ns);
}

SG_JNI(LlamaContext, void, nativeSetAbort)(JNIEnv *, jclass, jlong h, jboolean abort) {
    if (h != 0) as_ctx(h)->abort.store(abort == JNI_TRUE, std::memory_order_relaxed);
}

// Forgets everything in the context's KV memory (all sequences).
SG_JNI(LlamaContext, void, nativeClear)(JNIEnv * env, jclass, jlong h) {
    SG_CHECK(h != 0, env, "null context", )
    SG_TRY
    sg::Context * c = as_ctx(h);
    llama_memory_clear(llama_get_memory(c->ctx), true);
    c->has_logits = false;
    c->output     = -1;
    SG_CATCH(env, )
}

// Forgets sequence 0's KV entries at positions >= from (keeps the prefix before it). False if the
// memory cannot remove a partial range (then the caller clears the context instead).
SG_JNI(LlamaContext, jboolean, nativeTrim)(JNIEnv * env, jclass, jlong h, jint from) {
    SG_CHECK(h != 0, env, "null context", JNI_FALSE)
    SG_TRY
    sg::Context * c = as_ctx(h);
    c->has_logits = false;
    return llama_memory_seq_rm(llama_get_memory(c->ctx), 0, from, -1) ? JNI_TRUE : JNI_FALSE;
    SG_CATCH(env, JNI_FALSE)
}

// Decodes text tokens at positions n_past.. in sequence 0, n_batch per llama_decode; logits for the
// last one if logits_last. Returns llama_decode's code.
SG_JNI(LlamaContext, jint, nativeDecodeTokens)(JNIEnv * env, jclass, jlong h, jintArray tokens, jint n_past,
                                               jboolean logits_last) {
    SG_CHECK(h != 0, env, "null context", -100)
    if (tokens == nullptr) {
        sg::throw_arg(env, "null tokens");
        return -100;
    }
    SG_TRY
    sg::Context * c = as_ctx(h);
    c->has_logits = false;
    const jsize n = env->GetArrayLength(tokens);
    std::vector<jint> ids(static_cast<size_t>(n));
    if (n > 0) env->GetIntArrayRegion(tokens, 0, n, ids.data());
    const int32_t n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(llama_get_model(c->ctx)));
    for (jint t : ids) {
        if (t < 0 || t >= n_vocab) {
            sg::throw_arg(env, "token id out of range: " + std::to_string(t));
            return -100;
        }
    }
    return sg::decode_in_batches(c, c->batch, c->batch_cap, n, n_past, logits_last == JNI_TRUE,
                                 [&](llama_batch & b, int32_t first, int32_t count) {
                                     for (int32_t j = 0; j < count; j++) b.token[j] = ids[first + j];
                                 });
    SG_CATCH(env, -100)
}

// Decodes n_tokens embeddings (embd: n_tokens x n_embd floats, token-major, starting at float offset
// `offset`) at positions n_past.. in sequence 0, n_batch tokens per llama_decode; logits only for the
// last one if logits_last. Returns llama_decode's code (0 ok, 1 no KV slot, 2 aborted, <0 error).
SG_JNI(LlamaContext, jint, nativeDecodeEmbeddings)(JNIEnv * env, jclass, jlong h, jfloatArray embd, jint offset,
                                                   jint n_tokens, jint n_past, jboolean logits_last) {
    SG_CHECK(h != 0, env, "null context", -100)
    sg::Context * c = as_ctx(h);
    const int32_t n_embd = llama_model_n_embd_inp(llama_get_model(c->ctx));
    if (embd == nullptr || offset < 0 || n_tokens <= 0 ||
        static_cast<int64_t>(offset) + static_cast<int64_t>(n_tokens) * n_embd > env->GetArrayLength(embd)) {
        sg::throw_arg(env, "embeddings array too short for " + std::to_string(n_tokens) + " tokens of " +
                           std::to_string(n_embd) + " floats");
        return -100;
    }
    SG_TRY
    // the context's own batch holds token ids; embeddings need a batch of their own
    const int32_t per_batch = std::min<int32_t>(c->batch_cap, n_tokens);
    llama_batch b = llama_batch_init(per_batch, n_embd, 1);
    int32_t rc;
    try {
        rc = sg::decode_in_batches(c, b, per_batch, n_tokens, n_past, logits_last == JNI_TRUE,
                                   [&](llama_batch & batch, int32_t first, int32_t count) {
                                       env->GetFloatArrayRegion(embd, offset + first * n_embd, count * n_embd,
                                                                batch.embd);
                                   });
    } catch (...) {
        llama_batch_free(b);
        throw;
    }
    llama_batch_free(b);
    return rc;
    SG_CATCH(env, -100)
}

// Decodes one token at position pos in sequence 0 with logits. Returns llama_decode's code.
SG_JNI(LlamaContext, jint, nativeDecodeToken)(JNIEnv * env, jclass, jlong h, jint token, jint pos) {
    SG_CHECK(h != 0, env, "null context", -100)
    SG_TRY
    sg::Context * c = as_ctx(h);
    return sg::decode_in_batches(c, c->batch, 1, 1, pos, true,
                                 [&](llama_batch & b, int32_t, int32_t) { b.token[0] = token; });
    SG_CATCH(env, -100)
}

namespace {

// The last output's logits, or null with a Java exception.
float * last_logits(JNIEnv * env, sg::Context * c) {
    if (!c->has_logits) {
        sg::throw_state(env, "no logits: the last decode did not produce any");
        return nullptr;
    }
    float * logits = sg::current_logits(c);
    if (logits == nullptr) sg::throw_state(env, "no logits available");
    return logits;
}

// Copies token ids from Java, or returns false with a Java exception when one is out of the vocabulary.
bool token_ids(JNIEnv * env, sg::Context * c, jintArray tokens, std::vector<jint> & ids) {
    if (tokens == nullptr) {
        sg::throw_arg(env, "null tokens");
        return false;
    }
    const jsize n = env->GetArrayLength(tokens);
    ids.resize(static_cast<size_t>(n));
    if (n > 0) env->GetIntArrayRegion(tokens, 0, n, ids.data());
    const int32_t n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(llama_get_model(c->ctx)));
    for (jint t : ids) {
        if (t < 0 || t >= n_vocab) {
            sg::throw_arg(env, "token id out of range: " + std::to_string(t));
            return false;
        }
    }
    return true;
}

}  // namespace

// Copies the raw logits of the given tokens at the last output position into out.
SG_JNI(LlamaContext, void, nativeLogitsOf)(JNIEnv * env, jclass, jlong h, jintArray tokens, jfloatArray out) {
    SG_CHECK(h != 0, env, "null context", )
    SG_TRY
    sg::Context * c = as_ctx(h);
    const float * logits = last_logits(env, c);
    if (logits == nullptr) return;
    std::vector<jint> ids;
    if (!token_ids(env, c, tokens, ids)) return;
    const jsize n = static_cast<jsize>(ids.size());
    if (out == nullptr || env->GetArrayLength(out) < n) {
        sg::throw_arg(env, "output array too short");
        return;
    }
    std::vector<jfloat> vals(ids.size());
    for (size_t k = 0; k < ids.size(); k++) vals[k] = logits[ids[k]];
    if (n > 0) env->SetFloatArrayRegion(out, 0, n, vals.data());
    SG_CATCH(env, )
}

// Sets the logits of the given tokens at the last output position to -infinity, so that the next
// sample cannot choose them (the rating probe uses it to keep the opening quote of the rating
// value a token of its own). Only the context's logits buffer changes; the KV cache does not.
SG_JNI(LlamaContext, void, nativeSuppressTokens)(JNIEnv * env, jclass, jlong h, jintArray tokens) {
    SG_CHECK(h != 0, env, "null context", )
    SG_TRY
    sg::Context * c = as_ctx(h);
    float * logits = last_logits(env, c);
    if (logits == nullptr) return;
    std::vector<jint> ids;
    if (!token_ids(env, c, tokens, ids)) return;
    for (jint t : ids) logits[t] = -INFINITY;
    SG_CATCH(env, )
}
