package io.safetyguard.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;

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
 * The jar's cross-compiled linux-aarch64 natives, run for real: an arm64 JVM (Debian's, unpacked by
 * guard-llamacpp/native/qemu/prepare-arm64-sysroot.sh) under qemu-user loads them from the same class
 * path this test has and gives the same greedy verdict on a tiny model as the x86-64 natives here.
 *
 * <p>Skipped, with the reason, where qemu-aarch64, the arm64 JRE or the aarch64 natives are missing
 * (.ci/run installs and prepares all three).
 */
class AArch64UnderQemuIT {

    /** The arm64 root folder; default: the one prepare-arm64-sysroot.sh links in the SafetyGuard cache. */
    static final String SYSROOT_PROPERTY = "safetyguard.arm64.sysroot";

    private static final String JAVA_IN_SYSROOT = "usr/lib/jvm/java-17-openjdk-arm64/bin/java";

    @TempDir
    Path dir;

    @Test
    void theAarch64NativesGiveTheSameGreedyVerdictAsTheX86Ones() throws Exception {
        Assumptions.assumeTrue(
                NativeLibraryLoader.platform().equals("linux-x86_64"),
                "runs on linux-x86_64 build machines (this is " + NativeLibraryLoader.platform() + ")");
        Path qemu = TestHost.onPath("qemu-aarch64");
        Assumptions.assumeTrue(qemu != null, "qemu-aarch64 is not installed (apt-get install qemu-user)");
        Path sysroot = sysroot();
        Assumptions.assumeTrue(
                Files.isRegularFile(sysroot.resolve(JAVA_IN_SYSROOT)),
                "no arm64 JRE at " + sysroot.resolve(JAVA_IN_SYSROOT)
                        + " (run guard-llamacpp/native/qemu/prepare-arm64-sysroot.sh, or set -D" + SYSROOT_PROPERTY
                        + ")");
        Assumptions.assumeTrue(
                NativeLibraryLoader.packagedPlatforms().contains("linux-aarch64"),
                "guard-llamacpp was built without linux-aarch64 natives (apt-get install g++-aarch64-linux-gnu)");

        TinyModelPair pair = TestSupport.generate(TinyModelFlavor.QWEN2_SIGLIP, dir);
        Path image = dir.resolve("pattern.png");
        Files.write(image, TestSupport.encode(TestSupport.pattern(48, 36, 7), "png"));

        String x86 = GreedyVerdictMain.verdict(pair.model(), pair.mmproj(), image);

        List<String> command = new ArrayList<>(List.of(
                qemu.toString(),
                "-L",
                sysroot.toString(),
                sysroot.resolve(JAVA_IN_SYSROOT).toString(),
                "-Xmx384m",
                "-XX:TieredStopAtLevel=1", // C1 only: the JIT is emulated too; C2 would cost minutes
                "-Dsafetyguard.native.cache=" + dir.resolve("arm64-native-cache"),
                "-cp",
                TestHost.classPath(),
                GreedyVerdictMain.class.getName(),
                pair.model().toString(),
                pair.mmproj().toString(),
                image.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove("SAFETYGUARD_NATIVE_DIR");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        Path log = dir.resolve("arm64.log");
        pb.redirectOutput(log.toFile());
        long t0 = System.nanoTime();
        Process p = pb.start();
        boolean finished = p.waitFor(10, TimeUnit.MINUTES);
        if (!finished) {
            p.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(finished)
                .as("the arm64 JVM under qemu finished within 10 minutes:%n%s", output)
                .isTrue();
        assertThat(p.exitValue())
                .as("exit status of the arm64 JVM:%n%s", output)
                .isZero();
        System.out.printf("arm64 JVM under qemu: %.1f s%n%s", (System.nanoTime() - t0) / 1e9, output);

        assertThat(output).as("the arm64 JVM loaded the linux-aarch64 bundle").contains("platform=linux-aarch64");
        assertThat(TestHost.line(output, "verdict="))
                .as("greedy verdict on aarch64 vs x86-64")
                .isEqualTo(x86);
        assertThat(x86).contains("\"rating\"");
    }

    private static Path sysroot() {
        String configured = System.getProperty(SYSROOT_PROPERTY, "");
        if (!configured.isBlank()) {
            return Path.of(configured);
        }
        return TestHost.cacheRoot().resolve("sysroot/linux-aarch64-jre17");
    }
}
