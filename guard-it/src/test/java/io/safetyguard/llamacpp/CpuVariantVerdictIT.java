package io.safetyguard.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.llamacpp.internal.natives.CpuVariants;
import io.safetyguard.llamacpp.internal.natives.NativeLibraryLoader;
import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import io.safetyguard.llamacpp.tools.tiny.TinyModelPair;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CPU-feature dispatch does not change answers: every other CPU variant this machine can run, forced with
 * {@value CpuVariants#VARIANT_PROPERTY} in a fresh JVM (the variant is chosen once per process), gives the same
 * greedy verdict on a tiny model as the variant chosen for this CPU.
 */
class CpuVariantVerdictIT {

    @TempDir
    Path dir;

    @Test
    void everyLowerCpuVariantGivesTheSameGreedyVerdictAsTheChosenOne() throws Exception {
        TinyModelPair pair = TestSupport.generate(TinyModelFlavor.QWEN2_SIGLIP, dir);
        Path image = dir.resolve("pattern.png");
        Files.write(image, TestSupport.encode(TestSupport.pattern(48, 36, 7), "png"));
        GreedyVerdictMain.Answer best = GreedyVerdictMain.answer(pair.model(), pair.mmproj(), image);
        String listed = NativeLibraryLoader.buildInfo().getProperty("cpu.variants", "");
        Assumptions.assumeFalse(listed.isEmpty(), "this bundle has one fixed ggml-cpu (no CPU-feature dispatch)");
        assertThat(best.verdict()).contains("\"rating\"");
        assertThat(List.of(listed.split(","))).contains(best.cpuVariant());

        List<String> compared = new ArrayList<>();
        for (String variant : listed.split(",")) {
            if (variant.equals(best.cpuVariant())) {
                continue;
            }
            String output = runForced(variant, pair, image);
            if (output.contains("cannot run on this CPU")) {
                continue; // a variant above the chosen one
            }
            assertThat(TestHost.line(output, "cpuVariant="))
                    .as("the child JVM loaded %s:%n%s", variant, output)
                    .isEqualTo(variant);
            assertThat(TestHost.line(output, "verdict="))
                    .as("greedy verdict with CPU variant %s vs %s", variant, best.cpuVariant())
                    .isEqualTo(best.verdict());
            compared.add(variant);
        }
        System.out.printf("chosen %s; same greedy verdict with %s%n", best.cpuVariant(), compared);
        assertThat(compared).as("compared at least the any-CPU variant").contains("x64");
    }

    private String runForced(String variant, TinyModelPair pair, Path image) throws Exception {
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-D" + CpuVariants.VARIANT_PROPERTY + "=" + variant,
                "-cp",
                TestHost.classPath(),
                GreedyVerdictMain.class.getName(),
                pair.model().toString(),
                pair.mmproj().toString(),
                image.toString());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove(CpuVariants.VARIANT_ENV);
        Path log = dir.resolve("child-" + variant + ".log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        boolean finished = p.waitFor(5, TimeUnit.MINUTES);
        if (!finished) {
            p.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(finished)
                .as("the JVM with CPU variant %s finished:%n%s", variant, output)
                .isTrue();
        if (!output.contains("cannot run on this CPU")) {
            assertThat(p.exitValue())
                    .as("exit status with CPU variant %s:%n%s", variant, output)
                    .isZero();
        }
        return output;
    }
}
