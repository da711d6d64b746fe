package io.safetyguard.llamacpp.internal.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.safetyguard.llamacpp.tools.gguf.GgufRoundTripTest;
import io.safetyguard.llamacpp.tools.gguf.GgufWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every way a file can lie is reported as a GgufFormatException that names the file and the problem. */
class GgufReaderHostileTest {
    private static final String NAME = "hostile.gguf";
    private static final int STR = GgufValueType.STRING.id();
    private static final int ARR = GgufValueType.ARRAY.id();
    private static final int F32 = GgmlType.F32.id();

    @TempDir
    Path dir;

    private static void assertRejected(byte[] bytes, String... fragments) {
        assertRejected(bytes, GgufReader.Limits.DEFAULT, fragments);
    }

    private static void assertRejected(byte[] bytes, GgufReader.Limits limits, String... fragments) {
        assertThatThrownBy(() -> GgufReader.read(NAME, bytes, limits))
                .isExactlyInstanceOf(GgufFormatException.class)
                .hasMessageStartingWith(NAME + ": ")
                .hasMessageContainingAll(fragments)
                .satisfies(e -> assertThat(((GgufFormatException) e).file()).isEqualTo(NAME));
    }

    /** A valid file with one key and one 4-element F32 tensor. */
    private static byte[] valid() {
        return GgufBytes.header(3, 1, 1)
                .kvU32("a", 1)
                .tensor("t", F32, 0, 4)
                .pad(32)
                .zeros(16)
                .bytes();
    }

    @Test
    void theValidBaseFileIsAccepted() throws Exception {
        GgufFile f = GgufReader.read(NAME, valid());
        assertThat(f.tensors()).hasSize(1);
    }

    // ---- not GGUF at all ----

    @Test
    void wrongMagicSuggestsWhatTheFileMightBe() {
        assertRejected(
                "hello world, this is text".getBytes(StandardCharsets.US_ASCII),
                "not a GGUF file (magic 0x68656C6C 'hell'; expected 'GGUF')",
                "Did you pass a safetensors/PyTorch checkpoint?",
                "docs/models.md");
    }

    @Test
    void recognisesSafetensorsZipPickleLfsHtmlAndOldGgml() {
        byte[] safetensors =
                new GgufBytes().i64(20).raw('{', '"', '_', '_').zeros(30).bytes();
        assertRejected(safetensors, "safetensors checkpoint");
        assertRejected(new GgufBytes().raw('P', 'K', 3, 4).zeros(20).bytes(), "ZIP archive", "PyTorch");
        assertRejected(new GgufBytes().raw(0x80, 2, 0x7d, 0x71).zeros(8).bytes(), "pickle");
        assertRejected(
                "version https://git-lfs.github.com/spec/v1\noid sha256:ab".getBytes(StandardCharsets.UTF_8),
                "Git LFS pointer",
                "git lfs pull");
        assertRejected("  <!DOCTYPE html><html>".getBytes(StandardCharsets.UTF_8), "HTML page");
        assertRejected(new GgufBytes().raw('t', 'j', 'g', 'g').zeros(8).bytes(), "GGML/GGMF/GGJT");
    }

    @Test
    void emptyAndTinyFiles() {
        assertRejected(new byte[0], "empty");
        assertRejected(new byte[] {'G', 'G', 'U'}, "not a GGUF file");
    }

    // ---- header ----

    @Test
    void unsupportedVersions() {
        assertRejected(GgufBytes.header(1, 0, 0).bytes(), "version 1 is no longer supported");
        assertRejected(GgufBytes.header(4, 0, 0).bytes(), "GGUF version 4 is newer");
        assertRejected(GgufBytes.header(0, 0, 0).bytes(), "bad GGUF version 0");
        assertRejected(GgufBytes.header(0x03000000, 0, 0).bytes(), "big-endian");
    }

    @Test
    void absurdCounts() {
        assertRejected(GgufBytes.header(3, 1L << 40, 0).bytes(), "declares 1099511627776 tensor entries");
        assertRejected(GgufBytes.header(3, -1, 0).bytes(), "declares 18446744073709551615 tensor entries");
        assertRejected(GgufBytes.header(3, 0, 1L << 50).bytes(), "key/value pairs", "cannot hold that many");
        assertRejected(GgufBytes.header(3, 0, 2).kvU32("a", 1).bytes(), "key/value pairs");
    }

    // ---- key/value pairs ----

