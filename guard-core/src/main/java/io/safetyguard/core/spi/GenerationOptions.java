package io.safetyguard.core.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * Sampling and limits for one evaluation. Defaults are the LlavaGuard authors' serving settings:
 * temperature 0.2, top_p 0.95, top_k 50, up to 500 new tokens.
 *
 * @param temperature  sampling temperature; ignored when {@code greedy}
 * @param topP         nucleus sampling mass
 * @param topK         top-k cut-off
 * @param maxNewTokens cap on generated tokens
 * @param seed         sampler seed (sampling is reproducible for a given seed)
 * @param greedy       deterministic argmax decoding
 * @param verdictOnly  stop after the category field; no rationale
 * @param timeout      wall-clock limit for one evaluation; {@link Duration#ZERO} for none
 */
public record GenerationOptions(
        double temperature,
        double topP,
        int topK,
        int maxNewTokens,
        long seed,
        boolean greedy,
        boolean verdictOnly,
        Duration timeout) {

    public static final GenerationOptions DEFAULT =
            new GenerationOptions(0.2, 0.95, 50, 500, 0x5AFE6A2DL, false, false, Duration.ZERO);

    public GenerationOptions {
        Objects.requireNonNull(timeout, "timeout");
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be >= 0 (0 = off), got " + topK);
        }
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens must be >= 1, got " + maxNewTokens);
        }
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative, got " + timeout);
        }
    }

    public GenerationOptions withGreedy(boolean value) {
        return new GenerationOptions(temperature, topP, topK, maxNewTokens, seed, value, verdictOnly, timeout);
    }

    public GenerationOptions withVerdictOnly(boolean value) {
        return new GenerationOptions(temperature, topP, topK, maxNewTokens, seed, greedy, value, timeout);
    }

    public GenerationOptions withSeed(long value) {
        return new GenerationOptions(temperature, topP, topK, maxNewTokens, value, greedy, verdictOnly, timeout);
    }

    public GenerationOptions withMaxNewTokens(int value) {
        return new GenerationOptions(temperature, topP, topK, value, seed, greedy, verdictOnly, timeout);
    }

    public GenerationOptions withTimeout(Duration value) {
        return new GenerationOptions(temperature, topP, topK, maxNewTokens, seed, greedy, verdictOnly, value);
    }

    /**
     * The part of the options that changes the model's answer, as a stable string for cache keys.
     * The timeout is left out: it decides whether an answer comes, not which one.
     */
    public String cacheKeyPart() {
        return greedy
                ? "greedy;max=" + maxNewTokens + ";vo=" + verdictOnly
                : "t=" + temperature + ";p=" + topP + ";k=" + topK + ";max=" + maxNewTokens + ";seed=" + seed + ";vo="
                        + verdictOnly;
    }
}
