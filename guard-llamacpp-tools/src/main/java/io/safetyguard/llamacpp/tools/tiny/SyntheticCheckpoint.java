package io.safetyguard.llamacpp.tools.tiny;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A synthetic Hugging Face checkpoint of a LlavaGuard architecture, in the files and formats transformers
 * publishes: {@code config.json}, {@code generation_config.json}, {@code preprocessor_config.json},
 * {@code processor_config.json}, {@code chat_template.json}, the weights as {@code model.safetensors} or
 * {@code model-0000i-of-0000N.safetensors} shards with {@code model.safetensors.index.json}, and (optionally) the
 * tokenizer files. Weights are seeded random values (see {@link #values(String)}), streamed to disk, so the real
 * 0.5B shapes (1.8 GB) need no more heap than a write buffer.
 *
 * <pre>{@code
 * SyntheticCheckpoint ckpt = SyntheticCheckpoint.write(
 *         SyntheticCheckpointOptions.builder().architecture(HfArchitecture.LLAVA).shards(2).build(), dir);
 * float[] w = ckpt.values(ckpt.tensors().get(0).name());
 * }</pre>
 */
public final class SyntheticCheckpoint {
    /** The single-file weights name. */
    public static final String SINGLE_FILE = "model.safetensors";
    /** The shard index name. */
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private static final Pattern SHARD_NAME = Pattern.compile("model-\\d{5}-of-\\d{5}\\.safetensors");

    private final Path dir;
    private final SyntheticCheckpointOptions options;
    private final List<SyntheticTensor> tensors;
    private final Map<String, SyntheticTensor> byName;
    private final Map<String, String> weightMap;

    private SyntheticCheckpoint(
            Path dir,
            SyntheticCheckpointOptions options,
            List<SyntheticTensor> tensors,
            Map<String, String> weightMap) {
        this.dir = dir;
        this.options = options;
        this.tensors = tensors;
        this.weightMap = weightMap;
        this.byName = new LinkedHashMap<>();
        tensors.forEach(t -> byName.put(t.name(), t));
    }

    /**
     * Writes a checkpoint into {@code dir} (created if needed; files of the same names are replaced, and weight
     * files of an earlier checkpoint there are removed).
     *
     * @throws IOException when a file cannot be written, or the tokenizer's vocab cannot be found or does not fit
     */
    public static SyntheticCheckpoint write(SyntheticCheckpointOptions options, Path dir) throws IOException {
        Objects.requireNonNull(options, "options");
        Files.createDirectories(dir);
        List<SyntheticTensor> tensors = SyntheticTensorPlan.tensors(options);
        if (options.shards() > tensors.size()) {
            throw new IllegalArgumentException(
                    options.shards() + " shards requested but the checkpoint has only " + tensors.size() + " tensors");
        }
        if (options.tokenizer()) {
            SyntheticTokenizer.write(options, dir);
        }
        new HfConfigFiles(options).writeTo(dir);
        Map<String, String> weightMap = writeWeights(options, tensors, dir);
        return new SyntheticCheckpoint(dir, options, tensors, weightMap);
    }

    /** The tensors {@link #write} would write for these options, without writing anything. */
    public static List<SyntheticTensor> plan(SyntheticCheckpointOptions options) {
        return SyntheticTensorPlan.tensors(options);
    }

    /** The folder written. */
    public Path dir() {
        return dir;
    }

    /** The options it was written with. */
    public SyntheticCheckpointOptions options() {
        return options;
    }

    /** Its dimensions. */
    public SyntheticDims dims() {
        return options.dims();
    }

    /** Every tensor, in the model's {@code state_dict()} order. */
    public List<SyntheticTensor> tensors() {
        return tensors;
    }

    /** The tensor with this key. */
    public SyntheticTensor tensor(String name) {
        SyntheticTensor t = byName.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor " + name + " in " + dir);
        }
        return t;
    }

    /** The weight files written, in shard order. */
    public List<Path> weightFiles() {
        return weightMap.values().stream().distinct().sorted().map(dir::resolve).toList();
    }

    /** Each tensor key → the weight file (name) holding it, sorted by key as the index lists it. */
    public Map<String, String> weightMap() {
        return weightMap;
    }

    /** The id of {@code <image>} ({@code image_token_index}). */
    public int imageTokenIndex() {
        return options.architecture().imageTokenIndex();
    }

    /**
     * The values of a tensor exactly as stored (rounded to the checkpoint's dtype), decoded to float, in row-major
     * order; regenerated from the seed, not read back. For tensors of fewer than 2³¹ elements.
     */
    public float[] values(String name) {
        return SyntheticWeights.values(tensor(name), options.seed(), options.dtype());
    }

    private static Map<String, String> writeWeights(
            SyntheticCheckpointOptions options, List<SyntheticTensor> tensors, Path dir) throws IOException {
        int n = options.shards();
        List<List<SyntheticTensor>> shards = split(tensors, n, options.dtype());
        removeOldWeights(dir);
        Map<String, String> weightMap = new TreeMap<>();
        long totalSize = 0;
        for (int s = 0; s < n; s++) {
            String file = n == 1 ? SINGLE_FILE : String.format("model-%05d-of-%05d.safetensors", s + 1, n);
            SafetensorsWriter w = new SafetensorsWriter(dir.resolve(file));
            for (SyntheticTensor t : shards.get(s)) {
                w.add(t.name(), options.dtype(), t.shape(), SyntheticWeights.data(t, options.seed()));
                weightMap.put(t.name(), file);
            }
            totalSize += w.dataSize();
            w.write();
        }
        if (n > 1) {
            Map<String, Object> index = new LinkedHashMap<>();
            index.put("metadata", Map.of("total_size", totalSize));
            index.put("weight_map", weightMap);
            Files.writeString(dir.resolve(INDEX_FILE), PythonJson.dumps(index), StandardCharsets.UTF_8);
        }
        return Collections.unmodifiableMap(weightMap);
    }

    /** Weight files of an earlier checkpoint in the folder would make it ambiguous (both a single file and shards). */
    private static void removeOldWeights(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.equals(SINGLE_FILE)
                        || name.equals(INDEX_FILE)
                        || SHARD_NAME.matcher(name).matches()) {
                    Files.delete(f);
                }
            }
        }
    }

    /**
     * Splits tensors, in order, into {@code n} non-empty shards of about equal bytes, the way
     * {@code save_pretrained} fills shards up to a size limit in {@code state_dict()} order.
     */
    static List<List<SyntheticTensor>> split(List<SyntheticTensor> tensors, int n, SafetensorsDtype dtype) {
        long total = 0;
        for (SyntheticTensor t : tensors) {
            total += t.elements() * dtype.bytes();
        }
        List<List<SyntheticTensor>> shards = new ArrayList<>();
        shards.add(new ArrayList<>());
        long before = 0;
        for (int i = 0; i < tensors.size(); i++) {
            int current = shards.size() - 1;
            boolean currentHasSome = !shards.get(current).isEmpty();
            boolean pastTarget = before >= (double) total * (current + 1) / n;
            boolean mustLeaveOnePerShard = tensors.size() - i <= n - 1 - current;
            if (current < n - 1 && currentHasSome && (pastTarget || mustLeaveOnePerShard)) {
                shards.add(new ArrayList<>());
            }
            shards.get(shards.size() - 1).add(tensors.get(i));
            before += tensors.get(i).elements() * dtype.bytes();
        }
        if (shards.size() != n) {
            throw new IllegalStateException("could not fill " + n + " shards with " + tensors.size() + " tensors");
        }
        return shards;
    }
}
