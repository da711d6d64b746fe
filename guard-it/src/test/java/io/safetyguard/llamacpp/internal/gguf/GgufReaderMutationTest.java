package io.safetyguard.llamacpp.internal.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.safetyguard.llamacpp.tools.gguf.GgufRoundTripTest;
import io.safetyguard.llamacpp.tools.gguf.GgufWriter;
import io.safetyguard.llamacpp.tools.gguf.TensorData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Corrupts a valid file in many ways and checks that reading it either succeeds or fails with a
 * GgufFormatException: never another exception, never a hang, never an attempt to allocate what a length field
 * claims.
 */
class GgufReaderMutationTest {
    private static final int MUTATIONS = 2_000;

    @TempDir
    Path dir;

    private byte[] validFile() throws Exception {
        Path file = dir.resolve("base.gguf");
        GgufWriter w = new GgufWriter(file);
        GgufRoundTripTest.allValueTypes().forEach(w::put);
        w.put("tokens", GgufValue.stringArray(List.of("<s>", "</s>", "hello", "world")))
                .addTensorF32("a.weight", new long[] {4, 2}, new float[8])
                .addTensorF16("b.weight", new long[] {8}, new float[8])
                .addTensor("q.weight", GgmlType.Q8_0, new long[] {32}, TensorData.raw(new byte[34]))
                .write();
        return Files.readAllBytes(file);
    }

    @Test
    void randomMutationsOnlyEverGiveFormatExceptions() throws Exception {
        byte[] base = validFile();
        Random rng = new Random(20240601L);
        int[] outcomes = new int[2];
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int i = 0; i < MUTATIONS; i++) {
                byte[] mutated = mutate(base, rng);
                outcomes[readsCleanly(mutated, "mutation " + i) ? 0 : 1]++;
            }
        });
        assertThat(outcomes[0] + outcomes[1]).isEqualTo(MUTATIONS);
        assertThat(outcomes[1]).as("most mutations should be caught").isGreaterThan(MUTATIONS / 4);
    }

    @Test
    void extremeValuesAtEveryHeaderOffsetOnlyEverGiveFormatExceptions() throws Exception {
        byte[] base = validFile();
        int headerEnd = (int) GgufReader.read("base", base).dataOffset();
        long[] extremes = {-1L, Long.MIN_VALUE, Long.MAX_VALUE, 0x7FFF_FFFFL, 0xFFFF_FFFFL, 1L << 32, 0};
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int offset = 0; offset < headerEnd; offset++) {
                for (long v : extremes) {
                    byte[] mutated = base.clone();
                    for (int b = 0; b < 8 && offset + b < mutated.length; b++) {
                        mutated[offset + b] = (byte) (v >>> (8 * b));
                    }
                    readsCleanly(mutated, "value " + v + " at offset " + offset);
                }
            }
        });
    }

    private static boolean readsCleanly(byte[] bytes, String what) {
        try {
            GgufFile f = GgufReader.read("mutant.gguf", bytes);
            for (GgufTensorInfo t : f.tensors()) {
                assertThat(t.fileOffset() + t.byteSize()).as(what).isLessThanOrEqualTo(bytes.length);
            }
            return true;
        } catch (GgufFormatException e) {
            assertThat(e.getMessage()).as(what).startsWith("mutant.gguf: ");
            return false;
        } catch (Throwable t) {
            fail(what + " threw " + t, t);
            return false;
        }
    }

    private static byte[] mutate(byte[] base, Random rng) {
        byte[] b = base.clone();
        switch (rng.nextInt(5)) {
            case 0 -> { // flip a few bits
                for (int k = 1 + rng.nextInt(4); k > 0; k--) {
                    int i = rng.nextInt(b.length);
                    b[i] ^= (byte) (1 << rng.nextInt(8));
                }
            }
            case 1 -> { // overwrite a few bytes with random values
                for (int k = 1 + rng.nextInt(4); k > 0; k--) {
                    b[rng.nextInt(b.length)] = (byte) rng.nextInt(256);
                }
            }
            case 2 -> { // set the top byte of a 64-bit field somewhere to 0xFF
                int i = rng.nextInt(b.length);
                b[i] = (byte) 0xFF;
            }
            case 3 -> { // truncate
                return Arrays.copyOf(b, rng.nextInt(b.length));
            }
            default -> { // delete a run of bytes, shifting everything after it
                int from = rng.nextInt(b.length);
                int len = 1 + rng.nextInt(Math.min(16, b.length - from));
                byte[] out = new byte[b.length - len];
                System.arraycopy(b, 0, out, 0, from);
                System.arraycopy(b, from + len, out, from, b.length - from - len);
                return out;
            }
        }
        return b;
    }
}
