package io.safetyguard.llamacpp.tools.convert;

import io.safetyguard.llamacpp.tools.quantize.QuantizationType;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A converted model pair.
 *
 * @param model             the text model, {@code DIR/NAME.gguf}
 * @param mmproj            the vision tower and projector, {@code DIR/NAME-mmproj.gguf}
 * @param modelType         the text model's type
 * @param llavaGuardVersion the version both files declare ({@code safetyguard.llavaguard.version})
 * @param keyLayout         how the checkpoint named its tensors
 * @param sourceBytes       bytes of checkpoint tensor data read
 * @param elapsed           wall time of the whole conversion
 */
public record ConvertedModel(
        Path model,
        Path mmproj,
        QuantizationType modelType,
        String llavaGuardVersion,
        KeyLayout keyLayout,
        long sourceBytes,
        Duration elapsed) {}
