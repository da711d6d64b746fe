package io.safetyguard.llamacpp.internal.gguf;

import io.safetyguard.llamacpp.ModelFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of {@link ModelPairValidator#validate(Path, Path)}: summaries of both files where they could be
 * read, the errors that prevent use, and warnings that do not.
 */
public final class ModelPairReport {
    private final Path model;
    private final Path mmproj;
    private final TextModelSummary textModel;
    private final ProjectorSummary projector;
    private final List<String> errors;
    private final List<String> warnings;

    ModelPairReport(
            Path model,
            Path mmproj,
            TextModelSummary textModel,
            ProjectorSummary projector,
            List<String> errors,
            List<String> warnings) {
        this.model = Objects.requireNonNull(model, "model");
        this.mmproj = Objects.requireNonNull(mmproj, "mmproj");
        this.textModel = textModel;
        this.projector = projector;
        this.errors = List.copyOf(errors);
        this.warnings = List.copyOf(warnings);
    }

    /** The text model path as given. */
    public Path model() {
        return model;
    }

    /** The mmproj path as given. */
    public Path mmproj() {
        return mmproj;
    }

    /** The text model's summary; present when the file is a usable text model. */
    public Optional<TextModelSummary> textModel() {
        return Optional.ofNullable(textModel);
    }

    /** The mmproj's summary; present when the file is a usable mmproj. */
    public Optional<ProjectorSummary> projector() {
        return Optional.ofNullable(projector);
    }

    /** Problems that prevent using the pair; each names its file and says what to do. */
    public List<String> errors() {
        return errors;
    }

    /** Things worth telling the user that do not prevent use (tiny test models, known llama.cpp deviations). */
    public List<String> warnings() {
        return warnings;
    }

    /** True when there are no errors. */
    public boolean isValid() {
        return errors.isEmpty();
    }

    /**
     * Returns this report when the pair is usable.
     *
     * @throws ModelFileException listing every error otherwise
     */
    public ModelPairReport requireValid() throws ModelFileException {
        if (!isValid()) {
            throw new ModelFileException(errors);
        }
        return this;
    }

    /** A multi-line report: summaries, then errors and warnings. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append("model:  ")
                .append(textModel != null ? textModel.describe() : model + " (unusable)")
                .append('\n');
        sb.append("mmproj: ")
                .append(projector != null ? projector.describe() : mmproj + " (unusable)")
                .append('\n');
        errors.forEach(e -> sb.append("error: ").append(e).append('\n'));
        warnings.forEach(w -> sb.append("warning: ").append(w).append('\n'));
        return sb.toString();
    }
}
