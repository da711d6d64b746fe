package io.safetyguard.llamacpp.tools.tiny;

import java.util.Locale;

/**
 * The two tensor-name layouts transformers has written LLaVA-family checkpoints in.
 *
 * <ul>
 *   <li>{@link #LEGACY}: before 4.52, the composite model held the text model as {@code language_model} (a
 *       {@code *ForCausalLM}), so keys are {@code language_model.model.…}, {@code language_model.lm_head.weight},
 *       {@code vision_tower.vision_model.…}, {@code multi_modal_projector.…}, {@code image_newline}. The published
 *       llava-hf and LlavaGuard {@code -hf} checkpoints use it.</li>
 *   <li>{@link #CURRENT}: 4.52 moved the parts under a base {@code model} and the head to the top
 *       ({@code _checkpoint_conversion_mapping}: {@code ^language_model.model → model.language_model},
 *       {@code ^vision_tower → model.vision_tower}, {@code ^multi_modal_projector → model.multi_modal_projector},
 *       {@code ^image_newline → model.image_newline}, {@code ^language_model.lm_head → lm_head}); its
 *       {@code save_pretrained} wrote those names (huggingface/transformers#38403, #38489), as do later versions
 *       asked not to restore the original format.</li>
 * </ul>
 */
public enum HfKeyLayout {
    /** Keys as written before transformers 4.52. */
    LEGACY("4.45.2"),
    /** Keys as written by transformers 4.52. */
    CURRENT("4.52.3");

    private final String transformersVersion;

    HfKeyLayout(String transformersVersion) {
        this.transformersVersion = transformersVersion;
    }

    /** The {@code transformers_version} a checkpoint in this layout records. */
    public String transformersVersion() {
        return transformersVersion;
    }

    /** The key of a text-model tensor, given its name inside the base text model (e.g. {@code norm.weight}). */
    public String languageModel(String local) {
        return (this == LEGACY ? "language_model.model." : "model.language_model.") + local;
    }

    /** The key of the untied output projection. */
    public String lmHead() {
        return this == LEGACY ? "language_model.lm_head.weight" : "lm_head.weight";
    }

    /** The key of a vision-tower tensor, given its name inside the tower (e.g. {@code vision_model.post_layernorm.weight}). */
    public String visionTower(String local) {
        return (this == LEGACY ? "vision_tower." : "model.vision_tower.") + local;
    }

    /** The key of a projector tensor, given its name inside the projector (e.g. {@code linear_1.weight}). */
    public String projector(String local) {
        return (this == LEGACY ? "multi_modal_projector." : "model.multi_modal_projector.") + local;
    }

    /** The key of the OneVision {@code image_newline} vector. */
    public String imageNewline() {
        return this == LEGACY ? "image_newline" : "model.image_newline";
    }

    /** The layout with this command-line name ({@code legacy}, {@code current}), case-insensitive. */
    public static HfKeyLayout fromCliName(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT);
        for (HfKeyLayout l : values()) {
            if (l.name().equals(n)) {
                return l;
            }
        }
        throw new IllegalArgumentException("unknown key layout '" + name + "'; use legacy or current");
    }
}
