// io.safetyguard.llamacpp.internal.jni.SequenceBatch: several sequences in one llama_context (created with
// n_seq > 1): prefill of one sequence in bounded chunks, one llama_decode with one token per generating
// sequence, choosing whose logits the sampler reads, and forgetting one sequence's positions.

#include "jni_shim.h"

#include <algorithm>
#include <string>
#include <vector>

using sg::as_ctx;

namespace {

bool valid_seq(JNIEnv * env, sg::Context * c, jint seq) {
    if (seq < 0 || static_cast<uint32_t>(seq) >= llama_n_seq_max(c->ctx)) {
        sg::throw_arg(env, "sequence " + std::to_string(seq) + " out of range (context has " +
                               std::to_string(llama_n_seq_max(c->ctx)) + ")");
        return false;
    }
    return true;
}

}  // namespace

// One llama_decode of n tokens, token k at position positions[k] of sequence seqs[k], each with logits
// (output row k). Returns llama_decode's code.
SG_JNI(SequenceBatch, jint, nativeStep)(JNIEnv * env, jclass, jlong h, jintArray tokens, jintArray positions,
                                        jintArray seqs, jint n) {
    SG_CHECK(h != 0, env, "null context", -100)
    sg::Context * c = as_ctx(h);
    if (tokens == nullptr || positions == nullptr || seqs == nullptr || n <= 0 || n > c->batch_cap ||
        env->GetArrayLength(tokens) < n || env->GetArrayLength(positions) < n || env->GetArrayLength(seqs) < n) {
        sg::throw_arg(env, "step of " + std::to_string(n) + " tokens: arrays too short or batch too small");
        return -100;
    }
    SG_TRY
    c->has_logits     = false;
    c->output         = -1;
    c->n_step_outputs = 0;
    std::vector<jint> tok(n), pos(n), seq(n);
    env->GetIntArrayRegion(tokens, 0, n, tok.data());
    env->GetIntArrayRegion(positions, 0, n, pos.data());
    env->GetIntArrayRegion(seqs, 0, n, seq.data());
    const int32_t n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(llama_get_model(c->ctx)));
    llama_batch & b = c->batch;
    for (jint k = 0; k < n; k++) {
        if (tok[k] < 0 || tok[k] >= n_vocab) {
            sg::throw_arg(env, "token id out of range: " + std::to_string(tok[k]));
            return -100;
        }
        if (!valid_seq(env, c, seq[k])) return -100;
        b.token[k]     = tok[k];
        b.pos[k]       = pos[k];
        b.n_seq_id[k]  = 1;
        b.seq_id[k][0] = seq[k];
        b.logits[k]    = true;
    }
    b.n_tokens = n;
    const int32_t rc = llama_decode(c->ctx, b);
    if (rc == 0) {
        c->has_logits     = true;
        c->n_step_outputs = n;
    }
    return rc;
    SG_CATCH(env, -100)
}

// Makes the logits readers use output row i of the last step (-1: the last output of any decode).
SG_JNI(SequenceBatch, void, nativeSelectOutput)(JNIEnv * env, jclass, jlong h, jint i) {
    SG_CHECK(h != 0, env, "null context", )
    sg::Context * c = as_ctx(h);
    if (i < -1 || (i >= 0 && i >= c->n_step_outputs)) {
        sg::throw_arg(env, "output " + std::to_string(i) + " out of range (last step had " +
                               std::to_string(c->n_step_outputs) + ")");
        return;
    }
    c->output = i;
}

// Decodes tokens[offset, offset + count) at positions n_past.. of sequence seq; logits for the last one
// if logits_last. Returns llama_decode's code.
SG_JNI(SequenceBatch, jint, nativeDecodeTokens)(JNIEnv * env, jclass, jlong h, jintArray tokens, jint offset,
                                                jint count, jint n_past, jint seq, jboolean logits_last) {
    SG_CHECK(h != 0, env, "null context", -100)
    sg::Context * c = as_ctx(h);
    if (tokens == nullptr || offset < 0 || count <= 0 ||
        static_cast<int64_t>(offset) + count > env->GetArrayLength(tokens)) {
        sg::throw_arg(env, "token range out of bounds");
        return -100;
    }
    if (!valid_seq(env, c, seq)) return -100;
    SG_TRY
    c->n_step_outputs = 0;
    std::vector<jint> ids(static_cast<size_t>(count));
    env->GetIntArrayRegion(tokens, offset, count, ids.data());
    const int32_t n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(llama_get_model(c->ctx)));
    for (jint t : ids) {
        if (t < 0 || t >= n_vocab) {
            sg::throw_arg(env, "token id out of range: " + std::to_string(t));
            return -100;
        }
    }
    return sg::decode_in_batches(
        c, c->batch, c->batch_cap, count, n_past, logits_last == JNI_TRUE,
        [&](llama_batch & b, int32_t first, int32_t k) {
            for (int32_t j = 0; j < k; j++) b.token[j] = ids[first + j];
        },
        seq);
    SG_CATCH(env, -100)
}

// Decodes n_tokens embeddings (token-major from float offset `offset`) at positions n_past.. of sequence
// seq; logits for the last one if logits_last. Returns llama_decode's code.
SG_JNI(SequenceBatch, jint, nativeDecodeEmbeddings)(JNIEnv * env, jclass, jlong h, jfloatArray embd, jint offset,
                                                    jint n_tokens, jint n_past, jint seq, jboolean logits_last) {
    SG_CHECK(h != 0, env, "null context", -100)
    sg::Context * c = as_ctx(h);
    const int32_t n_embd = llama_model_n_embd_inp(llama_get_model(c->ctx));
    if (embd == nullptr || offset < 0 || n_tokens <= 0 ||
        static_cast<int64_t>(offset) + static_cast<int64_t>(n_tokens) * n_embd > env->GetArrayLength(embd)) {
        sg::throw_arg(env, "embeddings array too short for " + std::to_string(n_tokens) + " tokens of " +
                               std::to_string(n_embd) + " floats");
        return -100;
    }
    if (!valid_seq(env, c, seq)) return -100;
    SG_TRY
    c->n_step_outputs       = 0;
    const int32_t per_batch = std::min<int32_t>(c->batch_cap, n_tokens);
    llama_batch   b         = llama_batch_init(per_batch, n_embd, 1);
    int32_t       rc;
    try {
        rc = sg::decode_in_batches(
            c, b, per_batch, n_tokens, n_past, logits_last == JNI_TRUE,
            [&](llama_batch & batch, int32_t first, int32_t k) {
                env->GetFloatArrayRegion(embd, offset + first * n_embd, k * n_embd, batch.embd);
            },
            seq);
    } catch (...) {
        llama_batch_free(b);
        throw;
    }
    llama_batch_free(b);
    return rc;
    SG_CATCH(env, -100)
}

// Forgets sequence seq's positions >= from (from 0: all of it). False if the memory cannot.
SG_JNI(SequenceBatch, jboolean, nativeRemove)(JNIEnv * env, jclass, jlong h, jint seq, jint from) {
    SG_CHECK(h != 0, env, "null context", JNI_FALSE)
    sg::Context * c = as_ctx(h);
    if (!valid_seq(env, c, seq)) return JNI_FALSE;
    SG_TRY
    return llama_memory_seq_rm(llama_get_memory(c->ctx), seq, from, -1) ? JNI_TRUE : JNI_FALSE;
    SG_CATCH(env, JNI_FALSE)
}
