package io.safetyguard.core.image;

import java.awt.AlphaComposite;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;

/**
 * The canvas an animation is drawn on, as a browser keeps it: transparent at the start, each frame
 * drawn at its offset, areas cleared or restored between frames. Drawing is clipped to the canvas.
 */
final class FrameCanvas {
    private final BufferedImage image;

    FrameCanvas(int width, int height) {
        this.image = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
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
