package io.safetyguard.core.frames;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FrameRuleTest {

    @Test
    void anyFlagsOneUnsafeFrame() {
        assertThat(FrameRule.any().isUnsafe(0, 50)).isFalse();
        assertThat(FrameRule.any().isUnsafe(1, 50)).isTrue();
    }

    @Test
    void atLeastCountsUnsafeFrames() {
        FrameRule rule = FrameRule.atLeast(3);
        assertThat(rule.isUnsafe(2, 50)).isFalse();
        assertThat(rule.isUnsafe(3, 50)).isTrue();
        // a clip of fewer judged frames than k is unsafe when all of them are
        assertThat(rule.isUnsafe(2, 2)).isTrue();
        assertThat(rule.isUnsafe(1, 2)).isFalse();
        assertThat(rule.isUnsafe(0, 0)).isFalse();
    }

    @Test
    void shareComparesTheUnsafeFractionInclusively() {
        FrameRule rule = FrameRule.share(0.2);
        assertThat(rule.isUnsafe(1, 6)).isFalse();
        assertThat(rule.isUnsafe(1, 5)).isTrue();
        assertThat(FrameRule.share(0.3).isUnsafe(3, 10)).isTrue(); // 0.3 * 10 is not exactly 3 in binary
        assertThat(FrameRule.share(0.3).isUnsafe(2, 10)).isFalse();
        assertThat(FrameRule.share(1).isUnsafe(9, 10)).isFalse();
        assertThat(FrameRule.share(1).isUnsafe(10, 10)).isTrue();
    }

    @Test
    void theCommandLineFormRoundTrips() {
        assertThat(FrameRule.parse("any")).isEqualTo(FrameRule.any());
        assertThat(FrameRule.parse("k:3")).isEqualTo(FrameRule.atLeast(3));
        assertThat(FrameRule.parse(" SHARE:0.25 ")).isEqualTo(FrameRule.share(0.25));
        assertThat(FrameRule.atLeast(3).toString()).isEqualTo("k:3");
        assertThat(FrameRule.atLeast(1).toString()).isEqualTo("any");
        assertThat(FrameRule.share(0.25).toString()).isEqualTo("share:0.25");
    }

    @Test
    void badRulesSayWhatIsAccepted() {
        assertThatThrownBy(() -> FrameRule.parse("most"))
                .hasMessage(
                        "unknown frame rule 'most': use any, k:N (at least N unsafe frames) or share:S (0 < S <= 1)");
        assertThatThrownBy(() -> FrameRule.parse("k:x")).hasMessageContaining("unknown frame rule 'k:x'");
        assertThatThrownBy(() -> FrameRule.parse("k:0")).hasMessageContaining("k must be >= 1, got 0");
        assertThatThrownBy(() -> FrameRule.parse("share:0")).hasMessageContaining("share must be in (0, 1], got 0.0");
        assertThatThrownBy(() -> FrameRule.parse("share:1.5")).hasMessageContaining("got 1.5");
    }
}
