package io.safetyguard.llamacpp.internal.gguf;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks a text model and its mmproj before native code sees them, with messages a user can act on: missing
 * files, files that are not GGUF, the two files swapped, an mmproj from a different model (its projection width
 * differs from the text model's embedding width), missing or mistyped keys.
 *
 * <p>Messages refer to the command-line options {@code --model} and {@code --mmproj}, the names users know.
 */
public final class ModelPairValidator {
    /** More tiles than this per image makes image tokens crowd out the policy in the context. */
    private static final long MANY_TILES = 10;

    private ModelPairValidator() {}

    /** Validates the pair; never throws for problems with the files, which end up in the report's errors. */
    public static ModelPairReport validate(Path model, Path mmproj) {
        List<String> errors = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        GgufFile text = load(model, "text model", "--model", errors);
        GgufFile proj = load(mmproj, "vision projector", "--mmproj", errors);

        boolean rolesOk = checkRoles(text, proj, errors);
        TextModelSummary textSummary = null;
        ProjectorSummary projSummary = null;
        if (text != null && rolesOk) {
            List<String> problems = ModelFileInspector.textModelProblems(text);
            problems.forEach(p -> errors.add(text.name() + ": " + p));
            textSummary = problems.isEmpty() ? inspect(() -> ModelFileInspector.inspectTextModel(text), errors) : null;
        }
        if (proj != null && rolesOk) {
            List<String> problems = ModelFileInspector.projectorProblems(proj);
            problems.forEach(p -> errors.add(proj.name() + ": " + p));
            projSummary = problems.isEmpty() ? inspect(() -> ModelFileInspector.inspectProjector(proj), errors) : null;
        }
        if (textSummary != null && projSummary != null) {
            crossCheck(textSummary, projSummary, errors);
        }
        if (textSummary != null) {
            warnText(textSummary, warnings);
        }
        if (projSummary != null) {
            warnProjector(projSummary, warnings);
        }
        return new ModelPairReport(model, mmproj, textSummary, projSummary, errors, warnings);
    }

    private static GgufFile load(Path path, String role, String option, List<String> errors) {
        if (!Files.exists(path)) {
            errors.add(role + " file not found: " + path + " (" + option + ")");
            return null;
        }
        if (Files.isDirectory(path)) {
            errors.add(path + " is a directory; pass the " + role + " .gguf file itself as " + option);
            return null;
        }
        try {
            return GgufReader.read(path);
        } catch (GgufFormatException e) {
            errors.add(e.getMessage());
        } catch (AccessDeniedException e) {
            errors.add("cannot read the " + role + " " + path + ": permission denied");
        } catch (IOException e) {
            errors.add("cannot read the " + role + " " + path + ": " + e);
        }
        return null;
    }

    /** The text model must not be a clip file and the mmproj must be one; a swap gets its own message. */
    private static boolean checkRoles(GgufFile text, GgufFile proj, List<String> errors) {
        Optional<String> textArch = text == null ? Optional.empty() : text.architecture();
        Optional<String> projArch = proj == null ? Optional.empty() : proj.architecture();
        boolean textIsClip =
                textArch.filter(ModelKeys.CLIP_ARCHITECTURE::equals).isPresent();
        boolean projIsText = projArch.isPresent() && !projArch.get().equals(ModelKeys.CLIP_ARCHITECTURE);
        if (textIsClip && projIsText) {
            errors.add(text.name() + " looks like a vision projector (general.architecture=clip); did you swap "
                    + "--model and --mmproj?");
            return false;
        }
        if (textIsClip) {
            errors.add(text.name() + " is a vision projector (general.architecture=clip), not a text model; pass "
                    + "the language model GGUF as --model");
            return false;
        }
        if (projIsText) {
            errors.add(proj.name() + " is a text model (general.architecture=" + Printable.of(projArch.get())
                    + "), not a vision "
                    + "projector (expected general.architecture=clip); pass the mmproj GGUF as --mmproj");
            return false;
        }
        return true;
    }

    private static void crossCheck(TextModelSummary text, ProjectorSummary proj, List<String> errors) {
        if (proj.projectionOutputWidth().isPresent()
                && proj.projectionOutputWidth().getAsLong() != text.embeddingLength()) {
            errors.add(proj.file() + " projects to "
                    + proj.projectionOutputWidth().getAsLong()
                    + "-wide embeddings but the text model " + text.file() + " expects " + text.embeddingLength()
                    + " — these files are from different models; use the mmproj released with this model");
        }
        if (text.declaredVersion().isPresent()
                && proj.declaredVersion().isPresent()
                && !text.declaredVersion().get().equals(proj.declaredVersion().get())) {
            errors.add(text.file() + " is LlavaGuard "
                    + Printable.of(text.declaredVersion().get()) + " but "
                    + proj.file() + " is LlavaGuard "
                    + Printable.of(proj.declaredVersion().get())
                    + " — these files are from different models");
        }
    }

    private static void warnText(TextModelSummary text, List<String> warnings) {
        if (text.tiny()) {
            warnings.add(text.file() + " is a tiny random-weight test model (" + ModelKeys.TINY
                    + "=true): verdicts are meaningless");
        }
        if (text.family() == LlavaGuardFamily.UNKNOWN) {
            warnings.add(text.file() + ": cannot tell which LlavaGuard version this is (architecture "
                    + Printable.of(text.architecture())
                    + text.declaredVersion()
                            .map(v -> ", declared version " + Printable.of(v))
                            .orElse("")
                    + "); LlavaGuard v1.0/v1.1 are llama, v1.2 is qwen2. The prompt format may not match");
        }
    }

    private static void warnProjector(ProjectorSummary proj, List<String> warnings) {
        if (proj.tiny()) {
            warnings.add(proj.file() + " is a tiny random-weight test projector (" + ModelKeys.TINY
                    + "=true): verdicts are meaningless");
        }
        if (!proj.projectorType().equals(ModelKeys.PROJECTOR_MLP)) {
            warnings.add(proj.file() + ": projector type '" + Printable.of(proj.projectorType())
                    + "' is not LLaVA's 'mlp'; "
                    + "LlavaGuard models use 'mlp' and nothing else is tested here");
            return;
        }
        if (proj.featureLayers().isEmpty()) {
            warnings.add(proj.file() + ": no " + ModelKeys.FEATURE_LAYER + ", so llama.cpp v0.4.0 runs one vision "
                    + "layer fewer than stored (ggml-org/llama.cpp#25817); set it to [" + proj.blockCount()
                    + "] to run them all (see docs/models.md)");
        }
        if (!proj.hasClassEmbedding() && !proj.useGelu().orElse(false)) {
            warnings.add(proj.file() + ": a SigLIP tower (no v.class_embd) without " + ModelKeys.USE_GELU
                    + "=true runs GELU-quick instead of SigLIP's GELU; set " + ModelKeys.USE_GELU + "=true");
        }
        if (proj.maxTilesPerImage() > MANY_TILES) {
            // SafetyGuard's default (reference) pipeline caps the tokens as anyres_max does; libmtmd does not
            warnings.add(proj.file() + ": with libmtmd's image pipeline (ImagePipeline.LLAMA_CPP, llama-mtmd-cli) its "
                    + "pinpoints allow up to " + proj.maxTilesPerImage() + " tiles (" + proj.maxTokensPerImage()
                    + " tokens) per image; for that pipeline keep only grids of at most " + (MANY_TILES - 1)
                    + " tiles to leave room for the policy");
        }
    }

    private interface Inspection<T> {
        T run() throws GgufFormatException;
    }

    // the problem lists above make this unreachable in practice; kept so a mismatch can never escape as a throw
    private static <T> T inspect(Inspection<T> inspection, List<String> errors) {
        try {
            return inspection.run();
        } catch (GgufFormatException e) {
            errors.add(e.getMessage());
            return null;
        }
    }
}
