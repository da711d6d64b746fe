package io.safetyguard.llamacpp.tools.gguf;

import io.safetyguard.llamacpp.internal.gguf.GgufFile;
import io.safetyguard.llamacpp.internal.gguf.GgufFormatException;
import io.safetyguard.llamacpp.internal.gguf.GgufValue;
import io.safetyguard.llamacpp.internal.gguf.ModelKeys;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The metadata fixes a freshly converted LlavaGuard GGUF needs (docs/models.md, appendix A.3c and §8; guard model convert writes them itself), for either file of a
 * pair. On a text model a preset only declares the LlavaGuard version (after checking the architecture). On an
 * mmproj it also sets what the legacy converter gets wrong or leaves out:
 * <ul>
 *   <li>{@code clip.use_gelu}: true for SigLIP ({@code gelu_pytorch_tanh}; the converter only sets it for
 *       {@code hidden_act == "gelu"}), false for CLIP ({@code quick_gelu});</li>
 *   <li>{@code clip.vision.feature_layer = [block_count]} when absent, so llama.cpp runs every stored layer
 *       (ggml-org/llama.cpp#25817; the converter stores exactly the layers LLaVA reads);</li>
 *   <li>mean/std of the tower (0.5 for SigLIP, OpenAI CLIP's for CLIP);</li>
 *   <li>{@code clip.vision.image_aspect_ratio} ({@code anyres_max_9} / {@code pad}) and, for OneVision,
 *       {@code clip.vision.mm_patch_merge_type = spatial_unpad} when absent.</li>
 * </ul>
 * Values already right are left alone, so applying a preset twice changes nothing the second time.
 */
public enum LlavaGuardPreset {
    /** LlavaGuard v1.2 (LLaVA-OneVision, Qwen2 + SigLIP-so400m). */
    LLAVAGUARD_V1_2_OV("llavaguard-v1.2-ov", "v1.2", "qwen2", false),
    /** LlavaGuard v1.1 (LLaVA-1.5, Vicuna + CLIP ViT-L/14-336). */
    LLAVAGUARD_V1_1("llavaguard-v1.1", "v1.1", "llama", true),
    /** LlavaGuard v1.0: converted like v1.1, trained with another policy text. */
    LLAVAGUARD_V1_0("llavaguard-v1.0", "v1.0", "llama", true);

    private static final float[] SIGLIP_MEAN_STD = {0.5f, 0.5f, 0.5f};
    private static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    private static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};

    private final String cliName;
    private final String version;
    private final String textArchitecture;
    private final boolean clipTower;

    LlavaGuardPreset(String cliName, String version, String textArchitecture, boolean clipTower) {
        this.cliName = cliName;
        this.version = version;
        this.textArchitecture = textArchitecture;
        this.clipTower = clipTower;
    }

    /** The name on the command line, e.g. {@code llavaguard-v1.2-ov}. */
    public String cliName() {
        return cliName;
    }

    /** The {@code safetyguard.llavaguard.version} it declares. */
    public String version() {
        return version;
    }

    /**
     * The edits for this file.
     *
     * @throws IllegalArgumentException when the file is not of this LlavaGuard release (wrong text architecture,
     *                                  CLIP vs SigLIP tower)
     * @throws GgufFormatException      when a key it reads has the wrong type
     */
    public List<MetadataEdit> editsFor(GgufFile file) throws GgufFormatException {
        String arch = file.findString(ModelKeys.ARCHITECTURE).orElse("(none)");
        List<MetadataEdit> edits = new ArrayList<>();
        edits.add(MetadataEdit.set(ModelKeys.LLAVAGUARD_VERSION, GgufValue.string(version)));
        if (!arch.equals(ModelKeys.CLIP_ARCHITECTURE)) {
            if (!arch.equals(textArchitecture)) {
                throw new IllegalArgumentException(file.name() + " is a '" + arch + "' text model, but " + cliName
                        + " models are '" + textArchitecture + "'; pick the preset of this model's release");
            }
            return edits;
        }
        boolean hasCls = file.hasTensor(ModelKeys.CLASS_EMBEDDING);
        if (hasCls != clipTower) {
            throw new IllegalArgumentException(file.name() + " has a " + (hasCls ? "CLIP" : "SigLIP")
                    + " vision tower, but " + cliName + " uses " + (clipTower ? "CLIP" : "SigLIP")
                    + "; pick the preset of this model's release");
        }
        edits.add(MetadataEdit.set(ModelKeys.USE_GELU, GgufValue.bool(!clipTower)));
        if (!file.has(ModelKeys.FEATURE_LAYER)) {
            long blocks = file.getU32(ModelKeys.VISION_BLOCK_COUNT);
            edits.add(MetadataEdit.set(ModelKeys.FEATURE_LAYER, GgufValue.int32Array(Math.toIntExact(blocks))));
        }
        edits.add(MetadataEdit.set(
                ModelKeys.IMAGE_MEAN, GgufValue.float32Array(clipTower ? CLIP_MEAN : SIGLIP_MEAN_STD)));
        edits.add(
                MetadataEdit.set(ModelKeys.IMAGE_STD, GgufValue.float32Array(clipTower ? CLIP_STD : SIGLIP_MEAN_STD)));
        if (clipTower) {
            if (!file.has(ModelKeys.IMAGE_ASPECT_RATIO)) {
                edits.add(MetadataEdit.set(ModelKeys.IMAGE_ASPECT_RATIO, GgufValue.string("pad")));
            }
        } else {
            // pinpoints cannot be made up here; the rewrite refuses anyres without them (MetadataChecks)
            if (!file.has(ModelKeys.IMAGE_ASPECT_RATIO)) {
                edits.add(MetadataEdit.set(ModelKeys.IMAGE_ASPECT_RATIO, GgufValue.string("anyres_max_9")));
            }
            if (!file.has(ModelKeys.MM_PATCH_MERGE_TYPE)) {
                edits.add(MetadataEdit.set(ModelKeys.MM_PATCH_MERGE_TYPE, GgufValue.string("spatial_unpad")));
            }
        }
        return edits;
    }

    /** The preset with this {@link #cliName()}, case-insensitive. */
    public static LlavaGuardPreset fromCliName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (LlavaGuardPreset p : values()) {
            if (p.cliName.equals(n)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown preset '" + name + "'; use one of "
                + Arrays.stream(values()).map(LlavaGuardPreset::cliName).collect(Collectors.joining(", ")));
    }
}
