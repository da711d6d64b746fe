package io.safetyguard.core.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.core.Verdict;
import io.safetyguard.core.image.TestImages;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Hostile bytes: stamped files with random bytes changed, cut or inserted. Reading and writing
 * either succeed or fail with a {@link VerdictMetadataException}; nothing else escapes (no index
 * errors, no OutOfMemoryError from a declared length), and a stamp read from a changed file is
 * reported intact only when every byte outside the XMP carrier is unchanged.
 */
class VerdictMetadataMutationTest {

    private static final int MUTANTS_PER_FORMAT = 1500;

    @Test
    void mutatedFilesFailCleanly() throws Exception {
        Verdict verdict = StampedVerdicts.unsafe(0.5);
        byte[][] originals = {
            TestImages.png(TestImages.gradient(12, 10)),
            TestImages.jpeg(TestImages.gradient(12, 10), false),
            TestImages.WEBP_LOSSY,
            TestImages.WEBP_LOSSLESS_ALPHA,
            TestImages.WEBP_LOSSY_ALPHA
        };
        Random random = new Random(20260301);
        int rejected = 0;
        for (byte[] original : originals) {
            byte[] stamped = VerdictMetadata.write(original, verdict);
            for (int i = 0; i < MUTANTS_PER_FORMAT; i++) {
                byte[] mutant = mutate(stamped, random);
                try {
                    VerdictMetadata.read(mutant).ifPresent(v -> {
                        if (v.contentIntact() && !Arrays.equals(mutant, stamped)) {
                            // allowed only when the change kept every byte outside the XMP carrier
                            try {
                                assertThat(VerdictMetadata.contentDigest(mutant))
                                        .isEqualTo(VerdictMetadata.contentDigest(stamped));
                            } catch (VerdictMetadataException e) {
                                throw new AssertionError(e);
                            }
                        }
                    });
                    VerdictMetadata.write(mutant, verdict);
                } catch (VerdictMetadataException e) {
                    rejected++;
                    assertThat(e.getMessage()).isNotBlank();
                }
            }
        }
        // most random damage is caught (CRCs, lengths, XML); the rest landed in ignorable bytes
        assertThat(rejected).isGreaterThan(originals.length * MUTANTS_PER_FORMAT / 3);
    }

    private static byte[] mutate(byte[] file, Random random) {
        byte[] b = file.clone();
        switch (random.nextInt(4)) {
            case 0 -> {
                int n = 1 + random.nextInt(3);
                for (int k = 0; k < n; k++) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
                return b;
            }
            case 1 -> {
                return Arrays.copyOf(b, random.nextInt(b.length));
            }
            case 2 -> {
                // a length or size field set to something huge
                int at = random.nextInt(b.length - 4);
                b[at] = (byte) 0x7F;
                b[at + 1] = (byte) 0xFF;
                return b;
            }
            default -> {
                int at = random.nextInt(b.length);
                byte[] extra = new byte[1 + random.nextInt(16)];
                random.nextBytes(extra);
                byte[] out = new byte[b.length + extra.length];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(extra, 0, out, at, extra.length);
                System.arraycopy(b, at, out, at + extra.length, b.length - at);
                return out;
            }
        }
    }
}
