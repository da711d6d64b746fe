package io.safetyguard.llamacpp.tools.convert;

import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * How transformers named the tensors of a LLaVA / LLaVA-OneVision checkpoint. Version 4.52 moved the language
 * model, tower and projector under {@code model.} and the output matrix to the top level; checkpoints saved before
 * (most published ones) use the older names. Both hold the same tensors.
 */
public enum KeyLayout {
    /** transformers before 4.52: {@code language_model.model.*}, {@code language_model.lm_head.weight}, ... */
    BEFORE_4_52(
            "language_model.model.",
            "language_model.lm_head.weight",
            "vision_tower.vision_model.",
            "multi_modal_projector.",
            "image_newline"),
    /** transformers 4.52 and later: {@code model.language_model.*}, {@code lm_head.weight}, ... */
    SINCE_4_52(
            "model.language_model.",
            "lm_head.weight",
            "model.vision_tower.vision_model.",
            "model.multi_modal_projector.",
            "model.image_newline");

    private final String textPrefix;
    private final String lmHead;
    private final String visionPrefix;
    private final String projectorPrefix;
    private final String imageNewline;

    KeyLayout(String textPrefix, String lmHead, String visionPrefix, String projectorPrefix, String imageNewline) {
        this.textPrefix = textPrefix;
        this.lmHead = lmHead;
        this.visionPrefix = visionPrefix;
        this.projectorPrefix = projectorPrefix;
        this.imageNewline = imageNewline;
    }

    /** Prefix of the decoder's tensors, e.g. {@code language_model.model.}. */
    public String textPrefix() {
        return textPrefix;
    }

    /** Name of the untied output matrix. */
    public String lmHead() {
        return lmHead;
    }

    /** Prefix of the vision tower's tensors (ending in {@code vision_model.}). */
    public String visionPrefix() {
        return visionPrefix;
    }

    /** Prefix of the projector's {@code linear_1}/{@code linear_2}. */
    public String projectorPrefix() {
        return projectorPrefix;
    }

    /** Name of OneVision's row separator embedding. */
    public String imageNewline() {
        return imageNewline;
    }

    /**
     * The layout these tensor names follow.
     *
     * @throws CheckpointException when they follow neither or mix both, naming a few of them
     */
    public static KeyLayout detect(Collection<String> names) throws CheckpointException {
        boolean before = names.stream().anyMatch(n -> n.startsWith(BEFORE_4_52.textPrefix));
        boolean since = names.stream().anyMatch(n -> n.startsWith(SINCE_4_52.textPrefix));
        if (before && since) {
            throw new CheckpointException("the checkpoint mixes tensor names of two transformers versions ('"
                    + BEFORE_4_52.textPrefix + "...' and '" + SINCE_4_52.textPrefix
                    + "...'); its shards come from different downloads");
        }
        if (before) {
            return BEFORE_4_52;
        }
        if (since) {
            return SINCE_4_52;
        }
        List<String> sample = names.stream().sorted().limit(5).collect(Collectors.toList());
        throw new CheckpointException("unknown tensor key layout: expected names starting with '"
                + BEFORE_4_52.textPrefix + "' (transformers before 4.52) or '" + SINCE_4_52.textPrefix
                + "' (4.52 and later), found " + sample
                + (names.size() > 5 ? " and " + (names.size() - 5) + " more" : "")
                + "; is this a LLaVA checkpoint saved by transformers?");
    }
}
