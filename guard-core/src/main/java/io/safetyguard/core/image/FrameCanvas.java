package io.safetyguard.core.image;

import java.awt.AlphaComposite;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * The canvas an animation is drawn on, as a browser keeps it: transparent at the start, each frame
 * drawn at its offset, areas cleared or restored between frames. Drawing is clipped to the canvas.
 */
final class FrameCanvas {

    /** What happens to a frame's rectangle after the frame was shown. */
    enum Disposal {
        /** Leave the frame on the canvas. */
        KEEP,
        /** Clear its rectangle to transparent. */
        CLEAR,
        /** Put back the canvas as it was before the frame was drawn. */
        RESTORE_PREVIOUS
    }

    /** Where a frame goes on the canvas, how it is drawn and disposed of, and when it appears. */
    record Placement(int x, int y, int width, int height, boolean blend, Disposal disposal, long startMillis) {}

    /** An animation's frames as its format stores them: placements from the headers, pixels decoded on demand. */
    interface Frames {
        Placement placement(int index);

        /** Frame {@code index}'s own pixels, {@code placement(index).width() x height()}. */
        BufferedImage pixels(int index) throws ImageDecodingException;
    }

    private final BufferedImage image;

    FrameCanvas(int width, int height) {
        this.image = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
    }

    /**
     * Composes frames 0..{@code indices[last]} in order on a fresh canvas and returns the canvas as it is
     * after each frame at {@code indices} (sorted, distinct, in range) was drawn, before it is disposed of.
     */
    static List<AnimationFrame> compose(int width, int height, int[] indices, Frames frames)
            throws ImageDecodingException {
        int last = indices[indices.length - 1];
        FrameCanvas canvas = new FrameCanvas(width, height);
        List<AnimationFrame> out = new ArrayList<>(indices.length);
        int next = 0;
        for (int i = 0; i <= last; i++) {
            Placement p = frames.placement(i);
            BufferedImage pixels = frames.pixels(i);
            BufferedImage before = p.disposal() == Disposal.RESTORE_PREVIOUS ? canvas.snapshot() : null;
            canvas.draw(pixels, p.x(), p.y(), p.blend());
            if (indices[next] == i) {
                out.add(new AnimationFrame(i, p.startMillis(), canvas.snapshot()));
                next++;
            }
            if (p.disposal() == Disposal.CLEAR) {
                canvas.clear(p.x(), p.y(), p.width(), p.height());
            } else if (before != null) {
                canvas.restore(before);
            }
        }
        return out;
    }

    /**
     * Draws a frame with its top-left corner at (x, y).
     *
     * @param blend true: alpha-blend over what is there (source over); false: replace the
     *              rectangle, transparent pixels included
     */
    void draw(BufferedImage frame, int x, int y, boolean blend) {
        Graphics2D g = image.createGraphics();
        try {
            g.setComposite(blend ? AlphaComposite.SrcOver : AlphaComposite.Src);
            g.drawImage(frame, x, y, null);
        } finally {
            g.dispose();
        }
    }

    /** Makes a rectangle transparent ("dispose to background"). */
    void clear(int x, int y, int width, int height) {
        Graphics2D g = image.createGraphics();
        try {
            g.setComposite(AlphaComposite.Clear);
            g.fillRect(x, y, width, height);
        } finally {
            g.dispose();
        }
    }

    /** A copy of the canvas as it is now. */
    BufferedImage snapshot() {
        BufferedImage copy = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_ARGB);
        copy.setData(image.getRaster());
        return copy;
    }

    /** Puts back a {@link #snapshot()} ("restore to previous"). */
    void restore(BufferedImage snapshot) {
        image.setData(snapshot.getRaster());
    }
}
