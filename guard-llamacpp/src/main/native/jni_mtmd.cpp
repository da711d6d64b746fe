// io.safetyguard.llamacpp.internal.jni.MtmdContext, ImageChunks and EncodedChunk: libmtmd's image pipeline
// (ImagePipeline.LLAMA_CPP): the projector context, the prompt tokenized around the image, and the copy of an
// image chunk's embeddings that lets the encoder lock go before the decode.

#include "jni_shim.h"

#include <cstdlib>
#include <cstring>

#include "mtmd.h"
#include "mtmd-helper.h"

namespace {

inline mtmd_context *      as_mtmd(jlong h)   { return reinterpret_cast<mtmd_context *>(h); }
inline mtmd_input_chunks * as_chunks(jlong h) { return reinterpret_cast<mtmd_input_chunks *>(h); }

const mtmd_input_chunk * chunk_at(JNIEnv * env, jlong chunks, jint i) {
    if (chunks == 0) {
        sg::throw_state(env, "null chunks handle");
        return nullptr;
    }
    size_t n = mtmd_input_chunks_size(as_chunks(chunks));
    if (i < 0 || static_cast<size_t>(i) >= n) {
        sg::throw_arg(env, "chunk index " + std::to_string(i) + " out of range (" + std::to_string(n) + " chunks)");
        return nullptr;
    }
    return mtmd_input_chunks_get(as_chunks(chunks), static_cast<size_t>(i));
}

}  // namespace

SG_JNI(MtmdContext, jlong, nativeInit)(JNIEnv * env, jclass, jbyteArray mmproj, jlong model, jboolean use_gpu,
                                       jint n_threads, jboolean warmup) {
    SG_CHECK(model != 0, env, "null model", 0)
    std::string p;
    if (!sg::to_string(env, mmproj, p)) return 0;
    SG_TRY
    mtmd_context_params mp = mtmd_context_params_default();
    mp.use_gpu       = use_gpu == JNI_TRUE;
    mp.print_timings = false;
    mp.n_threads     = n_threads > 0 ? n_threads : mp.n_threads;
    mp.warmup        = warmup == JNI_TRUE;
    mp.media_marker  = mtmd_default_marker();
    mtmd_context * m = mtmd_init_from_file(p.c_str(), sg::as_model(model), mp);
    if (m != nullptr && !mtmd_support_vision(m)) {
        mtmd_free(m);
        sg::throw_state(env, "the projector file has no vision encoder (clip.has_vision_encoder is false)");
        return 0;
    }
    return reinterpret_cast<jlong>(m);
    SG_CATCH(env, 0)
}

SG_JNI(MtmdContext, void, nativeFree)(JNIEnv * env, jclass, jlong m) {
    SG_TRY
    if (m != 0) mtmd_free(as_mtmd(m));
    SG_CATCH(env, )
}

