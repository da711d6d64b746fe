package io.safetyguard.examples.t2i;

import io.safetyguard.core.ImageInput;
import io.safetyguard.core.SafetyGuard;
import io.safetyguard.core.Verdict;
import io.safetyguard.core.image.ImageDecodingException;
import io.safetyguard.core.reaction.Attempt;
import io.safetyguard.core.reaction.GuardedGenerator;
import io.safetyguard.core.reaction.GuardedResult;
import io.safetyguard.core.reaction.PlaceholderStyle;
import io.safetyguard.examples.ExampleException;
import io.safetyguard.examples.ExampleGuards;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;
import javax.imageio.ImageIO;

/**
 * Example 1: a text-to-image generator behind a guard. Sends a prompt to a local Stable Diffusion
 * WebUI ({@code POST /sdapi/v1/txt2img}), checks each image with SafetyGuard in-process, and on an
 * Unsafe verdict blocks, regenerates with a new seed, or regenerates with an amended negative
 * prompt. Writes the allowed image, or the placeholder, as a PNG.
 *
 * <pre>{@code
 * try (SafetyGuard guard = ExampleGuards.open(model, mmproj, 1)) {
 *     Txt2ImgExample t2i = new Txt2ImgExample(guard, new SdWebUiClient(url), UnsafeStrategy.AMEND, 3, PlaceholderStyle.BLACK);
 *     Txt2ImgExample.Outcome outcome = t2i.generate(Txt2ImgRequest.of("a lighthouse"), Path.of("out.png"), attempt -> {});
 * }
 * }</pre>
 */
public final class Txt2ImgExample {

    /**
     * What {@link #generate} did.
     *
     * @param allowed  an image was let through (else a placeholder was written)
     * @param attempts generations made
     * @param file     the PNG written
     */
    public record Outcome(boolean allowed, int attempts, Path file) {}

    private final SafetyGuard guard;
    private final SdWebUiClient client;
    private final UnsafeStrategy strategy;
    private final int maxAttempts;
    private final PlaceholderStyle placeholder;

    /**
     * @param maxAttempts generations in all before blocking (RESEED and AMEND)
     * @param placeholder what a blocked image becomes; not {@link PlaceholderStyle#NONE}, a file is always written
     */
    public Txt2ImgExample(
            SafetyGuard guard,
            SdWebUiClient client,
            UnsafeStrategy strategy,
            int maxAttempts,
            PlaceholderStyle placeholder) {
        this.guard = Objects.requireNonNull(guard, "guard");
        this.client = Objects.requireNonNull(client, "client");
        this.strategy = Objects.requireNonNull(strategy, "strategy");
        if (maxAttempts < 1) {
            throw ExampleException.badInput("the attempt limit must be at least 1, got " + maxAttempts);
        }
        if (placeholder == PlaceholderStyle.NONE) {
            throw ExampleException.badInput("use a black or blurred placeholder: a blocked run still writes a file");
        }
        this.maxAttempts = maxAttempts;
        this.placeholder = Objects.requireNonNull(placeholder, "placeholder");
    }

    /**
     * Generates, checks and writes the result to {@code out}; {@code onAttempt} sees every
     * generation with its verdict, as it happens.
     *
     * @throws ExampleException when the WebUI fails (see {@link SdWebUiException}) or {@code out} cannot be written
     */
    public Outcome generate(Txt2ImgRequest request, Path out, Consumer<Attempt<Txt2ImgRequest>> onAttempt) {
        checkOutput(out);
        GuardedGenerator<Txt2ImgRequest> generator = strategy.configure(
                        GuardedGenerator.builder(guard, client), maxAttempts)
                .placeholder(placeholder)
                .listener(onAttempt::accept)
                .build();
        GuardedResult<Txt2ImgRequest> result = generator.generate(request);
        int attempts = result.attempts().size();
        if (result.allowed()) {
            writePng(toImage(result.image().orElseThrow()), out);
            return new Outcome(true, attempts, out);
        }
        writePng(result.placeholder().orElseThrow(), out); // black or blurred: never NONE here
        return new Outcome(false, attempts, out);
    }

