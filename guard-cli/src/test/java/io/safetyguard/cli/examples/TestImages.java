package io.safetyguard.cli.examples;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;
import javax.imageio.ImageIO;

/** Small generated images, different for every seed, encoded like a generator would. */
public final class TestImages {
    private TestImages() {}

    /** A {@code w}x{@code h} picture whose colours and shapes depend on {@code seed}. */
    public static BufferedImage picture(int w, int h, long seed) {
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(r.nextInt(0x1000000)));
        g.fillRect(0, 0, w, h);
        for (int i = 0; i < 6; i++) {
            g.setColor(new Color(r.nextInt(0x1000000)));
            g.fillOval(r.nextInt(w), r.nextInt(h), 4 + r.nextInt(w / 2 + 1), 4 + r.nextInt(h / 2 + 1));
        }
        g.dispose();
        return img;
    }

    public static byte[] png(int w, int h, long seed) {
        return encode(picture(w, h, seed), "png");
    }

    public static byte[] encode(BufferedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
