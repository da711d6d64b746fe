package io.safetyguard.llamacpp.internal.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GgufFloat16Test {

    // values and numpy's np.float32(v).astype(np.float16) bits
    private static final Object[][] NUMPY = {
        {0.0f, 0x0000},
        {-0.0f, 0x8000},
        {1.0f, 0x3C00},
        {-2.0f, 0xC000},
        {0.1f, 0x2E66},
        {0.3333333432674408f, 0x3555},
        {0.5f, 0x3800},
        {65504.0f, 0x7BFF},
        {65519.0f, 0x7BFF},
        {65520.0f, 0x7C00},
        {100000.0f, 0x7C00},
        {6.103515625e-05f, 0x0400},
        {5.999999848427251e-05f, 0x03EF},
        {5.960464477539063e-08f, 0x0001},
        {2.9802322387695312e-08f, 0x0000},
        {2.980232594040899e-08f, 0x0001},
        {9.99999993922529e-09f, 0x0000},
        {0.02f, 0x251F},
        {-0.01345600001513958f, 0xA2E4},
        {3.1415927410125732f, 0x4248},
        {1.0009765625f, 0x3C01},
        {1.00048828125f, 0x3C00},
        {1.00146484375f, 0x3C02},
    };

    @Test
    void matchesNumpy() {
        for (Object[] row : NUMPY) {
            float f = (Float) row[0];
            assertThat(Float16.fromFloat(f) & 0xFFFF).as("f16(%s)", f).isEqualTo((Integer) row[1]);
        }
    }

    @Test
    void everyHalfRoundTripsAndMidpointsRoundToEven() {
        for (int h = 0; h < 0x10000; h++) {
            float f = Float16.toFloat((short) h);
            if (Float.isNaN(f)) {
                assertThat(Float.isNaN(Float16.toFloat(Float16.fromFloat(f)))).isTrue();
                continue;
            }
            assertThat(Float16.fromFloat(f) & 0xFFFF).as("half 0x%04X", h).isEqualTo(h);
            int next = h + 1;
            if ((h & 0x7FFF) < 0x7BFF) { // finite successor of the same sign
                float g = Float16.toFloat((short) next);
                double mid = ((double) f + g) / 2; // exact in float: halves have 11 significant bits
                int even = (h & 1) == 0 ? h : next;
                assertThat(Float16.fromFloat((float) mid) & 0xFFFF)
                        .as("midpoint after 0x%04X", h)
                        .isEqualTo(even);
                float justBelow = Math.nextDown(Math.abs((float) mid)); // rounds down to |f| in magnitude
                assertThat(Float16.fromFloat(justBelow) & 0x7FFF).isEqualTo(h & 0x7FFF);
            }
        }
    }

    @Test
    void specialValues() {
        assertThat(Float16.fromFloat(Float.POSITIVE_INFINITY) & 0xFFFF).isEqualTo(0x7C00);
        assertThat(Float16.fromFloat(Float.NEGATIVE_INFINITY) & 0xFFFF).isEqualTo(0xFC00);
        assertThat(Float.isNaN(Float16.toFloat(Float16.fromFloat(Float.NaN)))).isTrue();
        assertThat(Float16.toFloat((short) 0x0001)).isEqualTo(0x1p-24f);
    }
}
