package io.safetyguard.llamacpp.internal;

import io.safetyguard.llamacpp.SmallModelFiles;
import io.safetyguard.llamacpp.internal.gguf.GgufValue;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Writes the seed corpus of {@link ModelFilesFuzzTest}: small valid text models and projectors, and
 * the ways a model file goes wrong (truncation, wrong magic and version, absurd counts and lengths,
 * mistyped or missing keys, bad tensor tables, towers and grids whose sizes overflow).
 *
 * <p>Run from guard-llamacpp after {@code mvn test-compile}: {@code java -cp
 * target/test-classes:target/classes:<guard-core and guard-policy classes> io.safetyguard.llamacpp.internal.ModelFileSeeds
 * src/test/resources/io/safetyguard/llamacpp/ModelFilesFuzzTestInputs/inspect}. Inputs the fuzzer
 * finds are added to the same directory by hand as {@code finding-*}; the one finding written here
 * came up while building the seeds.
 */
final class ModelFileSeeds {

    private final Path out;
    private final Path scratch;

    private ModelFileSeeds(Path out) throws IOException {
        this.out = out;
        this.scratch = SmallModelFiles.tempDir("sg-seeds");
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(
                args.length > 0
                        ? args[0]
                        : "src/test/resources/io/safetyguard/llamacpp/ModelFilesFuzzTestInputs/inspect");
        Files.createDirectories(out);
        new ModelFileSeeds(out).writeAll();
    }

