package io.safetyguard.core.frames;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FrameSamplingTest {

    @Test
    void evenlyKeepsTheFirstAndLastAndSpacesTheRest() {
        assertThat(FrameSampling.evenly(5).select(50)).containsExactly(0, 12, 25, 37, 49);
        assertThat(FrameSampling.evenly(2).select(50)).containsExactly(0, 49);
        assertThat(FrameSampling.evenly(3).select(4)).containsExactly(0, 2, 3);
        assertThat(FrameSampling.evenly(1).select(50)).containsExactly(0);
    }

    @Test
    void evenlyTakesEveryFrameOfAShortClip() {
        assertThat(FrameSampling.evenly(8).select(3)).containsExactly(0, 1, 2);
        assertThat(FrameSampling.evenly(8).select(8)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(FrameSampling.evenly(8).select(0)).isEmpty();
    }

    @Test
    void picksAreAlwaysDistinctAndAscending() {
        for (int n = 1; n <= 12; n++) {
            for (int count = 1; count <= 40; count++) {
                int[] picked = FrameSampling.evenly(n).select(count);
                assertThat(picked).hasSize(Math.min(n, count)).isSorted().doesNotHaveDuplicates();
                assertThat(picked[0]).isZero();
                assertThat(picked[picked.length - 1]).isEqualTo(n == 1 ? 0 : count - 1);
            }
        }
    }

    @Test
    void everyKthStartsAtTheFirstFrame() {
        assertThat(FrameSampling.everyKth(3).select(10)).containsExactly(0, 3, 6, 9);
        assertThat(FrameSampling.everyKth(4).select(10)).containsExactly(0, 4, 8);
        assertThat(FrameSampling.everyKth(1).select(3)).containsExactly(0, 1, 2);
        assertThat(FrameSampling.all().select(3)).containsExactly(0, 1, 2);
    }

    @Test
    void aLimitOnEveryKthSpreadsOverTheCandidates() {
        // candidates 0, 2, 4, ..., 98 (50 of them); 3 of those: the first, the middle one, the last
        assertThat(FrameSampling.everyKth(2).limit(3).select(100)).containsExactly(0, 50, 98);
    }

    @Test
    void badArgumentsAreRefused() {
        assertThatThrownBy(() -> FrameSampling.evenly(0)).hasMessageContaining("must be >= 1, got 0");
        assertThatThrownBy(() -> FrameSampling.everyKth(0)).hasMessageContaining("frame step must be >= 1");
    }
}
