package io.safetyguard.examples.t2i;

import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * What the WebUI returned for one request: the decoded image bytes and the seed it used.
 *
 * @param images the images, as encoded bytes (PNG from the WebUI), at least one
 * @param seed   the seed the server actually used, read from its {@code info}; empty when it did not say
 */
public record Txt2ImgResponse(List<byte[]> images, OptionalLong seed) {
    public Txt2ImgResponse {
        images = List.copyOf(images);
        Objects.requireNonNull(seed, "seed");
        if (images.isEmpty()) {
            throw new IllegalArgumentException("a response carries at least one image");
        }
    }

    /** The first image: the one a single-image request asked for. */
    public byte[] firstImage() {
        return images.get(0);
    }
}
