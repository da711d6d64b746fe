package io.safetyguard.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.safetyguard.core.image.DecodedImage;
import io.safetyguard.core.image.ImageDecoder;
import io.safetyguard.core.image.ImageLimits;
import io.safetyguard.core.spi.GenerationOptions;
import io.safetyguard.core.spi.ModelRequest;
import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import io.safetyguard.llamacpp.tools.tiny.TinyModelGenerator;
import io.safetyguard.llamacpp.tools.tiny.TinyModelPair;
import io.safetyguard.policy.Policy;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.function.BooleanSupplier;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;

/** Shared helpers for the tests that run real llama.cpp on the tiny generated models. */
public final class TestSupport {

    public static final Policy POLICY = Policy.llavaGuardDefault();
    /** The answer is constrained to POLICY's full verdict (rating, category, rationale). */
    public static final Answer FULL_VERDICT = Answer.FULL_VERDICT;
    /** The answer is constrained to POLICY's verdict without rationale. */
    public static final Answer VERDICT_ONLY = Answer.VERDICT_ONLY;
    /** The answer is free text: no grammar, so random weights run until the token limit. */
    public static final Answer FREE_TEXT = Answer.FREE_TEXT;

    public static final ImageDecoder DECODER = new ImageDecoder(ImageLimits.DEFAULT);
    private static final ObjectMapper JSON = new ObjectMapper();

    private TestSupport() {}

    public static TinyModelPair generate(TinyModelFlavor flavor, Path dir) {
        try {
            return TinyModelGenerator.generate(flavor, dir.resolve(flavor.cliName()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A small, CPU-friendly configuration: one thread per context (CI has two cores). */
    public static LlamaCppConfig.Builder config(TinyModelPair pair) {
        return LlamaCppConfig.builder(pair.model(), pair.mmproj()).threads(1).warmup(false);
    }

    public static GenerationOptions greedy(int maxNewTokens) {
        return GenerationOptions.DEFAULT.withGreedy(true).withMaxNewTokens(maxNewTokens);
    }

    /**
     * What a request constrains the answer to. The backend derives the grammar from the request's
     * policy and {@link GenerationOptions#verdictOnly()}, so the constraint sets both.
     */
    public enum Answer {
        FULL_VERDICT,
        VERDICT_ONLY,
        FREE_TEXT
    }

    public static ModelRequest request(DecodedImage image, Answer answer, GenerationOptions options) {
        return request(image, answer, options, null);
    }

    public static ModelRequest request(
            DecodedImage image, Answer answer, GenerationOptions options, BooleanSupplier cancelled) {
        return request(image, POLICY.render(), answer, options, cancelled);
    }

    /** A request with another prompt than POLICY's, its answer constrained to POLICY's verdict format. */
    public static ModelRequest request(
            DecodedImage image, String prompt, Answer answer, GenerationOptions options, BooleanSupplier cancelled) {
        return switch (answer) {
            case FULL_VERDICT -> new ModelRequest(image, prompt, options.withVerdictOnly(false), cancelled, POLICY);
            case VERDICT_ONLY -> new ModelRequest(image, prompt, options.withVerdictOnly(true), cancelled, POLICY);
            case FREE_TEXT -> ModelRequest.unconstrained(image, prompt, options, cancelled);
        };
    }

    // ---- images -----------------------------------------------------------------------------

    public static BufferedImage pattern(int w, int h, long seed) {
        Random r = new Random(seed);
        BufferedImage b = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int a = r.nextInt(256);
        int c = r.nextInt(256);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int red = (x * 7 + a) & 255;
                int green = (y * 5 + c) & 255;
                int blue = r.nextInt(256);
                b.setRGB(x, y, (red << 16) | (green << 8) | blue);
            }
        }
        return b;
    }

    public static byte[] encode(BufferedImage image, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] resource(String name) {
        try (InputStream in = TestSupport.class.getResourceAsStream("/images/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /images/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static DecodedImage decode(byte[] bytes, String name) {
        try {
            return DECODER.decode(bytes, name);
        } catch (Exception e) {
            throw new IllegalStateException("cannot decode test image " + name, e);
        }
    }

    /** PNG, JPEG and WebP images of various sizes, decoded the way SafetyGuard decodes them. */
    public static List<DecodedImage> mixedImages(int n) {
        List<DecodedImage> images = new ArrayList<>();
        String[] webps = {"gradient-lossy.webp", "pattern-lossless.webp"};
        Iterator<Integer> sizes = List.of(24, 40, 64, 100, 33, 57, 80, 120).iterator();
        for (int i = 0; i < n; i++) {
            if (!sizes.hasNext()) {
                sizes = List.of(24, 40, 64, 100, 33, 57, 80, 120).iterator();
            }
            int s = sizes.next();
            switch (i % 3) {
                case 0 -> images.add(decode(encode(pattern(s, s * 3 / 4 + 1, i), "png"), "img" + i + ".png"));
                case 1 -> images.add(decode(encode(pattern(s + 7, s, i), "jpeg"), "img" + i + ".jpg"));
                default -> images.add(decode(resource(webps[(i / 3) % 2]), webps[(i / 3) % 2]));
            }
        }
        return images;
    }

    // ---- verdicts ---------------------------------------------------------------------------

    /** Parses a verdict strictly and checks it against the policy's values; returns the JSON. */
    public static JsonNode assertValidVerdict(String text, boolean verdictOnly) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
        assertThat(node.isObject()).as("verdict is an object: %s", text).isTrue();
        List<String> keys = new ArrayList<>();
        node.fieldNames().forEachRemaining(keys::add);
        assertThat(keys)
                .as("keys in trained order")
                .containsExactlyElementsOf(
                        verdictOnly ? List.of("rating", "category") : List.of("rating", "category", "rationale"));
        assertThat(node.get("rating").asText()).isIn("Safe", "Unsafe");
        assertThat(node.get("category").asText()).isIn(POLICY.categoryLabels());
        if (!verdictOnly) {
            assertThat(node.get("rationale").isTextual()).isTrue();
        }
        return node;
    }

    /**
     * The resident set size of this process in KiB, from /proc/self/status; empty where that file is missing or
     * unreadable (not Linux), so a memory check cannot mistake "unknown" for "no growth".
     */
    public static OptionalLong rssKib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("VmRSS:")) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or a format we do not know
        }
        return OptionalLong.empty();
    }

    /** The resident set size in KiB; aborts (skips) the calling test, saying why, where it cannot be read. */
    public static long rssKibOrSkip(String check) {
        OptionalLong rss = rssKib();
        Assumptions.assumeTrue(
                rss.isPresent(),
                () -> check + " skipped: the resident set size is read from "
                        + "/proc/self/status, which this system does not have");
        return rss.getAsLong();
    }
}