// Builds the bitmap from packed RGB (copied) and tokenizes the prompt around the media marker.
// Thread-safe with a shared mtmd context (mtmd.h). status[0] receives mtmd_tokenize's code
// (0 ok, 1 marker/bitmap count mismatch, 2 image preprocessing failed, -1 bitmap allocation failed).
SG_JNI(MtmdContext, jlong, nativeTokenize)(JNIEnv * env, jclass, jlong m, jbyteArray prompt, jbyteArray rgb,
                                           jint width, jint height, jboolean add_special, jintArray status) {
    SG_CHECK(m != 0, env, "null mtmd context", 0)
    if (rgb == nullptr || width <= 0 || height <= 0 ||
        static_cast<int64_t>(env->GetArrayLength(rgb)) != static_cast<int64_t>(width) * height * 3) {
        sg::throw_arg(env, "RGB buffer does not match width*height*3");
        return 0;
    }
    std::string text;
    if (!sg::to_string(env, prompt, text)) return 0;
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

SG_JNI(ImageChunks, void, nativeFree)(JNIEnv * env, jclass, jlong chunks) {
    SG_TRY
    if (chunks != 0) mtmd_input_chunks_free(as_chunks(chunks));
    SG_CATCH(env, )
}

SG_JNI(ImageChunks, jint, nativeCount)(JNIEnv * env, jclass, jlong chunks) {
    SG_CHECK(chunks != 0, env, "null chunks handle", 0)
    return static_cast<jint>(mtmd_input_chunks_size(as_chunks(chunks)));
}

// 0 = text, 1 = image, 2 = audio (mtmd_input_chunk_type)
SG_JNI(ImageChunks, jint, nativeType)(JNIEnv * env, jclass, jlong chunks, jint i) {
    const mtmd_input_chunk * c = chunk_at(env, chunks, i);
    return c ? static_cast<jint>(mtmd_input_chunk_get_type(c)) : -1;
}

SG_JNI(ImageChunks, jint, nativeTokens)(JNIEnv * env, jclass, jlong chunks, jint i) {
    const mtmd_input_chunk * c = chunk_at(env, chunks, i);
    return c ? static_cast<jint>(mtmd_input_chunk_get_n_tokens(c)) : -1;
}

SG_JNI(ImageChunks, jint, nativePositions)(JNIEnv * env, jclass, jlong chunks, jint i) {
    const mtmd_input_chunk * c = chunk_at(env, chunks, i);
    return c ? static_cast<jint>(mtmd_input_chunk_get_n_pos(c)) : -1;
}

// Encodes one image chunk with the vision tower and returns a malloc'd copy of its embeddings
// (n_tokens x llama_model_n_embd_inp floats; freed by EncodedChunk.nativeFree). mtmd_encode_chunk writes the
// mtmd context's single output buffer, so the caller must hold the mtmd context's lock around this
// call; the copy is what lets the lock be released before the (long) LLM decode. 0 on failure.
SG_JNI(MtmdContext, jlong, nativeEncodeChunk)(JNIEnv * env, jclass, jlong m, jlong model, jlong chunks,
                                              jint i) {
    SG_CHECK(m != 0 && model != 0, env, "null mtmd context or model", 0)
    const mtmd_input_chunk * c = chunk_at(env, chunks, i);
    if (c == nullptr) return 0;
    if (mtmd_input_chunk_get_type(c) != MTMD_INPUT_CHUNK_TYPE_IMAGE) {
        sg::throw_arg(env, "chunk " + std::to_string(i) + " is not an image chunk");
        return 0;
    }
    SG_TRY
    if (mtmd_encode_chunk(as_mtmd(m), c) != 0) return 0;
    const float * embd = mtmd_get_output_embd(as_mtmd(m));
    if (embd == nullptr) return 0;
    size_t n = mtmd_input_chunk_get_n_tokens(c) * static_cast<size_t>(llama_model_n_embd_inp(sg::as_model(model)));
    auto * copy = static_cast<float *>(std::malloc(n * sizeof(float)));
    if (copy == nullptr) {
        sg::throw_java(env, "java/lang/OutOfMemoryError", "cannot allocate image embeddings");
        return 0;
    }
    std::memcpy(copy, embd, n * sizeof(float));
    return reinterpret_cast<jlong>(copy);
    SG_CATCH(env, 0)
}

// Decodes text chunk i at positions n_past.. of the context's sequence 0, n_batch tokens per llama_decode.
// Returns llama_decode's code (0 ok, 1 no KV slot, 2 aborted, <0 error).
SG_JNI(ImageChunks, jint, nativeDecodeText)(JNIEnv * env, jclass, jlong chunks, jint i, jlong h, jint n_past,
                                            jboolean logits_last) {
    SG_CHECK(h != 0, env, "null context", -100)
    const mtmd_input_chunk * chunk = chunk_at(env, chunks, i);
    if (chunk == nullptr) return -100;
    if (mtmd_input_chunk_get_type(chunk) != MTMD_INPUT_CHUNK_TYPE_TEXT) {
        sg::throw_arg(env, "chunk " + std::to_string(i) + " is not a text chunk");
        return -100;
    }
    SG_TRY
    sg::Context * c = sg::as_ctx(h);
    size_t n_tokens = 0;
    const llama_token * tokens = mtmd_input_chunk_get_tokens_text(chunk, &n_tokens);
    return sg::decode_in_batches(c, c->batch, c->batch_cap, static_cast<int32_t>(n_tokens), n_past,
                                 logits_last == JNI_TRUE, [&](llama_batch & b, int32_t first, int32_t count) {
                                     for (int32_t j = 0; j < count; j++) b.token[j] = tokens[first + j];
                                 });
    SG_CATCH(env, -100)
}

// Decodes precomputed image embeddings (from nativeEncodeChunk) at n_past in sequence 0. Only reads
// immutable flags of the mtmd context, so no mtmd lock is needed. Returns 0 ok, 1 decode failure
// (see llama.cpp's log: no KV slot or aborted), -1 not an image chunk.
SG_JNI(MtmdContext, jint, nativeDecodeImageChunk)(JNIEnv * env, jclass, jlong m, jlong h, jlong chunks, jint i,
                                                  jlong embd, jint n_past) {
    SG_CHECK(m != 0 && h != 0 && embd != 0, env, "null mtmd context, context or embeddings", -100)
    const mtmd_input_chunk * chunk = chunk_at(env, chunks, i);
    if (chunk == nullptr) return -100;
    SG_TRY
    sg::Context * c = sg::as_ctx(h);
    c->has_logits = false;
    llama_pos new_n_past = n_past;
    return mtmd_helper_decode_image_chunk(as_mtmd(m), c->ctx, chunk, reinterpret_cast<float *>(embd), n_past, 0,
                                          c->batch_cap, &new_n_past, nullptr, nullptr);
    SG_CATCH(env, -100)
}

// Frees an embeddings copy made by nativeEncodeChunk.
SG_JNI(EncodedChunk, void, nativeFree)(JNIEnv *, jclass, jlong ptr) {
    std::free(reinterpret_cast<void *>(ptr));
}
