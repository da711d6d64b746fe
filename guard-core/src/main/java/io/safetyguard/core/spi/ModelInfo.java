package io.safetyguard.core.spi;

import java.util.Map;
import java.util.Objects;

/**
 * Identity and description of a loaded model.
 *
 * @param id          stable identifier, e.g. a digest of the model and projector files; used in cache keys
 * @param displayName short human-readable name (file name, version)
 * @param metadata    free-form facts for reports (architecture, sizes, LlavaGuard version)
 */
public record ModelInfo(String id, String displayName, Map<String, String> metadata) {
    public ModelInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(displayName, "displayName");
        metadata = Map.copyOf(metadata);
    }
}
