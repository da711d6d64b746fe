// io.safetyguard.llamacpp.internal.jni.LlamaModel: llama_model and its vocabulary.

#include "jni_shim.h"

#include <climits>
#include <vector>

using sg::as_model;

// load_mode: llama_load_mode (-1 auto, 0 read into memory, 1 mmap). 0 on failure (see the log).
SG_JNI(LlamaModel, jlong, nativeLoad)(JNIEnv * env, jclass, jbyteArray path, jint n_gpu_layers, jint load_mode) {
    std::string p;
    if (!sg::to_string(env, path, p)) return 0;
    SG_TRY
    llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = n_gpu_layers;
    mp.load_mode    = static_cast<llama_load_mode>(load_mode);
    return reinterpret_cast<jlong>(llama_model_load_from_file(p.c_str(), mp));
    SG_CATCH(env, 0)
}

SG_JNI(LlamaModel, void, nativeFree)(JNIEnv * env, jclass, jlong model) {
    SG_TRY
    if (model != 0) llama_model_free(as_model(model));
    SG_CATCH(env, )
}

SG_JNI(LlamaModel, jint, nativeEmbeddingWidth)(JNIEnv * env, jclass, jlong model) {
    SG_CHECK(model != 0, env, "null model", 0)
    return llama_model_n_embd_inp(as_model(model));
}

SG_JNI(LlamaModel, jint, nativeTrainedContext)(JNIEnv * env, jclass, jlong model) {
    SG_CHECK(model != 0, env, "null model", 0)
    return llama_model_n_ctx_train(as_model(model));
}

SG_JNI(LlamaModel, jint, nativeVocabularySize)(JNIEnv * env, jclass, jlong model) {
    SG_CHECK(model != 0, env, "null model", 0)
    return llama_vocab_n_tokens(llama_model_get_vocab(as_model(model)));
}

SG_JNI(LlamaModel, jlong, nativeSize)(JNIEnv * env, jclass, jlong model) {
    SG_CHECK(model != 0, env, "null model", 0)
    return static_cast<jlong>(llama_model_size(as_model(model)));
}

// Tokenizes text with the model's tokenizer (thread-safe). Returns null if the text is too long.
SG_JNI(LlamaModel, jintArray, nativeTokenize)(JNIEnv * env, jclass, jlong model, jbyteArray text,
                                              jboolean add_special, jboolean parse_special) {
    SG_CHECK(model != 0, env, "null model", nullptr)
    std::string s;
    if (!sg::to_string(env, text, s)) return nullptr;
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

SG_JNI(LlamaModel, jbyteArray, nativeTokenPiece)(JNIEnv * env, jclass, jlong model, jint token, jboolean special) {
    SG_CHECK(model != 0, env, "null model", nullptr)
    SG_TRY
    const llama_vocab * vocab = llama_model_get_vocab(as_model(model));
    if (token < 0 || token >= llama_vocab_n_tokens(vocab)) {
        sg::throw_arg(env, "token id out of range: " + std::to_string(token));
        return nullptr;
    }
    char buf[256];
    int32_t n = llama_token_to_piece(vocab, token, buf, sizeof(buf), 0, special == JNI_TRUE);
    if (n < 0) {
        std::vector<char> big(static_cast<size_t>(-n));
        n = llama_token_to_piece(vocab, token, big.data(), static_cast<int32_t>(big.size()), 0, special == JNI_TRUE);
        return sg::to_bytes(env, big.data(), n > 0 ? static_cast<size_t>(n) : 0);
    }
    return sg::to_bytes(env, buf, static_cast<size_t>(n));
    SG_CATCH(env, nullptr)
}

// An end-of-generation token of the vocabulary (EOS, else EOT), or -1.
SG_JNI(LlamaModel, jint, nativeEogToken)(JNIEnv * env, jclass, jlong model) {
    SG_CHECK(model != 0, env, "null model", -1)
    const llama_vocab * vocab = llama_model_get_vocab(as_model(model));
    llama_token t = llama_vocab_eos(vocab);
    if (t < 0) t = llama_vocab_eot(vocab);
    return t;
}

SG_JNI(LlamaModel, jboolean, nativeTokenIsEog)(JNIEnv * env, jclass, jlong model, jint token) {
    SG_CHECK(model != 0, env, "null model", JNI_FALSE)
    return llama_vocab_is_eog(llama_model_get_vocab(as_model(model)), token) ? JNI_TRUE : JNI_FALSE;
}
