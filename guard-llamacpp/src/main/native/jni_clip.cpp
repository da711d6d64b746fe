// io.safetyguard.llamacpp.internal.jni.ClipContext: the vision tower without libmtmd's preprocessing and token
// layout, for the reference image pipeline (ImagePipeline.REFERENCE). Java prepares the tiles, encodes them one
// by one here, assembles the embeddings as the reference does and decodes them with
// LlamaContext.nativeDecodeEmbeddings.

#include "jni_shim.h"

#include <string>
#include <vector>

#include "ggml.h"

// The clip API is internal to libmtmd (exported, C++ linkage, not installed); build-natives.sh passes
// the include path of the exact source tree the libraries were built from.
#include "clip.h"
#include "clip-impl.h"

namespace {

inline clip_ctx * as_clip(jlong h) { return reinterpret_cast<clip_ctx *>(h); }

}  // namespace

// Loads the vision tower + projector of an mmproj (vision only). 0 on failure (see the log).
SG_JNI(ClipContext, jlong, nativeInit)(JNIEnv * env, jclass, jbyteArray mmproj, jboolean use_gpu,
                                       jboolean warmup) {
    std::string p;
    if (!sg::to_string(env, mmproj, p)) return 0;
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
        sg::throw_state(env, "the projector file has no vision encoder (clip.has_vision_encoder is false or loading failed)");
        return 0;
    }
    return reinterpret_cast<jlong>(r.ctx_v);
    SG_CATCH(env, 0)
}

SG_JNI(ClipContext, void, nativeFree)(JNIEnv * env, jclass, jlong clip) {
    SG_TRY
    if (clip != 0) clip_free(as_clip(clip));
    SG_CATCH(env, )
}

// Width of the projected embeddings (must equal the text model's n_embd_inp).
SG_JNI(ClipContext, jint, nativeEmbeddingWidth)(JNIEnv * env, jclass, jlong clip) {
    SG_CHECK(clip != 0, env, "null clip context", 0)
    SG_TRY
    return clip_n_mmproj_embd(as_clip(clip));
    SG_CATCH(env, 0)
}

// Encodes one preprocessed square tile: chw holds 3 x size x size normalized floats, channel-major
// (clip takes them interleaved; this converts). Returns n_tokens x n_embd floats, token-major, or
// null if the encoder failed. Not thread-safe for one clip context: the caller serialises.
SG_JNI(ClipContext, jfloatArray, nativeEncodeTile)(JNIEnv * env, jclass, jlong clip, jfloatArray chw, jint size,
                                                   jint n_threads) {
    SG_CHECK(clip != 0, env, "null clip context", nullptr)
    if (chw == nullptr || size <= 0 || size > 8192 || n_threads <= 0 ||
        static_cast<int64_t>(env->GetArrayLength(chw)) != 3LL * size * size) {
        sg::throw_arg(env, "the tile must be 3 x size x size floats with 0 < size <= 8192 and threads > 0");
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

// Quantizes rows of f32 values to ggml type `type` with ggml's own quantizer (the bytes llama-quantize would
// write). The pinned clip API has no quantize entry point, so MmprojQuantizer rewrites an mmproj in Java and
// uses this for the weights. Returns null (with a Java exception) for a type that cannot be quantized this way.
SG_JNI(ClipContext, jbyteArray, nativeQuantizeRows)(JNIEnv * env, jclass, jint type, jfloatArray values,
                                                    jint row_length) {
    if (values == nullptr || type < 0 || type >= GGML_TYPE_COUNT || row_length <= 0) {
        sg::throw_arg(env, "quantizeRows needs a ggml type id, values and a positive row length");
        return nullptr;
    }
    const auto t = static_cast<ggml_type>(type);
    const int64_t n = env->GetArrayLength(values);
    const int64_t block = ggml_blck_size(t);
    if (ggml_type_size(t) == 0 || block <= 0 || row_length % block != 0 || n % row_length != 0 ||
        ggml_quantize_requires_imatrix(t)) {
        sg::throw_arg(env, std::string("cannot quantize rows of ") + std::to_string(row_length) + " to " +
                               ggml_type_name(t) + " (block size " + std::to_string(block) +
                               ", importance matrix needed: " + (ggml_quantize_requires_imatrix(t) ? "yes" : "no") +
                               ")");
        return nullptr;
    }
    SG_TRY
    const int64_t rows = n / row_length;
    std::vector<float> src(static_cast<size_t>(n));
    env->GetFloatArrayRegion(values, 0, static_cast<jsize>(n), src.data());
    const size_t row_bytes = ggml_row_size(t, row_length);
    const size_t total = row_bytes * static_cast<size_t>(rows);
    if (total > static_cast<size_t>(INT32_MAX)) {
        sg::throw_arg(env, "quantizeRows: the result does not fit a Java array");
        return nullptr;
    }
    std::vector<char> dst(total);
    const size_t written = ggml_quantize_chunk(t, src.data(), dst.data(), 0, rows, row_length, nullptr);
    if (written != total) {
        sg::throw_state(env, "ggml_quantize_chunk wrote " + std::to_string(written) + " bytes, expected " +
                                 std::to_string(total));
        return nullptr;
    }
    return sg::to_bytes(env, dst.data(), total);
    SG_CATCH(env, nullptr)
}
