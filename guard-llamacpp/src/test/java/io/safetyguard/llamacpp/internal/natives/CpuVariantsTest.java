package io.safetyguard.llamacpp.internal.natives;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.safetyguard.llamacpp.NativeLibraryException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpuVariantsTest {

    private static final Path DIR = Path.of("/cache/jni/linux-x86_64-abc");

    private static CpuVariants.Candidate candidate(String name, int score) {
        return new CpuVariants.Candidate(name, DIR.resolve("libggml-cpu-" + name + ".so"), score, null);
    }

    private final List<CpuVariants.Candidate> onAvx2Cpu =
            List.of(candidate("x64", 1), candidate("haswell", 63), candidate("zen4", 0));

    @Test
    void theHighestScoreThatRunsHereWins() {
        assertThat(CpuVariants.choose(onAvx2Cpu, null, DIR, "cpu").name()).isEqualTo("haswell");
    }

    @Test
    void aRequestedVariantIsLoadedEvenWhenABetterOneRuns() {
        assertThat(CpuVariants.choose(onAvx2Cpu, "x64", DIR, "cpu").name()).isEqualTo("x64");
    }

    @Test
    void aRequestedVariantThisCpuCannotRunIsRefusedWithTheScores() {
        assertThatThrownBy(() -> CpuVariants.choose(onAvx2Cpu, "zen4", DIR, "Some CPU, flags avx avx2"))
                .isInstanceOf(NativeLibraryException.class)
                .hasMessageContaining("safetyguard.cpu.variant=zen4 cannot run on this CPU (Some CPU, flags avx avx2)")
                .hasMessageContaining("haswell (score 63)")
                .hasMessageContaining(DIR.toString());
    }

    @Test
    void anUnknownRequestedVariantNamesThePresentOnes() {
        assertThatThrownBy(() -> CpuVariants.choose(onAvx2Cpu, "skylakex", DIR, "cpu"))
                .isInstanceOf(NativeLibraryException.class)
                .hasMessageContaining("names no CPU variant")
                .hasMessageContaining("x64 (score 1), haswell (score 63), zen4 (needs instructions this CPU lacks)");
    }

    @Test
    void noVariantThatRunsNamesTheDirectoryTheVariantsAndTheCpu() {
        List<CpuVariants.Candidate> none = List.of(
                new CpuVariants.Candidate("x64", DIR.resolve("libggml-cpu-x64.so"), -1, "undefined symbol: foo"),
                candidate("zen4", 0));
        assertThatThrownBy(() -> CpuVariants.choose(none, null, DIR, "Old CPU"))
                .isInstanceOf(NativeLibraryException.class)
                .hasMessageContaining("no CPU variant of llama.cpp's ggml-cpu in " + DIR)
                .hasMessageContaining("(Old CPU)")
                .hasMessageContaining("x64 (cannot open: undefined symbol: foo)")
                .hasMessageContaining("GGML_NATIVE=ON");
    }

    @Test
    void variantNamesComeFromLinuxAndWindowsFileNames() {
        assertThat(CpuVariants.variantName(Path.of("/x/libggml-cpu-zen4.so"))).isEqualTo("zen4");
        assertThat(CpuVariants.variantName(Path.of("ggml-cpu-x64.dll"))).isEqualTo("x64");
    }

    @Test
    void theListIsReadRelativeToTheBundle(@TempDir Path dir) throws IOException {
        assertThat(CpuVariants.listedIn(dir)).isEmpty();
        Files.writeString(dir.resolve(CpuVariants.LIST), "libggml-cpu-x64.so\n\nlibggml-cpu-haswell.so\n");
        assertThat(CpuVariants.listedIn(dir))
                .containsExactly(dir.resolve("libggml-cpu-x64.so"), dir.resolve("libggml-cpu-haswell.so"));
    }
}
