package io.safetyguard.core.metadata;

import io.safetyguard.core.FakeSafetyModel;
import io.safetyguard.core.ImageInput;
import io.safetyguard.core.SafetyGuard;
import io.safetyguard.core.Verdict;
import io.safetyguard.core.image.TestImages;
import io.safetyguard.core.spi.ModelOutput;
import java.util.OptionalDouble;

/** Real verdicts, made by a guard over the fake model, to stamp in tests. */
final class StampedVerdicts {
    private StampedVerdicts() {}

    static Verdict unsafe(double pUnsafe) {
        return verdict(FakeSafetyModel.UNSAFE_O3, pUnsafe);
    }

    static Verdict safe(double pUnsafe) {
        return verdict(FakeSafetyModel.SAFE, pUnsafe);
    }

    private static Verdict verdict(String answer, double pUnsafe) {
        FakeSafetyModel model = new FakeSafetyModel()
                .behaving((r, i) -> new ModelOutput(answer, OptionalDouble.of(pUnsafe), 10, 5, 1, 1, 1));
        try (SafetyGuard guard = SafetyGuard.builder().model(model).build()) {
            return guard.assess(ImageInput.ofBytes(TestImages.pngOfColour(0x336699)));
        }
    }
}
