package io.safetyguard.cli;

import io.safetyguard.core.reaction.PlaceholderStyle;
import io.safetyguard.examples.ExampleException;
import io.safetyguard.examples.t2i.SdWebUiClient;
import io.safetyguard.examples.t2i.Txt2ImgExample;
import io.safetyguard.examples.t2i.Txt2ImgRequest;
import io.safetyguard.examples.t2i.UnsafeStrategy;
import io.safetyguard.policy.Policy;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code guard example t2i}: {@link Txt2ImgExample} with every setting as a flag. */
@Command(
        name = "t2i",
        mixinStandardHelpOptions = true,
        description = {
            "Generate an image with a local Stable Diffusion WebUI (--api) and let it through only with a Safe verdict.",
            "Unsafe images are blocked or regenerated (--on-unsafe); the result or a placeholder is written to --out.",
            "Exit code 0: an image was allowed; 3: it was blocked; 1: the WebUI failed; 2: bad input."
        })
final class ExampleT2iCommand implements Callable<Integer> {

    @Mixin
    ModelOptions modelOptions = new ModelOptions();

    @Mixin
    PolicyOptions policyOptions = new PolicyOptions();

    @Mixin
    DecodingOptions decoding = new DecodingOptions();

    @Option(
            names = "--url",
            paramLabel = "URL",
            defaultValue = "http://127.0.0.1:7860",
            description = "The WebUI's address (started with --api). Default: ${DEFAULT-VALUE}.")
    URI url;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "What to draw.")
    String prompt;

    @Option(names = "--negative-prompt", paramLabel = "TEXT", defaultValue = "", description = "What to avoid.")
    String negativePrompt;

    // Not --seed: that is the guard model's sampling seed in every command.
    @Option(
            names = "--image-seed",
            paramLabel = "N",
            defaultValue = "-1",
            description = "Seed of the first image generation; -1 = random.")
    long imageSeed;

    @Option(
            names = "--steps",
            paramLabel = "N",
            defaultValue = "20",
            description = "Sampling steps. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--width", paramLabel = "PX", defaultValue = "512", description = "Default: ${DEFAULT-VALUE}.")
    int width;

    @Option(names = "--height", paramLabel = "PX", defaultValue = "512", description = "Default: ${DEFAULT-VALUE}.")
    int height;

    @Option(
            names = "--on-unsafe",
            paramLabel = "block|reseed|amend",
            defaultValue = "amend",
            converter = StrategyConverter.class,
            description =
                    "block: placeholder at once; reseed: new seed; amend: add the category's words to the negative prompt "
                            + "and reseed. Default: ${DEFAULT-VALUE}.")
    UnsafeStrategy strategy;

    @Option(
            names = "--max-attempts",
            paramLabel = "N",
            defaultValue = "3",
            description = "Generations in all before giving up and blocking (reseed/amend). Default: ${DEFAULT-VALUE}.")
    int maxAttempts;

    @Option(
            names = "--placeholder",
            paramLabel = "black|blurred",
            defaultValue = "black",
            converter = PlaceholderConverter.class,
            description = "What a blocked image is replaced with. Default: ${DEFAULT-VALUE}.")
    PlaceholderStyle placeholder;

    @Option(
            names = "--http-timeout",
            paramLabel = "SECONDS",
            defaultValue = "300",
            description = "How long one generation may take. Default: ${DEFAULT-VALUE}.")
    long httpTimeoutSeconds;

    @Option(
            names = "--out",
            paramLabel = "FILE.png",
            defaultValue = "guarded.png",
            description = "Where to write the image (PNG). Default: ${DEFAULT-VALUE}.")
    Path out;

    @Override
    public Integer call() {
        Txt2ImgRequest request = new Txt2ImgRequest(prompt, negativePrompt, imageSeed, steps, width, height, 7.0, "");
        SdWebUiClient client;
        try {
            client = new SdWebUiClient(
                    url, SdWebUiClient.DEFAULT_CONNECT_TIMEOUT, Duration.ofSeconds(httpTimeoutSeconds));
        } catch (IllegalArgumentException e) {
            throw ExampleException.badInput("--url / --http-timeout: " + e.getMessage(), e);
        }
        Txt2ImgExample.checkOutput(out);
        Policy policy = policyOptions.resolve();
        client.checkReachable(); // before the model load, which can take a while for a real model
        try (GuardSession session = GuardSession.open(modelOptions, decoding, policy, System.err)) {
            Txt2ImgExample t2i = new Txt2ImgExample(session.guard(), client, strategy, maxAttempts, placeholder);
            Txt2ImgExample.Outcome outcome = t2i.generate(request, out, attempt -> {
                System.out.println(Txt2ImgExample.describe(attempt));
                System.out.flush();
            });
            if (outcome.allowed()) {
                System.out.println("allowed after " + outcome.attempts() + " attempt(s): wrote " + out);
                return ExitCodes.OK;
            }
            System.out.println("blocked after " + outcome.attempts() + " attempt(s): wrote a "
                    + placeholder.name().toLowerCase(Locale.ROOT) + " placeholder to " + out);
            return ExitCodes.UNSAFE;
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
                default ->
                    throw new CommandLine.TypeConversionException(
                            "'" + value + "': use black or blurred (a blocked run still writes --out)");
            };
        }
    }
}
