package io.safetyguard.core.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of {@link ImageDecoder} with Jazzer. Any bytes must either decode into a
 * consistent image within the limits or be rejected with an {@link ImageDecodingException}; any
 * other exception, an {@link OutOfMemoryError}, a {@link StackOverflowError} or an input that runs
 * past the timeout is a finding.
 *
 * <p>A plain {@code mvn test} runs only the committed seeds in {@code
 * src/test/resources/io/safetyguard/core/image/ImageDecoderFuzzTestInputs/decode/} (regression
 * mode). To fuzz, see docs/reliability.md.
 */
class ImageDecoderFuzzTest {

    /** Small limits, so every accepted image is cheap and a bomb is an over-the-limit header. */
    static final ImageLimits LIMITS = new ImageLimits(4L << 20, 4_000_000, 8192, 8192);

    private static final ImageDecoder DECODER = new ImageDecoder(LIMITS);
    private static final String NAME = "fuzz-input";

    @FuzzTest(maxDuration = "5m")
    @Timeout(value = 10, unit = TimeUnit.SECONDS) // per input: a slower one is a hang (libFuzzer -timeout)
    void decode(byte[] data) {
        DecodedImage image;
        try {
            image = DECODER.decode(data, NAME);
        } catch (ImageDecodingException e) {
            assertThat(e.problem()).isNotNull();
            assertThat(e.inputName()).isEqualTo(NAME);
            assertThat(e.getMessage()).startsWith(NAME + ": ");
            return;
        }
        assertThat(image.width()).isBetween(1, LIMITS.maxWidth());
        assertThat(image.height()).isBetween(1, LIMITS.maxHeight());
        assertThat((long) image.width() * image.height()).isLessThanOrEqualTo(LIMITS.maxPixels());
        assertThat(image.rgb()).hasSize(image.width() * image.height() * 3);
        assertThat(image.sha256()).isEqualTo(ImageDecoder.sha256(data));
        assertThat(image.source()).isEqualTo(NAME);
    }
}