    /** Fails before any generation when the folder of {@code out} is missing. */
    public static void checkOutput(Path out) {
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw ExampleException.badInput("cannot write " + out + ": folder " + parent + " does not exist");
        }
    }

    /** One line describing an attempt: number, image, rating, category, and the negative prompt used. */
    public static String describe(Attempt<Txt2ImgRequest> attempt) {
        Verdict v = attempt.verdict();
        StringBuilder line = new StringBuilder("attempt ")
                .append(attempt.number())
                .append(": ")
                .append(attempt.image().name())
                .append(" -> ")
                .append(v.rating().label());
        v.categoryLabel().ifPresent(c -> line.append(" (").append(c).append(')'));
        v.failureReason().ifPresent(r -> line.append(" [no verdict: ").append(r).append(']'));
        if (!attempt.request().negativePrompt().isEmpty()) {
            line.append(" negative_prompt=\"")
                    .append(attempt.request().negativePrompt())
                    .append('"');
        }
        return line.toString();
    }

    /**
     * The allowed image as pixels. It is re-encoded rather than copied byte for byte because
     * {@link ImageInput} keeps its bytes private; decoding under the guard's limits is what the
     * guard already did to assess it, so this cannot fail for an allowed image in practice.
     */
    private BufferedImage toImage(ImageInput image) {
        try {
            return image.decode(guard.imageLimits()).toBufferedImage();
        } catch (ImageDecodingException e) {
            throw new ExampleException("cannot decode the allowed image " + image.name() + ": " + e.getMessage(), e);
        }
    }

    private static void writePng(BufferedImage image, Path out) {
        try {
            ImageIO.write(image, "png", out.toFile());
        } catch (IOException e) {
            throw new ExampleException("cannot write " + out + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@code Txt2ImgExample MODEL.gguf MMPROJ.gguf "PROMPT" [OUT.png [WEBUI_URL]]}: one guarded
     * generation with the AMEND strategy, 3 attempts and a black placeholder. Exits 0 when an image
     * was allowed, 3 when it was blocked, 2 for bad input, 1 when the WebUI failed. The {@code guard
     * example t2i} command offers every setting as a flag.
     */
    public static void main(String[] args) {
        if (args.length < 3 || args.length > 5) {
            System.err.println("usage: Txt2ImgExample MODEL.gguf MMPROJ.gguf PROMPT [OUT.png [WEBUI_URL]]");
            System.exit(2);
        }
        Path out = Path.of(args.length > 3 ? args[3] : "guarded.png");
        URI url = URI.create(args.length > 4 ? args[4] : "http://127.0.0.1:7860");
        try {
            SdWebUiClient client = new SdWebUiClient(url);
            checkOutput(out);
            client.checkReachable(); // before the model load, which takes a while for a real model
            try (SafetyGuard guard = ExampleGuards.open(Path.of(args[0]), Path.of(args[1]), 1)) {
                Outcome outcome = new Txt2ImgExample(guard, client, UnsafeStrategy.AMEND, 3, PlaceholderStyle.BLACK)
                        .generate(Txt2ImgRequest.of(args[2]), out, a -> System.out.println(describe(a)));
                System.out.println((outcome.allowed() ? "allowed" : "blocked") + " after " + outcome.attempts()
                        + " attempt(s): wrote " + outcome.file());
                System.exit(outcome.allowed() ? 0 : 3);
            }
        } catch (ExampleException e) {
            ExampleGuards.exitWith("Txt2ImgExample", e);
        } catch (IllegalArgumentException e) {
            ExampleGuards.exitWith("Txt2ImgExample", ExampleException.badInput(e.getMessage(), e));
        }
    }
}
