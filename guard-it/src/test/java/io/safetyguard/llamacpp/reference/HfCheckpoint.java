package io.safetyguard.llamacpp.reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * A Hugging Face LLaVA / LLaVA-OneVision checkpoint folder read directly: {@code config.json} and the weights in
 * {@code model.safetensors} or the shards {@code model.safetensors.index.json} names. Tensor names are those of
 * the checkpoint; {@link #layout()} tells which of the two key layouts transformers wrote. Tensors are read on
 * demand and cached (the reference runs on tiny checkpoints).
 */
public final class HfCheckpoint {

    /** The two tensor key layouts: before transformers 4.52 and since. */
    public enum KeyLayout {
        /** {@code language_model.model.*}, {@code language_model.lm_head.weight}, {@code vision_tower.*}. */
        LEGACY(
                "language_model.model.",
                "language_model.lm_head.weight",
                "vision_tower.",
                "multi_modal_projector.",
                "image_newline"),
        /** {@code model.language_model.*}, {@code lm_head.weight}, {@code model.vision_tower.*}. */
        CURRENT(
                "model.language_model.",
                "lm_head.weight",
                "model.vision_tower.",
                "model.multi_modal_projector.",
                "model.image_newline");

        /** Prefix of the text decoder ({@code embed_tokens}, {@code layers.N}, {@code norm}). */
        public final String languageModel;
        /** The output projection when not tied. */
        public final String lmHead;
        /** Prefix of the vision tower module ({@code vision_model.*} follows). */
        public final String visionTower;
        /** Prefix of the projector ({@code linear_1}, {@code linear_2}). */
        public final String projector;
        /** The OneVision {@code image_newline} parameter. */
        public final String imageNewline;

        KeyLayout(String lm, String head, String vision, String projector, String newline) {
            this.languageModel = lm;
            this.lmHead = head;
            this.visionTower = vision;
            this.projector = projector;
            this.imageNewline = newline;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final JsonNode config;
    private final Map<String, Safetensors> fileOf = new HashMap<>();
    private final Map<String, float[]> cache = new HashMap<>();
    private final KeyLayout layout;

    private HfCheckpoint(Path dir, JsonNode config) throws IOException {
        this.dir = dir;
        this.config = config;
        Path index = dir.resolve("model.safetensors.index.json");
        if (Files.exists(index)) {
            Map<String, Safetensors> shards = new HashMap<>();
            JsonNode map = JSON.readTree(index.toFile()).get("weight_map");
            for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String shard = e.getValue().asText();
                Safetensors s = shards.get(shard);
                if (s == null) {
                    s = Safetensors.open(dir.resolve(shard));
                    shards.put(shard, s);
                }
                fileOf.put(e.getKey(), s);
            }
        } else {
            Safetensors s = Safetensors.open(dir.resolve("model.safetensors"));
            s.entries().keySet().forEach(k -> fileOf.put(k, s));
        }
        boolean current = fileOf.keySet().stream().anyMatch(k -> k.startsWith(KeyLayout.CURRENT.languageModel));
        boolean legacy = fileOf.keySet().stream().anyMatch(k -> k.startsWith(KeyLayout.LEGACY.languageModel));
        if (current == legacy) {
            throw new IOException(
                    dir + ": cannot tell the key layout (current " + current + ", legacy " + legacy + ")");
        }
        this.layout = current ? KeyLayout.CURRENT : KeyLayout.LEGACY;
    }

    /** Opens {@code dir} (config and safetensors headers only). */
    public static HfCheckpoint open(Path dir) throws IOException {
        return new HfCheckpoint(dir, JSON.readTree(dir.resolve("config.json").toFile()));
    }

    public Path dir() {
        return dir;
    }

    public KeyLayout layout() {
        return layout;
    }

    /** The whole {@code config.json}. */
    public JsonNode config() {
        return config;
    }

    /** {@code config.json}'s {@code text_config}. */
    public JsonNode textConfig() {
        return config.get("text_config");
    }

    /** {@code config.json}'s {@code vision_config}. */
    public JsonNode visionConfig() {
        return config.get("vision_config");
    }

    /** The {@code architectures[0]} entry, e.g. {@code LlavaOnevisionForConditionalGeneration}. */
    public String architecture() {
        return config.get("architectures").get(0).asText();
    }

    public boolean has(String name) {
        return fileOf.containsKey(name);
    }

    /** The tensor (torch order) or null when the checkpoint has none of that name. */
    public float[] find(String name) {
        Safetensors s = fileOf.get(name);
        if (s == null) {
            return null;
        }
        return cache.computeIfAbsent(name, n -> {
            try {
                return s.read(n);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The tensor; fails naming it when absent. */
    public float[] get(String name) {
        float[] t = find(name);
        if (t == null) {
            throw new IllegalStateException(dir + " has no tensor " + name);
        }
        return t;
    }

    /** The tensor's shape (torch order). */
    public long[] shape(String name) {
        Safetensors s = fileOf.get(name);
        if (s == null) {
            throw new IllegalStateException(dir + " has no tensor " + name);
        }
        return s.entries().get(name).shape();
    }

    /** An int from {@code node}, or {@code fallback} when absent or null. */
    static int intOr(JsonNode node, String key, int fallback) {
        JsonNode v = node == null ? null : node.get(key);
        return v == null || v.isNull() ? fallback : v.asInt();
    }

    /** A double from {@code node}, or {@code fallback} when absent or null. */
    static double doubleOr(JsonNode node, String key, double fallback) {
        JsonNode v = node == null ? null : node.get(key);
        return v == null || v.isNull() ? fallback : v.asDouble();
    }

    /** A string from {@code node}, or {@code fallback} when absent or null. */
    static String stringOr(JsonNode node, String key, String fallback) {
        JsonNode v = node == null ? null : node.get(key);
        return v == null || v.isNull() ? fallback : v.asText();
    }
}
