package io.safetyguard.llamacpp.tools.convert;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartialFilesTest {
    @TempDir
    Path dir;

    @Test
    void removesItsOwnTemporariesAndThoseWrittenNextToThemButNothingElse() throws Exception {
        Path other = Files.writeString(dir.resolve("m.gguf"), "a finished model");
        Path otherRun = Files.writeString(dir.resolve(".m.converting-00000000.mmproj.gguf"), "another run's");
        try (PartialFiles partial = new PartialFiles(dir, "m")) {
            Path mmproj = Files.writeString(partial.path("mmproj"), "x");
            // what GgufWriter and the quantizer create next to their target
            Path writerTemp = Files.writeString(dir.resolve(partial.path("model") + ".123.partial"), "y");
            assertThat(mmproj.getFileName().toString())
                    .startsWith(".m.converting-")
                    .endsWith(".mmproj.gguf");
            assertThat(writerTemp).exists();
        }
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left).containsExactlyInAnyOrder(other, otherRun);
        }
    }
}
