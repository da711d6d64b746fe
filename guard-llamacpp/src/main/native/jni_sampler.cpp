// io.safetyguard.llamacpp.internal.jni.Sampler: grammar-constrained sampling.
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

#include "jni_shim.h"

#include <algorithm>
#include <cmath>
#include <vector>

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

// The first index of the largest logit (what llama.cpp's greedy sampler picks), straight from the logits
// buffer: filling a token-data array of the whole vocabulary for the greedy sampler costs more than the scan.
llama_token argmax(const float * logits, int32_t n_vocab) {
    llama_token best = 0;
    float       max  = logits[0];
    for (llama_token t = 1; t < n_vocab; t++) {
        if (logits[t] > max) {
            max  = logits[t];
            best = t;
        }
    }
    return best;
}

llama_token sg_sample(SgSampler * s, sg::Context * c) {
    llama_context * ctx    = c->ctx;
    const float *   logits = sg::current_logits(c);
    if (logits == nullptr) return -1;
    const int32_t n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(llama_get_model(ctx)));
    if (s->grammar == nullptr && !s->greedy) {
        return sample_full(s, logits, n_vocab);
    }
    if (s->greedy) {
        const llama_token best = argmax(logits, n_vocab);
        if (s->grammar == nullptr || grammar_accepts(s, best)) {
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
    // Check the best few in one grammar call (each call has a fixed cost, so one call over 32 tokens is
    // far cheaper than 32 calls); if the grammar rejects too many of them (inside a fixed literal almost
    // every token is rejected), filter the rest in one pass instead.
    const size_t walk = std::min(n, std::max<size_t>(4 * k, 32));
    std::partial_sort(s->cur.begin(), s->cur.begin() + walk, s->cur.end(), desc);
    s->kept.clear();
    {
        llama_token_data_array head{s->cur.data(), walk, -1, true};
        llama_sampler_apply(s->grammar, &head);  // rejected ones become -inf; they are not used again
        for (size_t j = 0; j < walk && s->kept.size() < k; j++) {
            if (s->cur[j].logit != -INFINITY) s->kept.push_back(s->cur[j]);
        }
    }
    const size_t i = walk;
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
SG_JNI(Sampler, jlong, nativeCreate)(JNIEnv * env, jclass, jlong model, jbyteArray grammar, jboolean greedy,
                                     jfloat temp, jfloat top_p, jint top_k, jint seed) {
    SG_CHECK(model != 0, env, "null model", 0)
    std::string g;
    bool has_grammar = grammar != nullptr;
    if (has_grammar && !sg::to_string(env, grammar, g)) return 0;
    SG_TRY
    auto * s = new SgSampler();
    s->greedy = greedy == JNI_TRUE;
    s->top_k  = top_k;
    if (has_grammar) {
        s->grammar = llama_sampler_init_grammar(llama_model_get_vocab(sg::as_model(model)), g.c_str(), "root");
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

SG_JNI(Sampler, void, nativeFree)(JNIEnv * env, jclass, jlong h) {
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
SG_JNI(Sampler, jintArray, nativeAllowed)(JNIEnv * env, jclass, jlong h, jintArray tokens) {
    SG_CHECK(h != 0, env, "null sampler", nullptr)
    SG_TRY
    SgSampler * s = as_sg_smpl(h);
    jsize n = env->GetArrayLength(tokens);
    std::vector<jint> in(static_cast<size_t>(n));
    if (n > 0) env->GetIntArrayRegion(tokens, 0, n, in.data());
    std::vector<jint> out;
    if (s->grammar == nullptr) {
        out = in;
    } else if (n > 0) {
        // one grammar call for all of them: the grammar judges each candidate on its own
        std::vector<llama_token_data> cand(in.size());
        for (size_t j = 0; j < in.size(); j++) cand[j] = llama_token_data{in[j], 0.0f, 0.0f};
        llama_token_data_array a{cand.data(), cand.size(), -1, false};
        llama_sampler_apply(s->grammar, &a);
        for (size_t j = 0; j < a.size; j++) {
            if (a.data[j].logit != -INFINITY) out.push_back(a.data[j].id);
        }
    }
    jintArray arr = env->NewIntArray(static_cast<jsize>(out.size()));
    if (arr != nullptr && !out.empty()) env->SetIntArrayRegion(arr, 0, static_cast<jsize>(out.size()), out.data());
    return arr;
    SG_CATCH(env, nullptr)
}

// Samples (and accepts) the next token from the last output position; -1 if nothing can be sampled.
SG_JNI(Sampler, jint, nativeSample)(JNIEnv * env, jclass, jlong h, jlong ctx) {
    SG_CHECK(h != 0 && ctx != 0, env, "null sampler or context", -1)
    sg::Context * c = sg::as_ctx(ctx);
    SG_CHECK(c->has_logits, env, "no logits to sample from: the last decode did not produce any", -1)
    SG_TRY
    return sg_sample(as_sg_smpl(h), c);
    SG_CATCH(env, -1)
}
