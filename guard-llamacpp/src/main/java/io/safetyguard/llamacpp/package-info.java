/**
 * The llama.cpp backend of SafetyGuard: {@link io.safetyguard.llamacpp.LlamaCppModel} runs a
 * LlavaGuard GGUF text model and its mmproj vision projector in-process through llama.cpp v0.4.0
 * and libmtmd, via a small JNI shim; {@link io.safetyguard.llamacpp.LlamaCppConfig} configures it
 * and {@link io.safetyguard.llamacpp.PromptLayout} renders the conversation layouts the models
 * were trained with.
 *
 * <pre>{@code
 * LlamaCppModel model = LlamaCppModel.open(LlamaCppConfig.builder(modelGguf, mmprojGguf).build());
 * try (SafetyGuard guard = SafetyGuard.builder().model(model).ownsModel(true).build()) {
 *     Verdict v = guard.assess(ImageInput.ofPath(image));
 * }
 * }</pre>
 *
 * <p><b>Images.</b> By default ({@link io.safetyguard.llamacpp.ImagePipeline#REFERENCE}) images are prepared and
 * the image tokens laid out in Java as the Hugging Face reference does (LLaVA-OneVision {@code anyres_max_9} with
 * unpadding and one {@code image_newline} per row, base tile first; LLaVA-1.5 pad-to-square), and only the vision
 * tower runs in llama.cpp; the CLIP class-token order of llama.cpp v0.4.0 (ggml-org/llama.cpp#25814) is patched at
 * build time. The remaining, smaller differences are listed in {@code docs/models.md} §10.
 * {@link io.safetyguard.llamacpp.ImagePipeline#LLAMA_CPP} runs libmtmd's own layout instead, as
 * {@code llama-mtmd-cli} does: no {@code spatial_unpad}, no {@code image_newline}, tiles before the overview, no
 * {@code anyres_max_9} downscale. The prompt text and the image position follow training exactly
 * ({@code docs/reference.md} §3.1).
 *
 * <p>Everything under {@code io.safetyguard.llamacpp.internal} is implementation, not API.
 */
package io.safetyguard.llamacpp;