    @Test
    void absurdStringLengths() {
        assertRejected(
                GgufBytes.header(3, 0, 1).i64(1L << 60).zeros(16).bytes(),
                "the length of the name of key #0",
                "bytes remain",
                "truncated");
        assertRejected(GgufBytes.header(3, 0, 1).str("k").u32(STR).i64(-2).bytes(), "key 'k'", "18446744073709551614");
        byte[] longString =
                GgufBytes.header(3, 0, 1).kvStr("k", "x".repeat(100)).bytes();
        assertRejected(longString, new GgufReader.Limits(64, 1 << 20, 4), "100 bytes long", "limit of 64 bytes");
    }

    @Test
    void absurdArrayLengths() {
        byte[] huge = GgufBytes.header(3, 0, 1)
                .str("arr")
                .u32(ARR)
                .u32(GgufValueType.INT32.id())
                .i64(1L << 61)
                .zeros(64)
                .bytes();
        assertRejected(huge, "key 'arr' declares an array of 2305843009213693952 i32 elements", "bytes remain");
        byte[] strings = GgufBytes.header(3, 0, 1)
                .str("s")
                .u32(ARR)
                .u32(STR)
                .i64(100)
                .zeros(64)
                .bytes();
        assertRejected(strings, "key 's' declares an array of 100 str elements");
        byte[] negative = GgufBytes.header(3, 0, 1)
                .str("n")
                .u32(ARR)
                .u32(GgufValueType.UINT8.id())
                .i64(-1)
                .bytes();
        assertRejected(negative, "key 'n' declares an array of 18446744073709551615 u8");
    }

    @Test
    void metadataMemoryIsBounded() {
        GgufBytes b = GgufBytes.header(3, 0, 1).str("tokens").u32(ARR).u32(STR).i64(1000);
        for (int i = 0; i < 1000; i++) {
            b.str("t" + i);
        }
        assertRejected(
                b.bytes(), new GgufReader.Limits(1 << 20, 10_000, 4), "key 'tokens'", "limit of 10000 bytes of memory");
    }

    @Test
    void unknownValueTypes() {
        assertRejected(
                GgufBytes.header(3, 0, 1).str("k").u32(13).u32(0).bytes(), "key 'k' has unknown value type id 13");
        assertRejected(GgufBytes.header(3, 0, 1).str("k").u32(-1).zeros(4).bytes(), "unknown value type id -1");
        assertRejected(
                GgufBytes.header(3, 0, 1).str("k").u32(ARR).u32(99).i64(0).bytes(),
                "key 'k' has unknown value type id 99");
    }

    @Test
    void duplicateAndEmptyKeys() {
        assertRejected(GgufBytes.header(3, 0, 2).kvU32("a", 1).kvU32("a", 2).bytes(), "key 'a' occurs twice");
        assertRejected(GgufBytes.header(3, 0, 1).kvU32("", 1).bytes(), "key #0 has an empty name");
    }

    @Test
    void arraysNestedTooDeep() {
        GgufBytes b = GgufBytes.header(3, 0, 1).str("deep").u32(ARR);
        for (int i = 0; i < 10; i++) {
            b.u32(ARR).i64(1);
        }
        assertRejected(b.u32(GgufValueType.UINT8.id()).i64(0).bytes(), "key 'deep' nests arrays more than 4 deep");
    }

    @Test
    void badAlignment() {
        byte[] wrongType = GgufBytes.header(3, 0, 1)
                .str("general.alignment")
                .u32(GgufValueType.INT32.id())
                .u32(32)
                .bytes();
        assertRejected(wrongType, "'general.alignment' must be of type u32 but is i32");
        assertRejected(
                GgufBytes.header(3, 0, 1).kvU32("general.alignment", 48).bytes(), "alignment 48", "not a power of 2");
        assertRejected(GgufBytes.header(3, 0, 1).kvU32("general.alignment", 0).bytes(), "alignment 0");
    }

    // ---- tensor table ----

    @Test
    void tooManyDimensions() {
        byte[] b = GgufBytes.header(3, 1, 0)
                .tensor("t5", F32, 0, 1, 1, 1, 1, 1)
                .pad(32)
                .zeros(32)
                .bytes();
        assertRejected(b, "tensor 't5' has 5 dimensions; ggml allows at most 4");
    }

    @Test
    void negativeAndOverflowingDimensions() {
        assertRejected(
                GgufBytes.header(3, 1, 0).tensor("neg", F32, 0, 4, -1).pad(32).bytes(),
                "tensor 'neg' has a negative dimension ne[1] = -1");
        long big = 1L << 32;
        assertRejected(
                GgufBytes.header(3, 1, 0)
                        .tensor("ovf", F32, 0, big, big)
                        .pad(32)
                        .bytes(),
                "tensor 'ovf' has more elements than fit in 64 bits");
        assertRejected(
                GgufBytes.header(3, 1, 0)
                        .tensor("bytes", F32, 0, 1L << 62)
                        .pad(32)
                        .bytes(),
                "tensor 'bytes' is larger than 2^63 bytes");
    }

