package io.safetyguard.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.safetyguard.core.image.DecodedImage;
import io.safetyguard.core.image.ImageDecodingException;
import io.safetyguard.core.image.ImageLimits;
import io.safetyguard.core.image.TestImages;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageInputTest {

    @Test
    void bytesAreCopiedAtCreation() throws Exception {
        byte[] png = TestImages.pngOfColour(0x010203);
        ImageInput input = ImageInput.ofBytes(png, "a.png");
        String before = input.decode(ImageLimits.DEFAULT).sha256();
        png[png.length - 1] ^= 0x55;
        assertThat(input.decode(ImageLimits.DEFAULT).sha256()).isEqualTo(before);
        assertThat(input.name()).isEqualTo("a.png");
        assertThat(ImageInput.ofBytes(png).name()).isEqualTo("bytes");
    }

    @Test
    void pathIsReadWhenAssessedNotWhenCreated(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("later.png");
        ImageInput input = ImageInput.ofPath(file);
        assertThat(input.name()).isEqualTo(file.toString());
        Files.write(file, TestImages.pngOfColour(0x0000FF));
        DecodedImage d = input.decode(ImageLimits.DEFAULT);
        assertThat(d.rgb()).startsWith((byte) 0, (byte) 0, (byte) 0xFF);
        assertThat(d.source()).isEqualTo(file.toString());
    }

    @Test
    void streamIsReadOnceAndReusedAndNotClosed() throws Exception {
        AtomicInteger closes = new AtomicInteger();
        InputStream stream = new ByteArrayInputStream(TestImages.pngOfColour(0x00FF00)) {
            @Override
            public void close() throws IOException {
                closes.incrementAndGet();
                super.close();
            }
        };
        FakeSafetyModel model = new FakeSafetyModel();
        try (SafetyGuard guard =
                SafetyGuard.builder().model(model).cache(CacheConfig.disabled()).build()) {
            ImageInput input = ImageInput.ofStream(stream, "upload-1");
            assertThat(guard.assess(input).source()).isEqualTo(VerdictSource.MODEL);
            assertThat(guard.assess(input).source())
                    .as("second use of the same stream input")
                    .isEqualTo(VerdictSource.MODEL);
            assertThat(model.calls()).isEqualTo(2);
        }
        assertThat(closes).hasValue(0);
    }

    @Test
    void streamOverTheGuardsByteLimitIsRejected() {
        FakeSafetyModel model = new FakeSafetyModel();
        try (SafetyGuard guard = SafetyGuard.builder()
                .model(model)
                .imageLimits(ImageLimits.DEFAULT.withMaxBytes(64))
                .build()) {
            InputStream endless = new InputStream() {
                @Override
                public int read() {
                    return 7;
                }
            };
            Verdict v = guard.assess(ImageInput.ofStream(endless, "socket"));
            assertThat(v.failureKind()).contains(FailureKind.IMAGE_REJECTED);
            assertThat(v.failureReason())
                    .contains(
                            "socket: input too large: more than 64 bytes, limit is 64 bytes (raise ImageLimits.maxBytes to accept it)");
        }
    }

    @Test
    void bufferedImageIsCheckedAgainstTheLimits() {
        ImageInput input = ImageInput.ofImage(TestImages.solid(20, 10, 0));
        assertThatThrownBy(() -> input.decode(ImageLimits.DEFAULT.withMaxDimensions(10, 10)))
                .isInstanceOf(ImageDecodingException.class)
                .hasMessageStartingWith("BufferedImage: image is 20x10");
    }

    @Test
    void nullsAreRefusedAtCreation() {
        assertThatThrownBy(() -> ImageInput.ofBytes(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ImageInput.ofPath(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ImageInput.ofStream(null, "s")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ImageInput.ofImage(null)).isInstanceOf(NullPointerException.class);
    }
}
