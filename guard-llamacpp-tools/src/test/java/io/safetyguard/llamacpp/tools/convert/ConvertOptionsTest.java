package io.safetyguard.llamacpp.tools.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.safetyguard.llamacpp.tools.quantize.QuantizationType;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConvertOptionsTest {
    @TempDir
    Path dir;

    @Test
    void defaultsAreF16PairWithoutOverwriting() {
        ConvertOptions o = ConvertOptions.builder(dir).build();
        assertThat(o.type()).isEqualTo(QuantizationType.F16);
        assertThat(o.mmprojType()).isEqualTo(QuantizationType.F16);
        assertThat(o.overwrite()).isFalse();
        assertThat(o.name()).isEmpty();
        assertThat(o.llavaGuardVersion()).isEmpty();
    }

    @Test
    void versionsAreNormalisedAndUnknownOnesRefused() {
        assertThat(ConvertOptions.builder(dir).llavaGuardVersion("1.0").build().llavaGuardVersion())
                .contains("v1.0");
        assertThatThrownBy(() -> ConvertOptions.builder(dir).llavaGuardVersion("v2.0"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("v1.0, v1.1 or v1.2");
    }

    @Test
    void namesMustBePlainStemsAndTheMmprojIsFloatOrQ8_0() {
        assertThatThrownBy(() -> ConvertOptions.builder(dir).name("../x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ConvertOptions.builder(dir).name(".hidden"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ConvertOptions.builder(dir).mmprojType(QuantizationType.Q4_K_M))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("F16, F32 or Q8_0");
        assertThat(ConvertOptions.builder(dir)
                        .mmprojType(QuantizationType.Q8_0)
                        .build()
                        .mmprojType())
                .isEqualTo(QuantizationType.Q8_0);
    }

    /** Declaring a version of the other family would give the model the wrong prompt: refused before writing. */
    @Test
    void versionOfTheOtherFamilyIsRefusedAndNothingIsWritten() throws Exception {
        Path ckpt = TestCheckpoint.llava().write(dir.resolve("ckpt"));
        Path out = dir.resolve("out");
        assertThatThrownBy(() -> CheckpointConverter.convert(
                        ckpt,
                        ConvertOptions.builder(out).llavaGuardVersion("v1.2").build()))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("LlavaGuard v1.2 is not a LlavaForConditionalGeneration checkpoint");
        assertThat(out).doesNotExist();
    }

    @Test
    void folderThatIsNotACheckpointIsNamed() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertThatThrownBy(() -> CheckpointConverter.convert(
                        empty, ConvertOptions.builder(dir.resolve("out")).build()))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("config.json: no such file");
        assertThatThrownBy(() -> CheckpointConverter.convert(
                        dir.resolve("nope"),
                        ConvertOptions.builder(dir.resolve("out")).build()))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("is not a folder");
    }
}
