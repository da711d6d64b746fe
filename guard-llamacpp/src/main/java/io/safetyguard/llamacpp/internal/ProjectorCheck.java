package io.safetyguard.llamacpp.internal;

import io.safetyguard.llamacpp.internal.gguf.GgufFile;
import io.safetyguard.llamacpp.internal.gguf.GgufFormatException;
import io.safetyguard.llamacpp.internal.gguf.GgufReader;
import io.safetyguard.llamacpp.internal.gguf.GgufTensorInfo;
import io.safetyguard.llamacpp.internal.gguf.ModelKeys;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The vision-tower checks that keep a malformed mmproj from crashing the JVM.
 *
 * <p>llama.cpp checks every tensor of a text model when it loads it, but libmtmd (v0.4.0) loads
 * most vision-tower tensors of the llava graph as optional and only dereferences them when it first
 * encodes an image: an mmproj without, say, {@code v.blk.0.attn_q.weight} or with a position
 * embedding of the wrong size loads fine and then takes the process down with a segmentation fault
 * or a failed {@code GGML_ASSERT}. This check requires, for the llava {@code mlp} projector, every
 * tensor the graph uses with the shape it expects, and feature layers within the tower.
 */
public final class ProjectorCheck {

    /** Tensors every vision block must have: q, k, v, out, ln1, ln2, ffn_up, ffn_down weights. */
    static final int REQUIRED_PER_BLOCK = 8;
    /** Keeps the token counts derived from the tile geometry far from overflow (24 to 64 are real). */
    static final int MAX_PATCHES_PER_SIDE = 1024;

    private ProjectorCheck() {}

    /** The problems found; empty when the projector is safe to hand to libmtmd. */
    static List<String> problems(Path mmproj, long textEmbeddingLength) {
        List<String> problems = new ArrayList<>();
        GgufFile f;
        try {
            f = GgufReader.read(mmproj);
        } catch (IOException e) {
            problems.add(mmproj + ": " + e.getMessage());
            return problems;
        }
        String name = mmproj.getFileName().toString();
        try {
            String type = f.findString(ModelKeys.PROJECTOR_TYPE).orElse("");
            if (!type.equals(ModelKeys.PROJECTOR_MLP)) {
                problems.add(name + ": projector type '" + type + "' is not supported; SafetyGuard runs LLaVA-style "
                        + "projectors ('" + ModelKeys.PROJECTOR_MLP + "'), which all LlavaGuard models use");
                return problems;
            }
            long d = f.getU32(ModelKeys.VISION_EMBEDDING_LENGTH);
            long ff = f.getU32(ModelKeys.VISION_FEED_FORWARD_LENGTH);
            long layers = f.getU32(ModelKeys.VISION_BLOCK_COUNT);
            long heads = f.getU32(ModelKeys.VISION_HEAD_COUNT);
            long img = f.getU32(ModelKeys.IMAGE_SIZE);
            long patch = f.getU32(ModelKeys.PATCH_SIZE);
            if (d <= 0 || ff <= 0 || layers <= 0 || heads <= 0 || d % heads != 0) {
                problems.add(name + ": vision width " + d + ", feed-forward " + ff + ", " + layers + " layers and "
                        + heads + " heads do not make a valid tower");
                return problems;
            }
            if (patch <= 0 || img < patch) {
                problems.add(name + ": image size " + img + " does not hold one patch of size " + patch);
                return problems;
            }
            // Each block needs at least REQUIRED_PER_BLOCK tensors: a block count the tensor table
            // cannot hold is refused before the loop below, which would otherwise run (and list
            // missing tensors) once per declared block, up to 4 billion times.
            long blocksThatFit = f.tensors().size() / REQUIRED_PER_BLOCK;
            if (layers > blocksThatFit) {
                problems.add(name + ": " + ModelKeys.VISION_BLOCK_COUNT + " is " + layers + ", but the file has only "
                        + f.tensors().size() + " tensors, room for at most " + blocksThatFit + " vision blocks of "
                        + REQUIRED_PER_BLOCK + " tensors each; the file is corrupt or from another model");
                return problems;
            }
            // the patch convolution drops a remainder, as clip.cpp counts: SigLIP-so400m's 384 px / 14 px = 27 a side
            long side = img / patch;
            if (side > MAX_PATCHES_PER_SIDE) {
                problems.add(name + ": image size " + img + " with patch size " + patch + " makes " + side + " x "
                        + side + " patches per tile; vision towers use tens (336 / 14 = 24), at most "
                        + MAX_PATCHES_PER_SIDE + " are accepted");
                return problems;
            }
            long nPatches = side * side;
            boolean cls = f.hasTensor(ModelKeys.CLASS_EMBEDDING);
            long n = textEmbeddingLength;

            Checker c = new Checker(f, name, problems);
            c.require("v.patch_embd.weight", patch, patch, 3, d);
            c.optional("v.patch_embd.bias", d);
            c.optional(ModelKeys.CLASS_EMBEDDING, d);
            c.require("v.position_embd.weight", d, nPatches + (cls ? 1 : 0));
            c.optionalPair("v.pre_ln", d);
            for (int i = 0; i < layers; i++) {
                String p = "v.blk." + i + ".";
                for (String t : new String[] {"attn_q", "attn_k", "attn_v", "attn_out"}) {
                    c.require(p + t + ".weight", d, d);
                    c.optional(p + t + ".bias", d);
                }
                c.require(p + "ln1.weight", d);
                c.optional(p + "ln1.bias", d);
                c.require(p + "ln2.weight", d);
                c.optional(p + "ln2.bias", d);
                // clip.cpp accepts up/down in either orientation (legacy converters swapped them)
                Optional<GgufTensorInfo> up = c.present(p + "ffn_up.weight");
                Optional<GgufTensorInfo> down = c.present(p + "ffn_down.weight");
                if (up.isPresent() && down.isPresent()) {
                    long[] u = dims(up.get());
                    long[] w = dims(down.get());
                    boolean straight = Arrays.equals(u, new long[] {d, ff}) && Arrays.equals(w, new long[] {ff, d});
                    boolean swapped = Arrays.equals(u, new long[] {ff, d}) && Arrays.equals(w, new long[] {d, ff});
                    if (!straight && !swapped) {
                        problems.add(name + ": " + p + "ffn_up/ffn_down have shapes " + Arrays.toString(u) + " and "
                                + Arrays.toString(w) + ", expected [" + d + ", " + ff + "] and [" + ff + ", " + d
                                + "]");
                    }
                }
                c.optionalEither(p + "ffn_up.bias", d, ff);
                c.optionalEither(p + "ffn_down.bias", d, ff);
            }
            c.require("mm.0.weight", d, n);
            c.require("mm.0.bias", n);
            if (f.hasTensor(ModelKeys.MM2_WEIGHT)) {
                c.require(ModelKeys.MM2_WEIGHT, n, n);
                c.require("mm.2.bias", n);
            }
            if (f.hasTensor("mm.3.weight")) {
                problems.add(name + ": has mm.3 (the Yi-VL 'mlp_norm' projector), which LlavaGuard models do not use");
            }
            int[] featureLayers = f.findInt32Array(ModelKeys.FEATURE_LAYER).orElse(new int[0]);
            for (int fl : featureLayers) {
                if (fl < -1 || fl > layers) {
                    problems.add(name + ": " + ModelKeys.FEATURE_LAYER + " " + Arrays.toString(featureLayers)
                            + " names a layer outside the tower's " + layers + " layers");
                    break;
                }
            }
        } catch (GgufFormatException e) {
            problems.add(e.getMessage());
        }
        return problems;
    }

