package io.safetyguard.core.reaction;

import io.safetyguard.core.ImageInput;
import io.safetyguard.core.Verdict;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of {@link GuardedGenerator#generate}: an allowed image, a flagged image (Unsafe but
 * released under {@link UnsafeReaction#FLAG}), or a block with an optional placeholder; and every
 * attempt that led there.
 *
 * @param <R> the host's request type
 */
public final class GuardedResult<R> {

    private final boolean allowed;
    private final boolean flagged;
    private final ImageInput image;
    private final BufferedImage placeholder;
    private final List<Attempt<R>> attempts;

    GuardedResult(boolean allowed, ImageInput image, BufferedImage placeholder, List<Attempt<R>> attempts) {
        this(allowed, false, image, placeholder, attempts);
    }

    /** A result that releases {@code image} although it was rated Unsafe. */
    static <R> GuardedResult<R> flagged(ImageInput image, List<Attempt<R>> attempts) {
        return new GuardedResult<>(false, true, image, null, attempts);
    }

    private GuardedResult(
            boolean allowed, boolean flagged, ImageInput image, BufferedImage placeholder, List<Attempt<R>> attempts) {
        if (attempts.isEmpty()) {
            throw new IllegalArgumentException("a result needs at least one attempt");
        }
        this.allowed = allowed;
        this.flagged = flagged;
        this.image = image;
        this.placeholder = placeholder;
        this.attempts = List.copyOf(attempts);
    }

    /** True when the last attempt's image passed. */
    public boolean allowed() {
        return allowed;
    }

    /** True when every attempt was Unsafe (or the reaction was BLOCK), so no image is released. */
    public boolean blocked() {
        return !allowed && !flagged;
    }

    /**
     * True when the image was rated Unsafe and released anyway, under {@link UnsafeReaction#FLAG}:
     * {@link #image()} holds it and {@link #verdict()} says why it is flagged.
     */
    public boolean flagged() {
        return flagged;
    }

    /** The allowed or flagged image, exactly as the generator returned it; empty when blocked. */
    public Optional<ImageInput> image() {
        return Optional.ofNullable(allowed || flagged ? image : null);
    }

    /** The placeholder to show instead of a blocked image; empty when allowed or with {@link PlaceholderStyle#NONE}. */
    public Optional<BufferedImage> placeholder() {
        return Optional.ofNullable(placeholder);
    }

    /** The last attempt's verdict, which decided the outcome. */
    public Verdict verdict() {
        return attempts.get(attempts.size() - 1).verdict();
    }

    /** The request of the last attempt (after any reseeding and amending). */
    public R request() {
        return attempts.get(attempts.size() - 1).request();
    }

    /** Every attempt, in order. */
    public List<Attempt<R>> attempts() {
        return attempts;
    }

    @Override
    public String toString() {
        return "GuardedResult[" + (allowed ? "allowed" : flagged ? "flagged" : "blocked") + ", attempts="
                + attempts.size() + ", verdict=" + verdict() + "]";
    }
}
