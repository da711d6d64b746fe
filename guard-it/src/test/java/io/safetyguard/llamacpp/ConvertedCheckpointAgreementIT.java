package io.safetyguard.llamacpp;

import static io.safetyguard.llamacpp.TestSupport.decode;
import static io.safetyguard.llamacpp.TestSupport.encode;
import static io.safetyguard.llamacpp.TestSupport.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.safetyguard.core.CacheConfig;
import io.safetyguard.core.FailureMode;
import io.safetyguard.core.ImageInput;
import io.safetyguard.core.SafetyGuard;
import io.safetyguard.core.Verdict;
import io.safetyguard.core.image.DecodedImage;
import io.safetyguard.core.spi.GenerationOptions;
import io.safetyguard.llamacpp.internal.vision.RgbImage;
import io.safetyguard.llamacpp.reference.Agreement;
import io.safetyguard.llamacpp.reference.EvaluationCapture;
import io.safetyguard.llamacpp.reference.ReferenceLlava;
import io.safetyguard.llamacpp.reference.WrongConversions;
import io.safetyguard.llamacpp.tools.convert.CheckpointConverter;
import io.safetyguard.llamacpp.tools.convert.ConvertOptions;
import io.safetyguard.llamacpp.tools.convert.ConvertedModel;
import io.safetyguard.llamacpp.tools.tiny.HfArchitecture;
import io.safetyguard.llamacpp.tools.tiny.HfKeyLayout;
import io.safetyguard.llamacpp.tools.tiny.SyntheticCheckpoint;
import io.safetyguard.llamacpp.tools.tiny.SyntheticCheckpointOptions;
import io.safetyguard.policy.Policy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Numerical agreement end to end: tiny synthetic Hugging Face checkpoints in the published formats, converted with
 * {@link CheckpointConverter} and run through {@link SafetyGuard} on {@link LlamaCppModel} (reference image
 * pipeline, the default policy of the converted model's LlavaGuard version, greedy verdict), against
 * {@link ReferenceLlava}, an independent double-precision forward pass that reads the checkpoint folder itself.
 * Compared for each image: (a) the packed image embeddings, (b) the logits at the first generated position, (c) the
 * logits and P(Unsafe) at the rating decision, the reference teacher-forced with the tokens SafetyGuard generated.
 * Then deliberately wrong conversions, made by rewriting the converted files, must fail the same comparison.
 *
 * <p>What the reference shares with SafetyGuard: the prompt's token ids (the converted tokenizer is checked against
 * llama.cpp's Hugging Face test vectors elsewhere) and the pixel tiles and grid of {@code Preprocess}. Everything
 * after the pixels (tower, projector, feature packing with unpadding, downscale and newlines, decoder, RoPE, output
 * head) is computed from the checkpoint's own tensors and config.json.
 *
 * <p><b>Tolerances</b>, from the errors measured on these checkpoints (the test prints every figure; run with
 * {@code -Dagreement.diagnose=true} for the error at every generated step). The bf16 weights convert to f16 exactly
 * (the synthetic values are f16-normal), so what is left is llama.cpp's CPU arithmetic against the reference's
 * double precision: matmul inputs rounded to f16 (relative 2^-11 = 4.9e-4 each) with f32 accumulation, the f16 KV
 * cache and f16 activation tables.
 * <ul>
 *   <li>packed embeddings, relative to their largest magnitude: measured at most 1.5e-3 (about 3 f16 ulps after
 *       two tower layers and the projector); tolerance {@value #EMBEDDING_TOLERANCE};</li>
 *   <li>logits at the first generated position, relative to the reference's logit spread (max - min over the
 *       vocabulary, about 16-19 here): measured at most 4.9e-4; tolerance {@value #PROMPT_LOGITS_TOLERANCE};</li>
 *   <li>logits at the rating step: measured at most 3.5e-3, and up to 5.4e-3 at other generated steps. Ten times the
 *       prompt's, because llama.cpp decodes generated tokens one at a time, and for fewer queries than one tile its
 *       CPU flash attention ({@code ggml_compute_forward_flash_attn_ext_f16_one_chunk}) accumulates the weighted
 *       values in f16, whereas the prompt batch takes the tiled kernel with f32 accumulators (the per-step figures
 *       jump from 3e-4 to 2-5e-3 at the first single-token step and stay there). Tolerance
 *       {@value #GENERATED_LOGITS_TOLERANCE};</li>
 *   <li>P(Unsafe), absolute: a two-way softmax of log-sum-exps moves by at most {@code p(1-p) * 2 * max|dl| <=
 *       max|dl| / 2}; with the rating-step errors above (up to 0.066 absolute) that bound is 0.033. Measured at most
 *       1.1e-2; tolerance {@value #P_UNSAFE_TOLERANCE}.</li>
 * </ul>
 * The tolerances are 2-3 times the worst measurement. Every wrong conversion exceeds the prompt-logits tolerance
 * alone by more than seven times (measured 1.2e-2 to 0.36), and the mmproj mistakes the embedding tolerance by more
 * than fifteen times; the test requires a margin of {@value #REJECTION_MARGIN}x on the worst quantity and prints
 * each.
 */
class ConvertedCheckpointAgreementIT {

    static final double EMBEDDING_TOLERANCE = 4e-3;
    static final double PROMPT_LOGITS_TOLERANCE = 1.5e-3;
    static final double GENERATED_LOGITS_TOLERANCE = 1e-2;
    static final double P_UNSAFE_TOLERANCE = 3e-2;
    /** How far beyond a tolerance a wrong conversion must land (not a marginal rejection). */
    static final double REJECTION_MARGIN = 3;

    /** {@code -Dagreement.diagnose=true}: also print the logit error at every generated step. */
    private static final boolean DIAGNOSE = Boolean.getBoolean("agreement.diagnose");

    static final Agreement.Tolerances TOLERANCES = new Agreement.Tolerances(
            EMBEDDING_TOLERANCE, PROMPT_LOGITS_TOLERANCE, GENERATED_LOGITS_TOLERANCE, P_UNSAFE_TOLERANCE);

    /**
     * The checkpoints: both architectures, both key layouts, tied and untied, one and several shards, bf16. The last
     * sets {@code vision_aspect_ratio} to {@code anyres_max_1} in its config.json, so that the tiny 28 px grids exceed
     * the budget and take the bilinear downscale that {@code anyres_max_9} applies to real 384 px tiles.
     */
    enum Case {
        ONEVISION_LEGACY_KEYS(HfArchitecture.LLAVA_ONEVISION, HfKeyLayout.LEGACY, 1, null),
        ONEVISION_CURRENT_KEYS_SHARDED(HfArchitecture.LLAVA_ONEVISION, HfKeyLayout.CURRENT, 2, null),
        LLAVA_CURRENT_KEYS(HfArchitecture.LLAVA, HfKeyLayout.CURRENT, 1, null),
        LLAVA_LEGACY_KEYS_SHARDED(HfArchitecture.LLAVA, HfKeyLayout.LEGACY, 3, null),
        ONEVISION_DOWNSCALED(HfArchitecture.LLAVA_ONEVISION, HfKeyLayout.CURRENT, 1, "anyres_max_1");

        final HfArchitecture architecture;
        final HfKeyLayout layout;
        final int shards;
        final String aspectRatio;

        Case(HfArchitecture architecture, HfKeyLayout layout, int shards, String aspectRatio) {
            this.architecture = architecture;
            this.layout = layout;
            this.shards = shards;
            this.aspectRatio = aspectRatio;
        }
    }

    /** One 28 px tile, a wide and a tall image (3 x 1 and 1 x 3 tiles for OneVision, padded for LLaVA). */
    private static final int[][] SIZES = {{28, 28}, {84, 30}, {26, 80}};

    @TempDir
    static Path dir;

    private static final Map<Case, ConvertedModel> CONVERTED = new EnumMap<>(Case.class);
    private static final List<String> REPORT = new ArrayList<>();

    @AfterAll
    static void printReport() {
        System.out.println("ConvertedCheckpointAgreementIT summary:");
        REPORT.forEach(System.out::println);
    }

    private static void report(String line) {
        System.out.println(line);
        REPORT.add(line);
    }

    @ParameterizedTest
    @EnumSource(Case.class)
    void convertedCheckpointAgreesWithTheReference(Case c) throws Exception {
        ConvertedModel converted = converted(c);
        ReferenceLlava reference = ReferenceLlava.open(checkpointDir(c));
        assertThat(reference.checkpoint().layout().name()).isEqualTo(c.layout.name());

        List<Agreement> results =
                measure(converted.model(), converted.mmproj(), converted.llavaGuardVersion(), reference);
        for (Agreement a : results) {
            report("agreement " + c + " " + a);
            assertThat(a.violations(TOLERANCES)).as("%s %s", c, a).isEmpty();
        }
    }

    static Stream<Arguments> wrongConversions() {
        return Stream.of(
                Arguments.of(WrongConversions.LLAMA_QK_NOT_PERMUTED, Case.LLAVA_CURRENT_KEYS),
                Arguments.of(WrongConversions.PROJECTOR_TRANSPOSED, Case.ONEVISION_LEGACY_KEYS),
                Arguments.of(WrongConversions.PROJECTOR_TRANSPOSED, Case.LLAVA_CURRENT_KEYS),
                Arguments.of(WrongConversions.IMAGE_NEWLINE_FROM_WRONG_TENSOR, Case.ONEVISION_LEGACY_KEYS),
                Arguments.of(WrongConversions.VISION_LAYER_SHORT, Case.ONEVISION_LEGACY_KEYS),
                Arguments.of(WrongConversions.VISION_LAYER_SHORT, Case.LLAVA_CURRENT_KEYS));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("wrongConversions")
    void wrongConversionFailsTheComparison(WrongConversions mistake, Case c) throws Exception {
        ConvertedModel converted = converted(c);
        Path out = Files.createDirectories(dir.resolve("wrong-" + mistake + "-" + c));
        Path model = converted.model();
        Path mmproj = converted.mmproj();
        if (mistake.inMmproj()) {
            mmproj = out.resolve("wrong-mmproj.gguf");
            mistake.apply(converted.mmproj(), mmproj);
        } else {
            model = out.resolve("wrong.gguf");
            mistake.apply(converted.model(), model);
        }
        ReferenceLlava reference = ReferenceLlava.open(checkpointDir(c));

        List<Agreement> results = measure(model, mmproj, converted.llavaGuardVersion(), reference);
        List<String> violations = new ArrayList<>();
        double margin = 0;
        for (Agreement a : results) {
            report("wrong " + mistake + " " + c + " " + a);
            violations.addAll(a.violations(TOLERANCES));
            margin = Math.max(margin, a.worstRatio(TOLERANCES));
        }
        report(String.format(
                java.util.Locale.ROOT,
                "wrong %s %s: rejected, worst quantity %.0fx its tolerance; %s",
                mistake,
                c,
                margin,
                violations));
        assertThat(violations)
                .as("%s on %s must fail the comparison", mistake, c)
                .isNotEmpty();
        assertThat(margin).as("%s on %s: error / tolerance", mistake, c).isGreaterThan(REJECTION_MARGIN);
    }

    // ---- the measurement --------------------------------------------------------------------------------------

    /** Runs every image through SafetyGuard on the pair and compares with the reference. */
    private static List<Agreement> measure(Path model, Path mmproj, String version, ReferenceLlava reference)
            throws Exception {
        List<Agreement> out = new ArrayList<>();
        Policy policy = Policy.preset(version.startsWith("v1.0") ? "llavaguard-v1.0" : Policy.DEFAULT_PRESET);
        try (LlamaCppModel m = LlamaCppModel.open(LlamaCppConfig.builder(model, mmproj)
                        .threads(1)
                        .warmup(false)
                        .build());
                SafetyGuard guard = SafetyGuard.builder()
                        .model(m)
                        .ownsModel(false)
                        .policy(policy)
                        .generationOptions(GenerationOptions.DEFAULT
                                .withGreedy(true)
                                .withVerdictOnly(true)
                                .withMaxNewTokens(160))
                        .cache(CacheConfig.disabled())
                        .failureMode(FailureMode.FAIL_CLOSED)
                        .parallelism(1)
                        .build()) {
            for (int[] size : SIZES) {
                String name = size[0] + "x" + size[1];
                byte[] png = encode(pattern(size[0], size[1], size[0] * 131L + size[1]), "png");
                EvaluationCapture capture = new EvaluationCapture();
                capture.everyStep = DIAGNOSE;
                m.engine().listener(capture);
                Verdict verdict;
                try {
                    verdict = guard.assess(ImageInput.ofBytes(png, name + ".png"));
                } finally {
                    m.engine().listener(null);
                }
                DecodedImage decoded = decode(png, name + ".png");
                out.add(compare(
                        name,
                        capture,
                        verdict,
                        reference,
                        new RgbImage(decoded.width(), decoded.height(), decoded.rgb())));
            }
        }
        return out;
    }

    private static Agreement compare(
            String name, EvaluationCapture sg, Verdict verdict, ReferenceLlava reference, RgbImage image) {
        assertThat(sg.image).as("the reference image pipeline ran").isNotNull();
        float[][] refImage = reference.embedImage(image);
        double embedding = Agreement.relativeToMagnitude(sg.image.embeddings(), refImage);

        int prompt = sg.before.length + refImage.length + sg.after.length;
        boolean rated = sg.ratingIndex >= 0;
        int[] forced = rated ? sg.tokensBeforeRating() : new int[0];
        int[] positions = {prompt - 1, prompt + forced.length - 1};
        double[][] logits = reference.logits(sg.before, refImage, sg.after, forced, positions);

        double first = Agreement.relativeToSpread(sg.firstLogits, logits[0]);
        if (DIAGNOSE) {
            printStepErrors(name, sg, reference, refImage, forced, prompt);
        }
        double rating = Double.POSITIVE_INFINITY;
        double pUnsafe = Double.POSITIVE_INFINITY;
        if (rated) {
            rating = Agreement.relativeToSpread(sg.ratingLogits, logits[1]);
            double refP = Agreement.probabilityUnsafe(logits[1], sg.safeTokens, sg.unsafeTokens);
            pUnsafe = Math.abs(sg.probabilityUnsafe - refP);
            if (verdict.probabilityUnsafe().isPresent()) {
                assertThat(verdict.probabilityUnsafe()).hasValue(sg.probabilityUnsafe);
            }
        }
        String what = name + " (" + refImage.length + " image tokens, " + forced.length + " tokens before the rating, "
                + (verdict.isFailure() ? "failure verdict" : verdict.rating()) + ")";
        return new Agreement(what, embedding, first, rating, pUnsafe);
    }

    /**
     * Diagnostics: the logit error before every generated step, the reference teacher-forced with SafetyGuard's own
     * tokens. Shows where the error grows (e.g. from batch to single-token decoding).
     */
    private static void printStepErrors(
            String name, EvaluationCapture sg, ReferenceLlava reference, float[][] refImage, int[] forced, int prompt) {
        int[] all = new int[Math.min(forced.length + 1, sg.stepLogits.size())];
        for (int i = 0; i < all.length; i++) {
            all[i] = prompt - 1 + i;
        }
        double[][] steps = reference.logits(sg.before, refImage, sg.after, forced, all);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < all.length; i++) {
            sb.append(String.format(
                    java.util.Locale.ROOT, " %.1e", Agreement.relativeToSpread(sg.stepLogits.get(i), steps[i])));
        }
        System.out.println("logit error / spread before each generated step up to the rating, " + name + ":" + sb);
    }

    // ---- checkpoints --------------------------------------------------------------------------------------------

    private static Path checkpointDir(Case c) {
        return dir.resolve("hf").resolve(c.name().toLowerCase(java.util.Locale.ROOT));
    }

    /** The case's checkpoint, written and converted once per run. */
    private static synchronized ConvertedModel converted(Case c) throws Exception {
        ConvertedModel m = CONVERTED.get(c);
        if (m == null) {
            Path ckpt = checkpointDir(c);
            SyntheticCheckpoint.write(
                    SyntheticCheckpointOptions.builder()
                            .architecture(c.architecture)
                            .layout(c.layout)
                            .shards(c.shards)
                            .build(),
                    ckpt);
            if (c.aspectRatio != null) {
                ObjectMapper json = new ObjectMapper();
                ObjectNode config =
                        (ObjectNode) json.readTree(ckpt.resolve("config.json").toFile());
                config.put("vision_aspect_ratio", c.aspectRatio);
                json.writeValue(ckpt.resolve("config.json").toFile(), config);
            }
            m = CheckpointConverter.convert(
                    ckpt,
                    ConvertOptions.builder(dir.resolve("gguf"))
                            .name(c.name().toLowerCase(java.util.Locale.ROOT))
                            .build());
            CONVERTED.put(c, m);
        }
        return m;
    }
}
