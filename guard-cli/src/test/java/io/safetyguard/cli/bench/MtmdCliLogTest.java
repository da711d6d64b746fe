package io.safetyguard.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MtmdCliLogTest {

    /** Lines captured from a real llama-mtmd-cli run (v0.4.0, -lv 5) on the tiny model, two image tiles cut out. */
    private static String capturedLog() throws IOException {
        try (InputStream in = MtmdCliLogTest.class.getResourceAsStream("mtmd-cli-stderr.txt")) {
            assertThat(in).as("test resource mtmd-cli-stderr.txt").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void readsThePerfSummaryEncodesImageTokensAndTheWorkWindow() throws IOException {
        MtmdCliTimings t = MtmdCliLog.parse(capturedLog());

        assertThat(t.complete()).isTrue();
        assertThat(t.loadMillis()).hasValue(839.12);
        assertThat(t.promptEvalMillis()).hasValue(12.22);
        assertThat(t.promptTokens()).isEqualTo(43);
        assertThat(t.evalMillis()).hasValue(74.36);
        assertThat(t.evalRuns()).isEqualTo(19);
        assertThat(t.encodeMillis()).isEqualTo(1.0); // "done in 1 ms" + "done in 0 ms" twice
        assertThat(t.imageTokens()).isEqualTo(12); // three image batches of 4 tokens
        // from the "experimental CLI" warning (0.02.602.203) to the perf summary (0.02.761.600)
        assertThat(t.workMillis().getAsDouble()).isCloseTo(159.397, within(1e-6));
    }

    @Test
    void aRunThatStoppedBeforeItsSummaryIsIncomplete() {
        MtmdCliTimings t =
                MtmdCliLog.parse("0.00.810.969 W WARN: This is an experimental CLI for testing multimodal capability.\n"
                        + "0.00.817.522 E Unable to tokenize prompt, res = 2\n");
        assertThat(t.complete()).isFalse();
        assertThat(t.workMillis()).isEmpty();
        assertThat(t.evalRuns()).isEqualTo(-1);
    }

    @Test
    void timestampsAreMinutesSecondsMillisMicros() {
        assertThat(MtmdCliLog.stampMillis("1.02.003.500 I x")).isEqualTo(62_003.5);
        assertThat(MtmdCliLog.stampMillis("\u001b[34m0.00.849.976\u001b[0m I x"))
                .isEqualTo(849.976);
        assertThat(MtmdCliLog.stampMillis("no stamp here")).isNaN();
    }
}
