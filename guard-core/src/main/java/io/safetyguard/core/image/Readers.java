package io.safetyguard.core.image;

import com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi;
import com.twelvemonkeys.imageio.plugins.webp.WebPImageReaderSpi;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;

/**
 * Creates the ImageIO reader for a format. JPEG and WebP must use the TwelveMonkeys readers (the
 * JDK cannot decode WebP, nor convert CMYK/YCCK JPEG to RGB). ImageIO finds plugins by scanning the
 * class path once, with the context class loader of whichever thread touched it first; in
 * containers and shaded jars that scan can miss them. So the providers are looked up by class and
 * registered by hand when the scan missed them, instead of trusting whatever ImageIO offers first.
 */
final class Readers {

    private Readers() {}

    static ImageReader create(ImageFormat format) throws java.io.IOException {
        return switch (format) {
            case JPEG ->
                provider(JPEGImageReaderSpi.class, JPEGImageReaderSpi::new).createReaderInstance(null);
            case WEBP ->
                provider(WebPImageReaderSpi.class, WebPImageReaderSpi::new).createReaderInstance(null);
            case PNG -> jdkReader("png");
            case GIF -> jdkReader("gif");
            case BMP -> jdkReader("bmp");
            default -> throw new IllegalArgumentException("no reader for " + format);
        };
    }

    private static <T extends ImageReaderSpi> T provider(Class<T> type, java.util.function.Supplier<T> factory) {
        IIORegistry registry = IIORegistry.getDefaultInstance();
        T spi = registry.getServiceProviderByClass(type);
        if (spi == null) {
            // Registering runs the provider's onRegistration, which the TwelveMonkeys JPEG reader
            // needs to find the JDK reader it delegates baseline decoding to.
            registry.registerServiceProvider(factory.get());
            spi = registry.getServiceProviderByClass(type);
        }
        if (spi == null) {
            throw new IllegalStateException("could not register ImageIO provider " + type.getName());
        }
        return spi;
    }

    /** The JDK's own reader: always registered, and the reference for PNG, GIF and BMP here. */
    private static ImageReader jdkReader(String formatName) {
        ImageReader fallback = null;
        for (Iterator<ImageReader> it = ImageIO.getImageReadersByFormatName(formatName); it.hasNext(); ) {
            ImageReader reader = it.next();
            if (reader.getClass().getName().startsWith("com.sun.imageio.plugins.")) {
                if (fallback != null) {
                    fallback.dispose();
                }
                return reader;
            }
            if (fallback == null) {
                fallback = reader;
            } else {
                reader.dispose();
            }
        }
        if (fallback == null) {
            throw new IllegalStateException("this JRE has no ImageIO reader for " + formatName);
        }
        return fallback;
    }
}
