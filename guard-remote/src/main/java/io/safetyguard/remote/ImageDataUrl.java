package io.safetyguard.remote;

import io.safetyguard.core.image.DecodedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import javax.imageio.ImageIO;

/**
 * The image as a {@code data:image/png;base64,...} URL. The decoded RGB pixels are re-encoded as PNG
 * (lossless): the server sees exactly the pixels SafetyGuard decoded under its own limits, never the
 * caller's original bytes (design decision 4: untrusted bytes never reach a native image decoder, and
 * here neither a remote one).
 */
final class ImageDataUrl {

    private ImageDataUrl() {}

    static String of(DecodedImage image) {
        ByteArrayOutputStream png = new ByteArrayOutputStream(image.rgb().length / 2 + 1024);
        try {
            if (!ImageIO.write(image.toBufferedImage(), "png", png)) {
                throw new IllegalStateException("the JDK has no PNG writer");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + image + " as PNG", e);
        }
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png.toByteArray());
    }
}
