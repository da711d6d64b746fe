package io.safetyguard.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.safetyguard.policy.Policy;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of {@link VerdictParser} (package-private, hence this package) with
 * Jazzer. Model output is untrusted text: any text must give a consistent verdict or a {@link
 * VerdictParseException} with a message. {@code parse} turns a stray unchecked exception into a
 * {@code VerdictParseException} ("could not parse the answer: ...") so that it never reaches the
 * host; here that safety net counts as a finding, since it means the parser has a bug.
 *
 * <p>The input bytes are read as UTF-8, so the seeds under {@code
 * src/test/resources/io/safetyguard/core/VerdictParserFuzzTestInputs/parse/} are plain text
 * files. A plain {@code mvn test} runs only those seeds; to fuzz, see docs/reliability.md.
 */
class VerdictParserFuzzTest {

    private static final Policy POLICY = Policy.llavaGuardDefault();
    private static final VerdictParser PARSER = new VerdictParser(POLICY.categoryLabels());

    /** The message prefix of {@code VerdictParser.parse}'s catch-all for unchecked exceptions. */
    private static final String SAFETY_NET = "could not parse the answer: ";

    @FuzzTest(maxDuration = "5m")
    @Timeout(value = 5, unit = TimeUnit.SECONDS)
    void parse(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        ParsedVerdict verdict;
        try {
            verdict = PARSER.parse(text);
        } catch (VerdictParseException e) {
            assertThat(e.getMessage()).isNotBlank().doesNotStartWith(SAFETY_NET);
            return;
        }
        assertThat(verdict.rating()).isNotNull();
        assertThat(POLICY.categoryLabels()).contains(verdict.category());
        verdict.rationale()
                .ifPresent(r -> assertThat(r).isNotBlank().hasSizeLessThanOrEqualTo(VerdictParser.MAX_RATIONALE_CHARS));
    }
}
