package io.safetyguard.llamacpp.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.llamacpp.LlamaCppConfig;
import io.safetyguard.llamacpp.LlamaCppConfig.EncoderOverlap;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EncoderOverlapTest {

    private static LlamaCppConfig.Builder config() {
        return LlamaCppConfig.builder(Path.of("m.gguf"), Path.of("p.gguf")).sequences(4);
    }

    private static boolean turns(LlamaCppConfig.Builder config, String backend, int cores) {
        return BatchScheduler.turns(config.build(), backend, cores).active();
    }

    @Test
    void explicitModesWinOverTheMachine() {
        assertThat(turns(config().encoderOverlap(EncoderOverlap.TAKE_TURNS).threads(1), "cuda", 64))
                .isTrue();
        assertThat(turns(config().encoderOverlap(EncoderOverlap.OVERLAP).threads(8), "cpu", 2))
                .isFalse();
    }

    @Test
    void autoTakesTurnsWhenTwoGroupsOfThreadsExceedTheCores() {
        assertThat(turns(config().threads(2), "cpu", 2)).isTrue();
        assertThat(turns(config().threads(2), "cpu", 3)).isTrue();
        assertThat(turns(config().threads(2), "cpu", 4)).isFalse();
        assertThat(turns(config().threads(8), "cpu", 16)).isFalse();
    }

    @Test
    void autoLetsBothRunWhenTheLayersAreOffloaded() {
        assertThat(turns(config().threads(2).gpuLayers(-1), "cuda", 2)).isFalse();
        assertThat(turns(config().threads(2).gpuLayers(0), "cuda", 2))
                .as("a GPU build told to keep everything on the CPU")
                .isTrue();
        assertThat(turns(config().threads(2).gpuLayers(-1), "cpu", 2))
                .as("gpuLayers has no effect in a CPU build")
                .isTrue();
    }

    @Test
    void theDefaultIsAuto() {
        assertThat(config().build().encoderOverlap()).isEqualTo(EncoderOverlap.AUTO);
    }
}