    @Test
    void unknownAndRemovedGgmlTypes() {
        assertRejected(
                GgufBytes.header(3, 1, 0).tensor("u", 99, 0, 4).pad(32).bytes(),
                "tensor 'u' has unknown ggml type id 99",
                "0..42");
        assertRejected(
                GgufBytes.header(3, 1, 0).tensor("r", 4, 0, 32).pad(32).bytes(),
                "tensor 'r' has ggml type id 4, which ggml has removed");
        assertRejected(GgufBytes.header(3, 1, 0).tensor("m", -7, 0, 4).pad(32).bytes(), "unknown ggml type id -7");
    }

    @Test
    void rowsThatDoNotFitTheBlockSize() {
        assertRejected(
                GgufBytes.header(3, 1, 0)
                        .tensor("q", GgmlType.Q4_0.id(), 0, 10)
                        .pad(32)
                        .bytes(),
                "tensor 'q' has rows of 10 elements, not a multiple of the q4_0 block size 32");
    }

    @Test
    void duplicateTensorNamesAndLongNames() {
        byte[] dup = GgufBytes.header(3, 2, 0)
                .tensor("t", F32, 0, 4)
                .tensor("t", F32, 32, 4)
                .pad(32)
                .zeros(64)
                .bytes();
        assertRejected(dup, "tensor name 't' occurs twice");
        byte[] longName = GgufBytes.header(3, 1, 0)
                .tensor("n".repeat(64), F32, 0, 4)
                .pad(32)
                .zeros(32)
                .bytes();
        assertRejected(longName, "tensor #0 has a name of 64 bytes; llama.cpp allows at most 63");
    }

    @Test
    void dataBeyondTheEndOfTheFile() {
        byte[] shortData = GgufBytes.header(3, 1, 0)
                .tensor("w", F32, 0, 1024)
                .pad(32)
                .zeros(100)
                .bytes();
        assertRejected(shortData, "the file is truncated: tensor 'w' needs bytes", "interrupted download");
        byte[] noDataSection = GgufBytes.header(3, 1, 0).tensor("w", F32, 0, 1).bytes();
        assertRejected(noDataSection, "tensor data should start at byte");
    }

    @Test
    void misalignedAndNonContiguousOffsets() {
        byte[] misaligned = GgufBytes.header(3, 1, 0)
                .tensor("w", F32, 8, 4)
                .pad(32)
                .zeros(64)
                .bytes();
        assertRejected(misaligned, "tensor 'w' has data offset 8, which is not a multiple of the alignment 32");
        byte[] gap = GgufBytes.header(3, 2, 0)
                .tensor("a", F32, 0, 4)
                .tensor("b", F32, 64, 4)
                .pad(32)
                .zeros(128)
                .bytes();
        assertRejected(gap, "tensor 'b' has data offset 64 but llama.cpp expects 32", "back to back");
        byte[] overlap = GgufBytes.header(3, 2, 0)
                .tensor("a", F32, 0, 16)
                .tensor("b", F32, 32, 4)
                .pad(32)
                .zeros(128)
                .bytes();
        assertRejected(overlap, "tensor 'b' has data offset 32 but llama.cpp expects 64");
        byte[] negative = GgufBytes.header(3, 1, 0)
                .tensor("w", F32, -32, 4)
                .pad(32)
                .zeros(64)
                .bytes();
        assertRejected(negative, "tensor 'w' has data offset 18446744073709551584");
    }

    // ---- truncation anywhere ----

    @Test
    void everyTruncationOfAValidFileIsReported() throws Exception {
        Path file = dir.resolve("full.gguf");
        GgufWriter w = new GgufWriter(file);
        GgufRoundTripTest.allValueTypes().forEach(w::put);
        w.addTensorF32("a", new long[] {5}, new float[5])
                .addTensorF16("b", new long[] {3}, new float[3])
                .write();
        byte[] full = Files.readAllBytes(file);
        GgufFile complete = GgufReader.read(NAME, full);
        long dataEnd = complete.tensor("b").orElseThrow().fileOffset()
                + complete.tensor("b").orElseThrow().byteSize();

        for (int len = 0; len < dataEnd; len++) {
            byte[] prefix = java.util.Arrays.copyOf(full, len);
            String expected = len == 0 ? "empty" : len < 4 ? "not a GGUF file" : "truncated";
            assertRejected(prefix, expected);
        }
    }

    @Test
    void unreadableFilesAreIoExceptionsNotFormatErrors() {
        assertThatThrownBy(() -> GgufReader.read(dir.resolve("missing.gguf")))
                .isInstanceOf(java.nio.file.NoSuchFileException.class);
    }
}
