package io.safetyguard.examples.t2i;

import io.safetyguard.examples.ExampleMain;
import io.safetyguard.core.CacheConfig;
import io.safetyguard.core.ImageInput;
import io.safetyguard.core.SafetyGuard;
import io.safetyguard.core.Verdict;
import io.safetyguard.core.image.ImageDecodingException;
import io.safetyguard.core.reaction.Attempt;
import io.safetyguard.core.reaction.GuardedGenerator;
import io.safetyguard.core.reaction.GuardedResult;
import io.safetyguard.core.reaction.PlaceholderStyle;
import io.safetyguard.examples.ExampleCommandLine;
import io.safetyguard.examples.ExampleException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import javax.imageio.ImageIO;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Example 1: a text-to-image generator behind a guard. Sends a prompt to a local Stable Diffusion
 * WebUI ({@code POST /sdapi/v1/txt2img}), checks each image with SafetyGuard in-process, and on an
 * Unsafe verdict blocks, regenerates with a new seed, or regenerates with an amended negative
 * prompt. Writes the allowed image, or the placeholder, to {@code --out}; prints every attempt.
 *
 * <p>Exit codes: 0 an image was allowed, 3 blocked (placeholder written), 1 the WebUI failed,
 * 2 bad input.
 */
@Command(name = "t2i",
        description = {"Generate an image with a local Stable Diffusion WebUI (--api) and let it through only with a Safe verdict.",
                "Unsafe images are blocked or regenerated (--on-unsafe); the result or a placeholder is written to --out."})
public final class Txt2ImgExample extends ExampleMain {

