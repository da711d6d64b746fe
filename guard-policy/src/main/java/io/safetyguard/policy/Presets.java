package io.safetyguard.policy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shipped LlavaGuard policies, loaded once from {@code presets/<name>.json} next to this
 * class. The resources are ordinary full policy files (see {@link PolicyFiles}) holding the
 * verbatim LlavaGuard text (Apache-2.0, ml-research/LlavaGuard).
 */
final class Presets {

    static final List<String> NAMES = List.of(Policy.DEFAULT_PRESET, "llavaguard-v1.0");

    private static final Map<String, Policy> CACHE = new ConcurrentHashMap<>();

    private Presets() {}

    static Policy get(String name) {
        if (name == null || !NAMES.contains(name)) {
            throw new PolicyException(
                    null,
                    "preset",
                    "unknown preset " + (name == null ? "null" : "'" + name + "'") + "; known presets: "
                            + String.join(", ", NAMES)
                            + " (v1.1 models use llavaguard-v1.2)",
                    null);
        }
        return CACHE.computeIfAbsent(name, Presets::load);
    }

    private static Policy load(String name) {
        String resource = "presets/" + name + ".json";
        try (InputStream in = Presets.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("preset resource missing from the jar: " + resource);
            }
            String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Policy p = PolicyFiles.fromJson(json, resource);
            return p.toBuilder().basePreset(name).build();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read preset resource " + resource, e);
        }
    }
}
