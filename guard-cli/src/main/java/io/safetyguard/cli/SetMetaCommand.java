package io.safetyguard.cli;

import io.safetyguard.llamacpp.internal.gguf.GgufFile;
import io.safetyguard.llamacpp.internal.gguf.GgufReader;
import io.safetyguard.llamacpp.internal.gguf.GgufValue;
import io.safetyguard.llamacpp.internal.gguf.ModelKeys;
import io.safetyguard.llamacpp.tools.gguf.GgufMetadataRewriter;
import io.safetyguard.llamacpp.tools.gguf.LlavaGuardPreset;
import io.safetyguard.llamacpp.tools.gguf.MetadataChange;
import io.safetyguard.llamacpp.tools.gguf.MetadataEdit;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code guard model set-meta}: rewrites a GGUF file's metadata in Java. */
@Command(
        name = "set-meta",
        mixinStandardHelpOptions = true,
        description = {
            "Copy a GGUF model or mmproj with changed metadata (tensor data is streamed, not loaded).",
            "Edits apply in this order: --preset, the specific options, --set, --remove; every change is printed.",
            "Example: guard model set-meta --preset llavaguard-v1.2-ov mmproj-f16.gguf mmproj-fixed.gguf"
        })
final class SetMetaCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "IN.gguf", description = "The file to read.")
    Path input;

    @Parameters(
            index = "1",
            arity = "0..1",
            paramLabel = "OUT.gguf",
            description = "Where to write the result (omit with --in-place).")
    Path output;

    @Option(names = "--in-place", description = "Replace IN itself (written to a temporary file, then moved over IN).")
    boolean inPlace;

    @Option(names = "--overwrite", description = "Replace OUT if it exists.")
    boolean overwrite;

    @Option(names = "--dry-run", description = "Print the changes without writing anything.")
    boolean dryRun;

    @Option(
            names = "--preset",
            paramLabel = "NAME",
            description = "The documented fixes for a LlavaGuard release: llavaguard-v1.2-ov, llavaguard-v1.1 or "
                    + "llavaguard-v1.0 (docs/models.md). Works on the text model and on the mmproj.")
    String preset;

    @Option(
            names = "--llavaguard-version",
            paramLabel = "V",
            description = "safetyguard.llavaguard.version: v1.0, v1.1 or v1.2.")
    String llavaGuardVersion;

    @Option(
            names = "--use-gelu",
            paramLabel = "BOOL",
            arity = "1",
            description = "clip.use_gelu: true = tanh GELU (SigLIP), false = quick GELU (CLIP).")
    Boolean useGelu;

    @Option(
            names = "--feature-layer",
            paramLabel = "N",
            description = "clip.vision.feature_layer = [N]: run N vision blocks and read that hidden state.")
    Integer featureLayer;

    @Option(
            names = "--image-mean",
            paramLabel = "R,G,B",
            split = ",",
            description = "clip.vision.image_mean (3 floats).")
    List<Float> imageMean;

    @Option(names = "--image-std", paramLabel = "R,G,B", split = ",", description = "clip.vision.image_std (3 floats).")
    List<Float> imageStd;

    @Option(
            names = "--pinpoints",
            paramLabel = "H0,W0,H1,W1...",
            split = ",",
            description = "clip.vision.image_grid_pinpoints, flat, in the Hugging Face config's [height, width] order.")
    List<Integer> pinpoints;

    @Option(
            names = "--set",
            paramLabel = "KEY=TYPE:VALUE",
            description =
                    "Set any key; TYPE is u8..u64, i8..i64, f32, f64, bool, str or arr[TYPE] with comma-separated "
                            + "elements, e.g. clip.vision.feature_layer=arr[i32]:26. Known keys must have llama.cpp's type.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--remove", paramLabel = "KEY", description = "Remove a key.")
    List<String> removals = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(input)) {
            throw new BadInputException(input + ": no such file");
        }
        Path target = target();
        GgufFile in = GgufReader.read(input);
        List<MetadataEdit> edits = edits(in);
        if (edits.isEmpty()) {
            throw new BadInputException("nothing to change: give --preset, a specific option, --set or --remove");
        }
        List<MetadataChange> changes =
                dryRun ? GgufMetadataRewriter.plan(in, edits) : GgufMetadataRewriter.rewrite(input, target, edits);
        PrintStream out = System.out;
        changes.forEach(c -> out.println(c.describe()));
        String summary =
                changes.isEmpty() ? "no changes" : changes.size() + " change" + (changes.size() == 1 ? "" : "s");
        System.err.println("guard: " + summary + (dryRun ? " (dry run, nothing written)" : "; wrote " + target));
        return ExitCodes.OK;
    }

    private Path target() throws IOException {
        if (inPlace) {
            if (output != null) {
                throw new BadInputException("give either OUT.gguf or --in-place, not both");
            }
            return input;
        }
        if (output == null) {
            throw new BadInputException(
                    "missing OUT.gguf: name the file to write, or use --in-place to replace " + input);
        }
        if (Files.exists(output)) {
            if (Files.isSameFile(input, output)) {
                throw new BadInputException(output + " is the input; use --in-place to replace it");
            }
            if (!overwrite && !dryRun) {
                throw new BadInputException(output + " exists; choose another name or add --overwrite");
            }
        }
        return output;
    }

    private List<MetadataEdit> edits(GgufFile in) throws IOException {
        List<MetadataEdit> edits = new ArrayList<>();
        if (preset != null) {
            edits.addAll(LlavaGuardPreset.fromCliName(preset).editsFor(in));
        }
        if (llavaGuardVersion != null) {
            String v = llavaGuardVersion.trim().toLowerCase(Locale.ROOT);
            edits.add(
                    MetadataEdit.set(ModelKeys.LLAVAGUARD_VERSION, GgufValue.string(v.startsWith("v") ? v : "v" + v)));
        }
        if (useGelu != null) {
            edits.add(MetadataEdit.set(ModelKeys.USE_GELU, GgufValue.bool(useGelu)));
        }
        if (featureLayer != null) {
            edits.add(MetadataEdit.set(ModelKeys.FEATURE_LAYER, GgufValue.int32Array(featureLayer)));
        }
        if (imageMean != null) {
            edits.add(MetadataEdit.set(ModelKeys.IMAGE_MEAN, GgufValue.float32Array(floats(imageMean))));
        }
        if (imageStd != null) {
            edits.add(MetadataEdit.set(ModelKeys.IMAGE_STD, GgufValue.float32Array(floats(imageStd))));
        }
        if (pinpoints != null) {
            edits.add(MetadataEdit.set(
                    ModelKeys.IMAGE_GRID_PINPOINTS,
                    GgufValue.int32Array(
                            pinpoints.stream().mapToInt(Integer::intValue).toArray())));
        }
        for (String s : sets) {
            edits.add(MetadataEdit.parseAssignment(s));
        }
        for (String key : removals) {
            if (sets.stream().anyMatch(s -> s.startsWith(key + "="))) {
                throw new BadInputException("'" + key + "' is both set and removed; drop one of the two");
            }
            edits.add(MetadataEdit.remove(key));
        }
        return edits;
    }

    private static float[] floats(List<Float> values) {
        float[] f = new float[values.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = values.get(i);
        }
        return f;
    }
}