    @Option(names = "--url", paramLabel = "URL", defaultValue = "http://127.0.0.1:7860",
            description = "The WebUI's address (started with --api). Default: ${DEFAULT-VALUE}.")
    URI url;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "What to draw.")
    String prompt;

    @Option(names = "--negative-prompt", paramLabel = "TEXT", defaultValue = "", description = "What to avoid.")
    String negativePrompt;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "-1", description = "Seed of the first generation; -1 = random.")
    long seed;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "20", description = "Sampling steps. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--width", paramLabel = "PX", defaultValue = "512", description = "Default: ${DEFAULT-VALUE}.")
    int width;

    @Option(names = "--height", paramLabel = "PX", defaultValue = "512", description = "Default: ${DEFAULT-VALUE}.")
    int height;

    @Option(names = "--on-unsafe", paramLabel = "block|reseed|amend", defaultValue = "amend", converter = StrategyConverter.class,
            description = "block: placeholder at once; reseed: new seed; amend: add the category's words to the negative prompt "
                    + "and reseed. Default: ${DEFAULT-VALUE}.")
    UnsafeStrategy strategy;

    @Option(names = "--max-attempts", paramLabel = "N", defaultValue = "3",
            description = "Generations in all before giving up and blocking (reseed/amend). Default: ${DEFAULT-VALUE}.")
    int maxAttempts;

    @Option(names = "--placeholder", paramLabel = "black|blurred", defaultValue = "black", converter = PlaceholderConverter.class,
            description = "What a blocked image is replaced with. Default: ${DEFAULT-VALUE}.")
    PlaceholderStyle placeholder;

    @Option(names = "--http-timeout", paramLabel = "SECONDS", defaultValue = "300",
            description = "How long one generation may take. Default: ${DEFAULT-VALUE}.")
    long httpTimeoutSeconds;

    @Option(names = "--out", paramLabel = "FILE.png", defaultValue = "guarded.png",
            description = "Where to write the image (PNG). Default: ${DEFAULT-VALUE}.")
    Path out;

    public static void main(String[] args) {
        System.exit(ExampleCommandLine.execute(new Txt2ImgExample(), args));
    }

    @Override
    protected int run(PrintWriter stdout, PrintWriter stderr) {
        Txt2ImgRequest request = request();
        SdWebUiClient client = client();
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw ExampleException.badInput("--out " + out + ": folder " + parent + " does not exist");
        }
        guardFlags.checkInputs();
        client.checkReachable(); // before the model load, which can take a while for a real model
        try (SafetyGuard guard = guardFlags.openGuard(CacheConfig.defaults(), stderr)) {
            GuardedGenerator<Txt2ImgRequest> generator = strategy
                    .configure(GuardedGenerator.builder(guard, client), maxAttempts)
                    .placeholder(placeholder)
                    .listener(attempt -> printAttempt(stdout, attempt))
                    .build();
            GuardedResult<Txt2ImgRequest> result = generator.generate(request);
            return write(result, guard, stdout);
        }
    }

    private Txt2ImgRequest request() {
        try {
            return new Txt2ImgRequest(prompt, negativePrompt, seed, steps, width, height, 7.0, "");
        } catch (IllegalArgumentException e) {
            throw ExampleException.badInput(e.getMessage(), e);
        }
    }

    private SdWebUiClient client() {
        try {
            return new SdWebUiClient(url, SdWebUiClient.DEFAULT_CONNECT_TIMEOUT, Duration.ofSeconds(httpTimeoutSeconds));
        } catch (IllegalArgumentException e) {
            throw ExampleException.badInput("--url / --http-timeout: " + e.getMessage(), e);
        }
    }

    private static void printAttempt(PrintWriter stdout, Attempt<Txt2ImgRequest> attempt) {
        Verdict v = attempt.verdict();
        StringBuilder line = new StringBuilder("attempt ").append(attempt.number()).append(": ")
                .append(attempt.image().name()).append(" -> ").append(v.rating().label());
        v.categoryLabel().ifPresent(c -> line.append(" (").append(c).append(')'));
        v.failureReason().ifPresent(r -> line.append(" [no verdict: ").append(r).append(']'));
        if (!attempt.request().negativePrompt().isEmpty()) {
            line.append(" negative_prompt=\"").append(attempt.request().negativePrompt()).append('"');
        }
        stdout.println(line);
        stdout.flush();
    }

    private int write(GuardedResult<Txt2ImgRequest> result, SafetyGuard guard, PrintWriter stdout) {
        int attempts = result.attempts().size();
        if (result.allowed()) {
            writePng(toImage(result.image().orElseThrow(), guard));
            stdout.println("allowed after " + attempts + " attempt(s): wrote " + out);
            return ExampleCommandLine.EXIT_OK;
        }
        BufferedImage placeholderImage = result.placeholder().orElseThrow(); // black or blurred: never NONE here
        writePng(placeholderImage);
        stdout.println("blocked after " + attempts + " attempt(s): wrote a " + placeholder.name().toLowerCase(Locale.ROOT)
                + " placeholder to " + out);
        return ExampleCommandLine.EXIT_BLOCKED;
    }

    /**
     * The allowed image as pixels. It is re-encoded rather than copied byte for byte because
     * {@link ImageInput} keeps its bytes private; decoding under the guard's limits is what the
     * guard already did to assess it, so this cannot fail for an allowed image in practice.
     */
    private static BufferedImage toImage(ImageInput image, SafetyGuard guard) {
        try {
            return image.decode(guard.imageLimits()).toBufferedImage();
        } catch (ImageDecodingException e) {
            throw new ExampleException("cannot decode the allowed image " + image.name() + ": " + e.getMessage(), e);
        }
    }

    private void writePng(BufferedImage image) {
        try {
            ImageIO.write(image, "png", out.toFile());
        } catch (IOException e) {
            throw new ExampleException("cannot write " + out + ": " + e.getMessage(), e);
        }
    }

    /** Accepts the strategy names in lower case, as the help shows them. */
    static final class StrategyConverter implements CommandLine.ITypeConverter<UnsafeStrategy> {
        @Override
        public UnsafeStrategy convert(String value) {
            try {
                return UnsafeStrategy.valueOf(value.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("'" + value + "': use block, reseed or amend");
            }
        }
    }

    /** black or blurred; NONE is left out because the example always writes a file. */
    static final class PlaceholderConverter implements CommandLine.ITypeConverter<PlaceholderStyle> {
        @Override
        public PlaceholderStyle convert(String value) {
            return switch (value.strip().toLowerCase(Locale.ROOT)) {
                case "black" -> PlaceholderStyle.BLACK;
                case "blurred" -> PlaceholderStyle.BLURRED;
                default -> throw new CommandLine.TypeConversionException("'" + value
                        + "': use black or blurred (a blocked run still writes --out)");
            };
        }
    }
}