    private void writeAll() throws IOException {
        byte[] text = text(SmallModelFiles.textKeys("llama"));
        byte[] mmproj = projector(SmallModelFiles.projectorKeys(), 1, w -> {});

        // valid
        seed("valid-text-llama.gguf", text);
        seed("valid-text-qwen2.gguf", text(SmallModelFiles.textKeys("qwen2")));
        seed("valid-mmproj-mlp.gguf", mmproj);
        seed(
                "valid-mmproj-two-layers.gguf",
                projector(
                        withKey(SmallModelFiles.projectorKeys(), "clip.vision.block_count", GgufValue.uint32(2)),
                        2,
                        w -> {}));
        seed(
                "valid-mmproj-pinpoints-newline.gguf",
                projector(
                        withKey(
                                SmallModelFiles.projectorKeys(),
                                "clip.vision.image_grid_pinpoints",
                                GgufValue.int32Array(4, 4, 4, 8, 8, 4, 8, 8)),
                        1,
                        w -> w.addTensorF32(
                                "v.image_newline",
                                new long[] {SmallModelFiles.TEXT_EMBD},
                                new float[SmallModelFiles.TEXT_EMBD])));

        // metadata: wrong types, missing or absurd values
        seed(
                "text-embedding-length-string.gguf",
                text(withKey(SmallModelFiles.textKeys("llama"), "llama.embedding_length", GgufValue.string("8"))));
        seed(
                "text-block-count-i32.gguf",
                text(withKey(SmallModelFiles.textKeys("llama"), "llama.block_count", GgufValue.int32(1))));
        seed(
                "text-embedding-length-zero.gguf",
                text(withKey(SmallModelFiles.textKeys("llama"), "llama.embedding_length", GgufValue.uint32(0))));
        seed(
                "text-huge-embedding-and-layers.gguf",
                text(withKey(
                        withKey(
                                SmallModelFiles.textKeys("llama"),
                                "llama.embedding_length",
                                GgufValue.uint32(0xFFFFFFFFL)),
                        "llama.block_count",
                        GgufValue.uint32(0xFFFFFFFFL))));
        seed(
                "text-head-count-kv-zero.gguf",
                text(withKey(SmallModelFiles.textKeys("llama"), "llama.attention.head_count_kv", GgufValue.uint32(0))));
        seed(
                "text-head-count-per-layer.gguf",
                text(withKey(
                        SmallModelFiles.textKeys("llama"),
                        "llama.attention.head_count",
                        GgufValue.uint32Array(new int[] {2}))));
        seed("text-no-tokens.gguf", text(without(SmallModelFiles.textKeys("llama"), "tokenizer.ggml.tokens")));
        seed(
                "text-deep-nested-arrays.gguf",
                text(withKey(SmallModelFiles.textKeys("llama"), "general.nested", nested(8))));
        seed(
                "finding-mmproj-block-count-4g-oom.gguf",
                projector(
                        withKey(
                                SmallModelFiles.projectorKeys(),
                                "clip.vision.block_count",
                                GgufValue.uint32(0xFFFFFFFFL)),
                        1,
                        w -> {}));
        seed(
                "mmproj-image-size-4g-patch-1.gguf",
                projector(
                        withKey(
                                withKey(
                                        SmallModelFiles.projectorKeys(),
                                        "clip.vision.image_size",
                                        GgufValue.uint32(0xFFFFFFFFL)),
                                "clip.vision.patch_size",
                                GgufValue.uint32(1)),
                        1,
                        w -> {}));
        seed(
                "mmproj-pinpoints-huge.gguf",
                projector(
                        withKey(
                                SmallModelFiles.projectorKeys(),
                                "clip.vision.image_grid_pinpoints",
                                GgufValue.int32Array(Integer.MAX_VALUE, Integer.MAX_VALUE)),
                        1,
                        w -> {}));
        seed(
                "mmproj-pinpoints-odd.gguf",
                projector(
                        withKey(
                                SmallModelFiles.projectorKeys(),
                                "clip.vision.image_grid_pinpoints",
                                GgufValue.int32Array(4, 4, 8)),
                        1,
                        w -> {}));
        seed(
                "mmproj-feature-layer-out-of-range.gguf",
                projector(
                        withKey(SmallModelFiles.projectorKeys(), "clip.vision.feature_layer", GgufValue.int32Array(7)),
                        1,
                        w -> {}));
        seed(
                "mmproj-heads-do-not-divide-width.gguf",
                projector(
                        withKey(
                                SmallModelFiles.projectorKeys(),
                                "clip.vision.attention.head_count",
                                GgufValue.uint32(3)),
                        1,
                        w -> {}));
        seed(
                "mmproj-missing-layer-tensors.gguf",
                projector(
                        withKey(SmallModelFiles.projectorKeys(), "clip.vision.block_count", GgufValue.uint32(2)),
                        1,
                        w -> {}));
        seed(
                "mmproj-mean-two-values.gguf",
                projector(
                        withKey(
                                SmallModelFiles.projectorKeys(),
                                "clip.vision.image_mean",
                                GgufValue.float32Array(0.5f, 0.5f)),
                        1,
                        w -> {}));
        seed(
                "mmproj-no-vision-encoder.gguf",
                projector(
                        withKey(SmallModelFiles.projectorKeys(), "clip.has_vision_encoder", GgufValue.bool(false)),
                        1,
                        w -> {}));
        seed(
                "mmproj-projector-type-resampler.gguf",
                projector(
                        withKey(SmallModelFiles.projectorKeys(), "clip.projector_type", GgufValue.string("resampler")),
                        1,
                        w -> {}));

        // the GGUF container
        seed("empty.gguf", new byte[0]);
        seed("magic-ggml.gguf", replaceAt(text, 0, "lmgg".getBytes(StandardCharsets.US_ASCII)));
        seed("magic-zip.gguf", replaceAt(text, 0, new byte[] {'P', 'K', 3, 4}));
        seed("version-big-endian.gguf", replaceAt(text, 4, new byte[] {0, 0, 0, 3}));
        seed("version-1.gguf", replaceAt(text, 4, le32(1)));
        seed("version-4.gguf", replaceAt(text, 4, le32(4)));
        seed("truncated-in-header.gguf", Arrays.copyOf(text, 20));
        seed("truncated-in-metadata.gguf", Arrays.copyOf(text, text.length / 3));
        seed("truncated-in-tensor-data.gguf", Arrays.copyOf(mmproj, mmproj.length - 8));
        seed("tensor-count-huge.gguf", replaceAt(text, 8, le64(Long.MAX_VALUE)));
        seed("kv-count-huge.gguf", replaceAt(text, 16, le64(0x7FFF_FFFFL)));
        seed("kv-count-negative.gguf", replaceAt(text, 16, le64(-1)));
        seed("key-length-huge.gguf", replaceAt(text, 24, le64(Long.MAX_VALUE - 7)));
        int tokens = indexOf(text, "tokenizer.ggml.tokens") + "tokenizer.ggml.tokens".length();
        seed("array-length-huge.gguf", replaceAt(text, tokens + 8, le64(1L << 40)));
        seed("array-element-type-unknown.gguf", replaceAt(text, tokens + 4, le32(99)));
        seed("value-type-unknown.gguf", replaceAt(text, tokens, le32(42)));
        int embd = indexOf(text, "token_embd.weight") + "token_embd.weight".length();
        seed("tensor-five-dims.gguf", replaceAt(text, embd, le32(5)));
        seed("tensor-negative-dim.gguf", replaceAt(text, embd + 4, le64(-8)));
        seed(
                "tensor-elements-overflow.gguf",
                replaceAt(replaceAt(text, embd + 4, le64(1L << 40)), embd + 12, le64(1L << 40)));
        seed("tensor-type-unknown.gguf", replaceAt(text, embd + 20, le32(1000)));
        seed("tensor-type-removed.gguf", replaceAt(text, embd + 20, le32(4)));
        seed("tensor-offset-misaligned.gguf", replaceAt(text, embd + 24, le64(3)));
        seed("tensor-offset-past-end.gguf", replaceAt(text, embd + 24, le64(1L << 20)));
        seed("tensor-name-too-long.gguf", replaceAt(text, embd - "token_embd.weight".length() - 8, le64(64)));
        seed("duplicate-key.gguf", duplicateFirstKey(text));
    }

