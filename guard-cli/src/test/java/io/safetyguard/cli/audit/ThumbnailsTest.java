package io.safetyguard.cli.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.core.ImageInput;
import io.safetyguard.core.image.DecodedImage;
import io.safetyguard.core.image.ImageLimits;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ThumbnailsTest {
    @TempDir
    Path dir;

    @Test
    void downscalesToAtMost160PixelsByAveraging() throws Exception {
        // 400x200, left half black, right half white: the thumbnail keeps the aspect and the halves.
        BufferedImage img = new BufferedImage(400, 200, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 200; y++) {
            for (int x = 200; x < 400; x++) {
                img.setRGB(x, y, 0xFFFFFF);
            }
        }
        Path file = dir.resolve("half.png");
        ImageIO.write(img, "png", file.toFile());
        DecodedImage decoded = ImageInput.ofPath(file).decode(ImageLimits.DEFAULT);

        BufferedImage small = Thumbnails.downscale(decoded, 160);
        assertThat(small.getWidth()).isEqualTo(160);
        assertThat(small.getHeight()).isEqualTo(80);
        assertThat(small.getRGB(10, 40) & 0xFFFFFF).isEqualTo(0x000000);
        assertThat(small.getRGB(150, 40) & 0xFFFFFF).isEqualTo(0xFFFFFF);
        assertThat(small.getRGB(80, 40) & 0xFF).isBetween(0, 255); // the boundary column is a mix or one side

        String uri = Thumbnails.jpegDataUri(decoded, 160);
        assertThat(uri).startsWith("data:image/jpeg;base64,");
        BufferedImage back =
                ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(uri.substring(uri.indexOf(',') + 1))));
        assertThat(back.getWidth()).isEqualTo(160);
        assertThat(back.getHeight()).isEqualTo(80);
    }

    @Test
    void neverUpscales() throws Exception {
        Path file = TestImages.write(dir.resolve("small.png"), "png", 24, Color.BLUE);
        BufferedImage small = Thumbnails.downscale(ImageInput.ofPath(file).decode(ImageLimits.DEFAULT), 160);
        assertThat(small.getWidth()).isEqualTo(24);
    }

    @Test
    void recordsForChangedOrMissingFilesGetNoPreview() throws Exception {
        Path file = TestImages.png(dir.resolve("x.png"), 1);
        String digest = ImageInput.ofPath(file).decode(ImageLimits.DEFAULT).sha256();
        VerdictRecord r = new VerdictRecord(file.toString(), digest, "Unsafe", "O1: x", "r", null, 1, null, "p");
        assertThat(Thumbnails.forRecord(r).dataUri()).startsWith("data:image/jpeg;base64,");

        VerdictRecord changed =
                new VerdictRecord(file.toString(), "0".repeat(64), "Unsafe", "O1: x", "r", null, 1, null, "p");
        assertThat(Thumbnails.forRecord(changed).problem()).contains("changed");

        Files.delete(file);
        assertThat(Thumbnails.forRecord(r).dataUri()).isNull();
        assertThat(Thumbnails.forRecord(r).problem()).startsWith("no preview");
    }
}