    private static long[] dims(GgufTensorInfo t) {
        long[] out = new long[t.nDims()];
        for (int i = 0; i < out.length; i++) {
            out[i] = t.ne(i);
        }
        return out;
    }

    private record Checker(GgufFile f, String name, List<String> problems) {
        Optional<GgufTensorInfo> present(String tensor) {
            Optional<GgufTensorInfo> t = f.tensor(tensor);
            if (t.isEmpty()) {
                problems.add(name + ": tensor '" + tensor + "' is missing; libmtmd would crash on the first image");
            }
            return t;
        }

        void require(String tensor, long... shape) {
            present(tensor).ifPresent(t -> shape(t, shape));
        }

        void optional(String tensor, long... shape) {
            f.tensor(tensor).ifPresent(t -> shape(t, shape));
        }

        void optionalPair(String prefix, long d) {
            optional(prefix + ".weight", d);
            optional(prefix + ".bias", d);
            if (f.hasTensor(prefix + ".weight") != f.hasTensor(prefix + ".bias")) {
                problems.add(name + ": " + prefix + ".weight and " + prefix + ".bias must come together");
            }
        }

        void optionalEither(String tensor, long a, long b) {
            f.tensor(tensor).ifPresent(t -> {
                long[] got = dims(t);
                if (!Arrays.equals(got, new long[] {a}) && !Arrays.equals(got, new long[] {b})) {
                    problems.add(name + ": tensor '" + tensor + "' has shape " + Arrays.toString(got) + ", expected ["
                            + a + "] or [" + b + "]");
                }
            });
        }

        private void shape(GgufTensorInfo t, long[] expected) {
            long[] got = dims(t);
            // trailing dimensions of 1 are the same shape
            int n = got.length;
            while (n > expected.length && got[n - 1] == 1) {
                n--;
            }
            if (!Arrays.equals(Arrays.copyOf(got, n), expected)) {
                problems.add(name + ": tensor '" + t.name() + "' has shape " + Arrays.toString(got) + ", expected "
                        + Arrays.toString(expected) + "; libmtmd would crash on it");
            }
        }
    }
}
