package io.safetyguard.spark;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * A folder of test images: {@code unique} small random PNGs, {@code duplicates} byte-identical copies
 * under other names, corrupt files (a cut-off PNG, random bytes named .jpg) and a decompression bomb
 * (a valid 9000x9000 PNG of a few KiB that decodes past the guard's pixel limit).
 */
public record TestImages(Path dir, List<Path> unique, List<Path> duplicates, List<Path> corrupt, Path bomb) {

    public static TestImages write(Path dir, int unique, int duplicates, long seed) throws IOException {
        Files.createDirectories(dir);
        Random random = new Random(seed);
        List<Path> originals = new ArrayList<>();
        for (int i = 0; i < unique; i++) {
            BufferedImage img =
                    new BufferedImage(8 + random.nextInt(24), 8 + random.nextInt(24), BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    img.setRGB(x, y, random.nextInt(1 << 24));
                }
            }
            Path p = dir.resolve(String.format("img-%03d.png", i));
            ImageIO.write(img, "png", p.toFile());
            originals.add(p);
        }
        List<Path> dups = new ArrayList<>();
        for (int i = 0; i < duplicates; i++) {
            Path p = dir.resolve(String.format("sub/dup-%03d.png", i));
            Files.createDirectories(p.getParent());
            Files.copy(originals.get((i * 7) % unique), p);
            dups.add(p);
        }
        List<Path> corrupt = new ArrayList<>();
        byte[] png = Files.readAllBytes(originals.get(0));
        Path cut = dir.resolve("corrupt-cut.png");
        Files.write(cut, java.util.Arrays.copyOf(png, png.length / 2));
        corrupt.add(cut);
        byte[] noise = new byte[4096];
        random.nextBytes(noise);
        Path junk = dir.resolve("corrupt-noise.jpg");
        Files.write(junk, noise);
        corrupt.add(junk);
        Path bomb = dir.resolve("bomb.png");
        ImageIO.write(new BufferedImage(9000, 9000, BufferedImage.TYPE_BYTE_BINARY), "png", bomb.toFile());
        Files.writeString(dir.resolve("notes.txt"), "not an image: the job skips it\n");
        return new TestImages(dir, originals, dups, corrupt, bomb);
    }

    /** Every image file (not notes.txt). */
    public List<Path> all() {
        List<Path> all = new ArrayList<>(unique);
        all.addAll(duplicates);
        all.addAll(corrupt);
        all.add(bomb);
        return all;
    }
}
