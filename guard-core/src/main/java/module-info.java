/**
 * The SafetyGuard API ({@code io.safetyguard.core}), the backend SPI ({@code .spi}), image decoding
 * ({@code .image}), judging animations and clips frame by frame ({@code .frames}) and reactions to unsafe generated images ({@code .reaction}).
 */
module io.safetyguard.core {
    requires transitive io.safetyguard.policy;
    // BufferedImage appears in the image API
    requires transitive java.desktop;
    // XMP metadata is parsed and written with the JDK's DOM
    requires java.xml;
    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.databind;
    requires com.github.benmanes.caffeine;
    // ImageIO readers for CMYK JPEG and WebP (automatic modules); Readers registers them by class,
    // so they work whether or not ImageIO's service lookup found them.
    requires com.twelvemonkeys.imageio.jpeg;
    requires com.twelvemonkeys.imageio.webp;

    exports io.safetyguard.core;
    exports io.safetyguard.core.frames;
    exports io.safetyguard.core.image;
    exports io.safetyguard.core.metadata;
    exports io.safetyguard.core.reaction;
    exports io.safetyguard.core.spi;
}
