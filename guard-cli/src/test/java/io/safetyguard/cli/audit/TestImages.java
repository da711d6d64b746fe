package io.safetyguard.cli.audit;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Small images written with ImageIO for tests. */
public final class TestImages {
    private TestImages() {}

    /** A {@code size}x{@code size} image of one colour, written as PNG or JPEG per {@code format}. */
    public static Path write(Path file, String format, int size, Color color) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, size, size);
        g.setColor(color.darker());
        g.fillOval(size / 4, size / 4, size / 2, size / 2);
        g.dispose();
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (!ImageIO.write(img, format, file.toFile())) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** A PNG of a colour picked from {@code seed}, so different seeds give different digests. */
    public static Path png(Path file, int seed) {
        return write(file, "png", 24, new Color(Color.HSBtoRGB((seed * 0.137f) % 1f, 0.7f, 0.9f)));
    }
}
