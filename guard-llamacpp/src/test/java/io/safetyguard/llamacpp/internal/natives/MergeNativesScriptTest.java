package io.safetyguard.llamacpp.internal.natives;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * native/merge-natives.sh, which puts natives built on other machines (a Mac's Metal build) into this
 * build's jar: complete bundles of the pinned commit are copied, anything else stops the build with
 * the reason.
 */
class MergeNativesScriptTest {

    private static final Path SCRIPT = Path.of("native/merge-natives.sh");
    private static final String PINNED = "80fb11ac73e66d89eae2c6a91d8a77428fa733ed";

    @TempDir
    Path dir;

    @Test
    void copiesACompleteBundleOfThePinnedCommitIntoTheOutput() throws Exception {
        Path out = dir.resolve("out");
        Path mac = bundle(dir.resolve("mac/natives/macos-aarch64"), "macos-aarch64", PINNED);
        Result r = merge(out, dir.resolve("mac").toString());
        assertThat(r.exit).as(r.output).isZero();
        assertThat(out.resolve("natives/macos-aarch64/libggml.dylib"))
                .hasSameBinaryContentAs(mac.resolve("libggml.dylib"));
        assertThat(out.resolve("natives/macos-aarch64/build.properties")).exists();
        assertThat(r.output).contains("merged natives/macos-aarch64 (metal)");
    }

    @Test
    void acceptsOneNativesFolderDirectly() throws Exception {
        Path out = dir.resolve("out");
        Path mac = bundle(dir.resolve("x/macos-x86_64"), "macos-x86_64", PINNED);
        Result r = merge(out, mac.toString());
        assertThat(r.exit).as(r.output).isZero();
        assertThat(out.resolve("natives/macos-x86_64/libraries.txt")).exists();
    }

    @Test
    void refusesAnotherLlamaCppCommitAnIncompleteBundleAndAReplacedPlatform() throws Exception {
        Path out = dir.resolve("out");
        Path old = bundle(dir.resolve("old/macos-aarch64"), "macos-aarch64", "0123456789abcdef");
        Result r = merge(out, old.toString());
        assertThat(r.exit).isNotZero();
        assertThat(r.output).contains("0123456789abcdef", PINNED);

        Path broken = bundle(dir.resolve("broken/macos-aarch64"), "macos-aarch64", PINNED);
        Files.delete(broken.resolve("libllama.dylib"));
        r = merge(out, broken.toString());
        assertThat(r.exit).isNotZero();
        assertThat(r.output).contains("libllama.dylib", "missing");

        bundle(out.resolve("natives/linux-x86_64"), "linux-x86_64", PINNED);
        Path other = bundle(dir.resolve("other/linux-x86_64"), "linux-x86_64", PINNED);
        r = merge(out, other.toString());
        assertThat(r.exit).isNotZero();
        assertThat(r.output).contains("natives/linux-x86_64 comes both from this build and from");
    }

    @Test
    void aDispatchedBundleIsMergedWithItsCpuVariantsAndRefusedWithoutOne() throws Exception {
        Path win = bundle(dir.resolve("win/windows-x86_64"), "windows-x86_64", PINNED);
        Files.write(win.resolve("cpu-variants.txt"), List.of("ggml-cpu-x64.dll", "ggml-cpu-zen4.dll"));
        Files.writeString(win.resolve("ggml-cpu-x64.dll"), "binary of x64");
        Result r = merge(dir.resolve("out"), win.toString());
        assertThat(r.exit).isNotZero();
        assertThat(r.output).contains("cpu-variants.txt lists ggml-cpu-zen4.dll, which is missing there");

        Files.writeString(win.resolve("ggml-cpu-zen4.dll"), "binary of zen4");
        r = merge(dir.resolve("out"), win.toString());
        assertThat(r.exit).as(r.output).isZero();
        assertThat(dir.resolve("out/natives/windows-x86_64/ggml-cpu-zen4.dll")).exists();
        assertThat(dir.resolve("out/natives/windows-x86_64/cpu-variants.txt")).exists();
    }

    @Test
    void aRebuildReplacesWhatAnEarlierRunMergedAndDropsItWhenNoLongerAsked() throws Exception {
        Path out = dir.resolve("out");
        Path mac = bundle(dir.resolve("mac/macos-aarch64"), "macos-aarch64", PINNED);
        assertThat(merge(out, mac.toString()).exit).isZero();
        Result again = merge(out, mac.toString());
        assertThat(again.exit).as(again.output).isZero();
        assertThat(out.resolve("natives/macos-aarch64/libraries.txt")).exists();
        assertThat(merge(out, "").exit).isZero();
        assertThat(out.resolve("natives/macos-aarch64")).doesNotExist();
    }

    @Test
    void nothingToDoWithoutExtraFolders() throws Exception {
        Result r = merge(dir.resolve("out"), "");
        assertThat(r.exit).as(r.output).isZero();
        assertThat(dir.resolve("out")).doesNotExist();
    }

    private static Path bundle(Path folder, String platform, String commit) throws IOException {
        Files.createDirectories(folder);
        List<String> libs = List.of("libggml.dylib", "libllama.dylib", "libsafetyguard_jni.dylib");
        for (String lib : libs) {
            Files.writeString(folder.resolve(lib), "binary of " + lib);
        }
        Files.write(folder.resolve("libraries.txt"), libs);
        Files.writeString(
                folder.resolve("build.properties"),
                "llama.cpp.commit=" + commit + "\nbackend=metal\nplatform=" + platform + "\n");
        return folder;
    }

    private record Result(int exit, String output) {}

    private static Result merge(Path out, String extra) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString(), "--out-dir=" + out, "--extra=" + extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), output);
    }
}
