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
 * <p>Deviations from the Hugging Face reference are libmtmd's, not this package's: it runs
 * LLaVA-1.6 / OneVision tiling without {@code spatial_unpad} and {@code image_newline}, puts the
 * tiles before the overview, has no {@code anyres_max_9} downscale, and CLIP towers append the
 * class token last (llama.cpp #25814). The prompt text and the image position follow training
 * exactly.
 */
package io.safetyguard.llamacpp;
