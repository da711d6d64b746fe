package io.safetyguard.core.frames;

import java.util.Locale;

/**
 * When a clip is Unsafe, from its judged frames: {@link #any()} unsafe frame, {@link #atLeast(int)}
 * k unsafe frames, or a {@link #share(double)} of the judged frames. Frames that could not be judged
 * are not counted here; {@link FramesVerdict} decides about them (fail-closed by default).
 *
 * <p>With {@code atLeast(k)}, a clip of fewer than k judged frames is Unsafe when all of them are:
 * otherwise a two-frame GIF could never be flagged under {@code k:3}.
 */
public final class FrameRule {

    private enum Kind {
        AT_LEAST,
        SHARE
    }

    private final Kind kind;
    private final int frames;
    private final double share;

    private FrameRule(Kind kind, int frames, double share) {
        this.kind = kind;
        this.frames = frames;
        this.share = share;
    }

    /** Unsafe when any judged frame is Unsafe. The default: one bad frame is enough. */
    public static FrameRule any() {
        return new FrameRule(Kind.AT_LEAST, 1, Double.NaN);
    }

    /** Unsafe when at least {@code k} judged frames are Unsafe (or all, when fewer than k were judged). */
    public static FrameRule atLeast(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("the frame rule's k must be >= 1, got " + k);
        }
        return new FrameRule(Kind.AT_LEAST, k, Double.NaN);
    }

    /** Unsafe when the Unsafe frames are at least {@code s} of the judged frames, {@code 0 < s <= 1}. */
    public static FrameRule share(double s) {
        if (!(s > 0 && s <= 1)) {
            throw new IllegalArgumentException("the frame rule's share must be in (0, 1], got " + s);
        }
        return new FrameRule(Kind.SHARE, 0, s);
    }

    /**
     * Parses the command-line form: {@code any}, {@code k:3}, {@code share:0.2}.
     *
     * @throws IllegalArgumentException with the accepted forms, when the text is none of them
     */
    public static FrameRule parse(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (t.equals("any")) {
                return any();
            }
            if (t.startsWith("k:")) {
                return atLeast(Integer.parseInt(t.substring(2).strip()));
            }
            if (t.startsWith("share:")) {
                return share(Double.parseDouble(t.substring(6).strip()));
            }
        } catch (NumberFormatException e) {
            // reported below with the accepted forms
        }
        throw new IllegalArgumentException(
                "unknown frame rule '" + text + "': use any, k:N (at least N unsafe frames) or share:S (0 < S <= 1)");
    }

    /** True when {@code unsafe} Unsafe frames out of {@code judged} make the clip Unsafe. */
    public boolean isUnsafe(int unsafe, int judged) {
        if (unsafe < 0 || judged < unsafe) {
            throw new IllegalArgumentException("need 0 <= unsafe <= judged, got " + unsafe + " of " + judged);
        }
        if (unsafe == 0) {
            return false;
        }
        return switch (kind) {
            case AT_LEAST -> unsafe >= Math.min(frames, judged);
            // the tolerance keeps 3 of 10 at share:0.3 (0.3 * 10 is 3.0000000000000004 in binary)
            case SHARE -> unsafe >= share * judged - 1e-9;
        };
    }

    /** The command-line form, which {@link #parse(String)} reads back. */
    @Override
    public String toString() {
        if (kind == Kind.SHARE) {
            return "share:" + share;
        }
        return frames == 1 ? "any" : "k:" + frames;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FrameRule r && r.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }
}
