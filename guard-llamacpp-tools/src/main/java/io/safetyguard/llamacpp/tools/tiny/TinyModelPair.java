package io.safetyguard.llamacpp.tools.tiny;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The two files of a generated tiny pair.
 *
 * @param model  the text model GGUF ({@code --model})
 * @param mmproj the vision projector GGUF ({@code --mmproj})
 * @param flavor the flavour they were made as
 */
public record TinyModelPair(Path model, Path mmproj, TinyModelFlavor flavor) {
    public TinyModelPair {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(mmproj, "mmproj");
        Objects.requireNonNull(flavor, "flavor");
    }
}
