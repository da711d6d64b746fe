package io.safetyguard.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.safetyguard.llamacpp.ImagePipeline;
import io.safetyguard.llamacpp.LlamaCppConfig;
import io.safetyguard.policy.Policy;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LargeImageBenchTest {

    private static BenchOptions options() {
        Path f = Path.of("m.gguf");
        return new BenchOptions(
                f,
                f,
                List.of(f),
                2,
                2,
                0,
                0,
                500,
                List.of(),
                List.of(),
                0,
                Policy.llavaGuardDefault(),
                600,
                false,
                true,
                ImagePipeline.REFERENCE,
                LlamaCppConfig.EncoderOverlap.AUTO);
    }

    private static GuardRun run(double total) {
        return new GuardRun(
                "large.png", GuardRun.Mode.VERDICT_ONLY, total, 30, total - 60, 20, 15, 8499, 40, "{}", null);
    }

    @Test
    void reportHasOneRowPerVariantWithItsMedianAndRatioToTheFirst() {
        List<LargeImageBench.VariantResult> results = List.of(
                new LargeImageBench.VariantResult(
                        LargeImageBench.LEVERS.get(0),
                        List.of(run(1000), run(1200)),
                        OptionalLong.of(2048 * 1024),
                        7371),
                new LargeImageBench.VariantResult(
                        LargeImageBench.LEVERS.get(2), List.of(run(800), run(900)), OptionalLong.empty(), 7371));
        String text = LargeImageBench.report(results, 1024, options());
        assertThat(text).contains("one 1024x1024 image, reference pipeline, verdict-only, 2 thread(s), 2 round(s)");
        assertThat(text.lines()
                        .filter(l -> l.startsWith(LargeImageBench.LEVERS.get(0).name())))
                .singleElement()
                .satisfies(l -> assertThat(l).contains("1100.0", "7371", "2048 MiB", "1.00x"));
        assertThat(text.lines()
                        .filter(l -> l.startsWith(LargeImageBench.LEVERS.get(2).name())))
                .singleElement()
                .satisfies(l -> assertThat(l).contains("850.0", "n/a", "0.77x"));
    }

    @Test
    void theLeversEndInTheDefaultConfiguration() {
        LargeImageBench.Variant last = LargeImageBench.LEVERS.get(LargeImageBench.LEVERS.size() - 1);
        assertThat(last.persistentThreadPool()).isTrue();
        assertThat(last.flashAttention()).isEqualTo(io.safetyguard.llamacpp.LlamaCppConfig.FlashAttention.AUTO);
        assertThat(LargeImageBench.DEFAULT_ONLY).containsExactly(last);
    }

    @Test
    void refusesSizesOutsideTheRangeAndAnEmptyVariantList() {
        assertThatThrownBy(() -> new LargeImageBench(options(), 8, LargeImageBench.LEVERS, System.err))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--large-image");
        assertThatThrownBy(() -> new LargeImageBench(options(), 1024, List.of(), System.err))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theGeneratedImageIsNeitherBlankNorRepeated() {
        BufferedImage img = LargeImageBench.pattern(64, 64, 42);
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                colours.add(img.getRGB(x, y));
            }
        }
        assertThat(colours.size()).isGreaterThan(1000);
        assertThat(img.getRGB(0, 0)).isNotEqualTo(img.getRGB(63, 63));
    }
}