    // ---- files ----

    private byte[] text(Map<String, GgufValue> keys) throws IOException {
        Path p = scratch.resolve("t.gguf");
        SmallModelFiles.writeText(p, keys);
        return Files.readAllBytes(p);
    }

    private byte[] projector(
            Map<String, GgufValue> keys, int layers, Consumer<io.safetyguard.llamacpp.tools.gguf.GgufWriter> extra)
            throws IOException {
        Path p = scratch.resolve("p.gguf");
        SmallModelFiles.writeProjector(p, keys, layers, extra);
        return Files.readAllBytes(p);
    }

    private void seed(String name, byte[] content) throws IOException {
        Files.write(out.resolve(name), content);
    }

    // ---- edits ----

    private static Map<String, GgufValue> withKey(Map<String, GgufValue> keys, String key, GgufValue value) {
        keys.put(key, value);
        return keys;
    }

    private static Map<String, GgufValue> without(Map<String, GgufValue> keys, String key) {
        keys.remove(key);
        return keys;
    }

    private static GgufValue nested(int depth) {
        GgufValue v = GgufValue.int32Array(1, 2);
        for (int i = 1; i < depth; i++) {
            v = GgufValue.arrayOfArrays(List.of(v));
        }
        return v;
    }

    /** Sets the key/value count to one more and repeats the first pair right after the header. */
    private static byte[] duplicateFirstKey(byte[] gguf) {
        ByteBuffer b = ByteBuffer.wrap(gguf).order(ByteOrder.LITTLE_ENDIAN);
        long nKv = b.getLong(16);
        int start = 24;
        int keyLen = (int) b.getLong(start);
        int valueStart = start + 8 + keyLen + 4;
        int valueLen = 8 + (int) b.getLong(valueStart); // the first key (general.architecture) is a string
        int end = valueStart + valueLen;
        byte[] pair = Arrays.copyOfRange(gguf, start, end);
        byte[] outBytes = new byte[gguf.length + pair.length];
        System.arraycopy(gguf, 0, outBytes, 0, end);
        System.arraycopy(pair, 0, outBytes, end, pair.length);
        System.arraycopy(gguf, end, outBytes, end + pair.length, gguf.length - end);
        return replaceAt(outBytes, 16, le64(nKv + 1));
    }

    private static byte[] replaceAt(byte[] in, int offset, byte[] bytes) {
        byte[] copy = in.clone();
        System.arraycopy(bytes, 0, copy, offset, bytes.length);
        return copy;
    }

    private static int indexOf(byte[] haystack, String needle) {
        byte[] n = needle.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + n.length <= haystack.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (haystack[i + j] != n[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("'" + needle + "' not found");
    }

    private static byte[] le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    private static byte[] le64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }
}
