package io.safetyguard.examples.t2i;

import java.util.Objects;

/**
 * One text-to-image request in the fields of the Stable Diffusion WebUI API
 * ({@code POST /sdapi/v1/txt2img}). Immutable: the guard's regeneration makes changed copies.
 *
 * @param prompt         what to draw
 * @param negativePrompt what to avoid; empty for none
 * @param seed           sampling seed; -1 lets the server pick one
 * @param steps          sampling steps
 * @param width          image width in pixels
 * @param height         image height in pixels
 * @param cfgScale       classifier-free guidance scale
 * @param samplerName    sampler, e.g. "Euler a"; empty for the server's default
 */
public record Txt2ImgRequest(
        String prompt,
        String negativePrompt,
        long seed,
        int steps,
        int width,
        int height,
        double cfgScale,
        String samplerName) {

    /** The largest seed the WebUI accepts (its seeds are unsigned 32-bit, -1 meaning random). */
    public static final long MAX_SEED = 4_294_967_294L;

    public Txt2ImgRequest {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(negativePrompt, "negativePrompt");
        Objects.requireNonNull(samplerName, "samplerName");
        if (seed < -1 || seed > MAX_SEED) {
            throw new IllegalArgumentException("seed must be -1 (random) or 0.." + MAX_SEED + ", got " + seed);
        }
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be >= 1, got " + steps);
        }
        if (width < 8 || height < 8) {
            throw new IllegalArgumentException("width and height must be >= 8, got " + width + "x" + height);
        }
    }

    /** A request with the WebUI's usual defaults: random seed, 20 steps, 512x512, CFG 7, default sampler. */
    public static Txt2ImgRequest of(String prompt) {
        return new Txt2ImgRequest(prompt, "", -1, 20, 512, 512, 7.0, "");
    }

    /**
     * This request with another seed. Any long is accepted and folded into the WebUI's range, so a
     * random long from {@code GuardedGenerator}'s seed source always gives a valid request.
     */
    public Txt2ImgRequest withSeed(long newSeed) {
        long folded = newSeed >= 0 && newSeed <= MAX_SEED ? newSeed : Math.floorMod(newSeed, MAX_SEED + 1);
        return new Txt2ImgRequest(prompt, negativePrompt, folded, steps, width, height, cfgScale, samplerName);
    }

    public Txt2ImgRequest withNegativePrompt(String value) {
        return new Txt2ImgRequest(prompt, value, seed, steps, width, height, cfgScale, samplerName);
    }

    public Txt2ImgRequest withSize(int newWidth, int newHeight) {
        return new Txt2ImgRequest(prompt, negativePrompt, seed, steps, newWidth, newHeight, cfgScale, samplerName);
    }

    public Txt2ImgRequest withSteps(int value) {
        return new Txt2ImgRequest(prompt, negativePrompt, seed, value, width, height, cfgScale, samplerName);
    }
}
