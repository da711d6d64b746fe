package io.safetyguard.llamacpp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.llamacpp.SmallModelFiles;
import io.safetyguard.llamacpp.internal.gguf.GgufReader;
import io.safetyguard.llamacpp.internal.gguf.GgufValue;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The KV-cache estimate from GGUF shapes, and the refusal message. No native code. */
class ContextMemoryTest {

    @TempDir
    Path dir;

    private ContextMemory estimate(Map<String, GgufValue> keys) throws IOException {
        Path p = SmallModelFiles.writeText(dir.resolve("t.gguf"), keys);
        return ContextMemory.of(GgufReader.read(p));
    }

    @Test
    void kvBytesPerTokenFollowsLayersKvHeadsAndHeadSize() throws IOException {
        // 1 layer, embedding 8, 2 heads of 4, 2 KV heads: (4 + 4) x 2 heads x 2 bytes (f16)
        assertThat(estimate(SmallModelFiles.textKeys("llama")).kvBytesPerToken())
                .isEqualTo(32);
        Map<String, GgufValue> gqa = SmallModelFiles.textKeys("llama");
        gqa.put("llama.block_count", GgufValue.uint32(3));
        gqa.put("llama.attention.head_count_kv", GgufValue.uint32(1));
        assertThat(estimate(gqa).kvBytesPerToken()).isEqualTo(3 * 16);
        Map<String, GgufValue> noKv = SmallModelFiles.textKeys("llama");
        noKv.remove("llama.attention.head_count_kv"); // defaults to the head count
        assertThat(estimate(noKv).kvBytesPerToken()).isEqualTo(32);
        Map<String, GgufValue> explicit = SmallModelFiles.textKeys("llama");
        explicit.put("llama.attention.key_length", GgufValue.uint32(16));
        explicit.put("llama.attention.value_length", GgufValue.uint32(8));
        assertThat(estimate(explicit).kvBytesPerToken()).isEqualTo((16 + 8) * 2 * 2);
    }

    @Test
    void perLayerHeadCountsAreSummedAndLayersWithoutHeadsCostNothing() throws IOException {
        Map<String, GgufValue> keys = SmallModelFiles.textKeys("llama");
        keys.put("llama.block_count", GgufValue.uint32(3));
        keys.put("llama.attention.head_count", GgufValue.uint32Array(new int[] {2, 0, 2}));
        keys.put("llama.attention.head_count_kv", GgufValue.uint32Array(new int[] {2, 0, 1}));
        assertThat(estimate(keys).kvBytesPerToken()).isEqualTo(32 + 0 + 16);
    }

    @Test
    void hugeDeclaredShapesGiveAHugeEstimateNotAnOverflow() throws IOException {
        Map<String, GgufValue> keys = SmallModelFiles.textKeys("llama");
        keys.put("llama.block_count", GgufValue.uint32(0xFFFFFFFFL));
        keys.put("llama.attention.head_count_kv", GgufValue.uint32(0xFFFFFFFFL));
        ContextMemory m = estimate(keys);
        assertThat(m.kvBytesPerToken()).isGreaterThan(1e18);
        assertThat(m.refusal(4096, 1, 64L << 30, 1024)).isPresent();
    }

    @Test
    void refusalNamesTheSettingToLowerAndWhatFits() throws IOException {
        ContextMemory m = estimate(SmallModelFiles.textKeys("llama")); // 32 + 128 bytes per token
        long available = 1L << 30;
        assertThat(m.refusal(4096, 2, available, 1024)).isEmpty();
        String tooLong = m.refusal(100_000_000, 1, available, 1024).orElseThrow();
        assertThat(tooLong)
                .startsWith("1 context of 100000000 tokens need about 14.9 GiB")
                .contains("only 1.0 GiB of memory is available")
                .contains("Lower the context size (LlamaCppConfig.Builder.contextSize; ")
                .doesNotContain("parallelContexts");
        String tooMany = m.refusal(1_000_000, 64, available, 1024).orElseThrow();
        assertThat(tooMany)
                .startsWith("64 parallel contexts of 1000000 tokens")
                .contains("LlamaCppConfig.Builder.parallelContexts");
        String nothingFits = m.refusal(1024, 1, 8L << 20, 1024).orElseThrow();
        assertThat(nothingFits).contains("even the smallest usable context (1024 tokens) does not fit");
    }

    @Test
    void sequenceRefusalCoversEverySequenceAndNamesTheNumberThatFits() throws IOException {
        ContextMemory m = estimate(SmallModelFiles.textKeys("llama")); // 160 bytes per token and sequence
        long available = 1L << 30; // 0.9 GiB usable: (0.9 GiB - 16 MiB) / 160 MB = 5.9 sequences of 1M tokens
        assertThat(m.sequenceRefusal(1_000_000, 4, available)).isEmpty();
        assertThat(m.sequenceRefusal(1_000_000, 8, available).orElseThrow())
                .startsWith("8 sequences of 1000000 tokens need about 1.2 GiB")
                .contains("5 sequences fit: use LlamaCppConfig.Builder.sequences(5) (CLI: --batch 5)");
        assertThat(m.sequenceRefusal(5_000_000, 2, available).orElseThrow()).contains("Only one sequence fits");
        assertThat(m.sequenceRefusal(100_000_000, 2, available).orElseThrow()).contains("Not even one sequence fits");
    }
}
