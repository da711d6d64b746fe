package io.safetyguard.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.core.image.TestImages;
import io.safetyguard.core.metadata.VerdictMetadata;
import io.safetyguard.core.spi.ModelOutput;
import io.safetyguard.policy.Policy;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** {@link SafetyGuard.Builder#trustEmbeddedVerdicts}: when a stamped verdict replaces the model, and when not. */
class EmbeddedVerdictTrustTest {

    private static FakeSafetyModel model(String id, String answer, double pUnsafe) {
        return new FakeSafetyModel(id)
                .behaving((r, i) -> new ModelOutput(answer, OptionalDouble.of(pUnsafe), 10, 5, 1, 1, 1));
    }

    /** A PNG stamped with the Unsafe O3 verdict that a guard over model "stamper" gave it. */
    private static byte[] stampedPng(int colour, Policy policy) throws Exception {
        byte[] png = TestImages.png(TestImages.gradient(16, 12 + colour));
        try (SafetyGuard stamper = SafetyGuard.builder()
                .model(model("fake-model", FakeSafetyModel.UNSAFE_O3, 0.8))
                .policy(policy)
                .build()) {
            return VerdictMetadata.write(png, stamper.assess(ImageInput.ofBytes(png)));
        }
    }

    private static SafetyGuard trusting(FakeSafetyModel model) {
        return SafetyGuard.builder().model(model).trustEmbeddedVerdicts(true).build();
    }

    @Test
    void aMatchingStampIsReturnedWithoutRunningTheModel() throws Exception {
        byte[] stamped = stampedPng(1, Policy.llavaGuardDefault());
        FakeSafetyModel model = model("fake-model", FakeSafetyModel.SAFE, 0.1);
        try (SafetyGuard guard = trusting(model)) {
            Verdict v = guard.assess(ImageInput.ofBytes(stamped, "stamped.png"));
            assertThat(model.calls()).isZero();
            assertThat(v.source()).isEqualTo(VerdictSource.EMBEDDED);
            assertThat(v.rating()).isEqualTo(Rating.UNSAFE);
            assertThat(v.modelRating()).contains(Rating.UNSAFE);
            assertThat(v.category()).hasValueSatisfying(c -> assertThat(c.id()).isEqualTo("O3"));
            assertThat(v.probabilityUnsafe()).hasValue(0.8);
            assertThat(v.rationale()).contains("The image contains explicit content.");
            assertThat(v.modelMillis()).isZero();
            assertThat(v.imageDigest()).contains(io.safetyguard.core.image.ImageDecoder.sha256(stamped));
        }
    }

    @Test
    void byDefaultTheModelAlwaysRuns() throws Exception {
        byte[] stamped = stampedPng(2, Policy.llavaGuardDefault());
        FakeSafetyModel model = model("fake-model", FakeSafetyModel.SAFE, 0.1);
        try (SafetyGuard guard = SafetyGuard.builder().model(model).build()) {
            Verdict v = guard.assess(ImageInput.ofBytes(stamped));
            assertThat(model.calls()).isEqualTo(1);
            assertThat(v.source()).isEqualTo(VerdictSource.MODEL);
            assertThat(v.rating()).isEqualTo(Rating.SAFE);
        }
    }

    @Test
    void anotherPolicyRunsTheModel() throws Exception {
        byte[] stamped =
                stampedPng(3, Policy.llavaGuardDefault().toBuilder().allow("O6").build());
        FakeSafetyModel model = model("fake-model", FakeSafetyModel.SAFE, 0.1);
        try (SafetyGuard guard = trusting(model)) {
            assertThat(guard.assess(ImageInput.ofBytes(stamped)).source()).isEqualTo(VerdictSource.MODEL);
            assertThat(model.calls()).isEqualTo(1);
        }
    }

    @Test
    void anotherModelRunsTheModel() throws Exception {
        byte[] stamped = stampedPng(4, Policy.llavaGuardDefault());
        FakeSafetyModel other = model("other-model", FakeSafetyModel.SAFE, 0.1);
        try (SafetyGuard guard = trusting(other)) {
            assertThat(guard.assess(ImageInput.ofBytes(stamped)).source()).isEqualTo(VerdictSource.MODEL);
            assertThat(other.calls()).isEqualTo(1);
        }
    }

    @Test
    void anImageChangedAfterStampingRunsTheModel() throws Exception {
        byte[] stamped = stampedPng(5, Policy.llavaGuardDefault());
        // another tool adds a chunk after stamping: the stamp no longer vouches for this file
        byte[] edited = io.safetyguard.core.metadata.VerdictMetadataTestSupport.addPngTextChunk(stamped, "Note", "x");
        FakeSafetyModel model = model("fake-model", FakeSafetyModel.SAFE, 0.1);
        try (SafetyGuard guard = trusting(model)) {
            assertThat(guard.assess(ImageInput.ofBytes(edited)).source()).isEqualTo(VerdictSource.MODEL);
            assertThat(model.calls()).isEqualTo(1);
        }
    }

    @Test
    void unreadableMetadataRunsTheModelInsteadOfFailing() throws Exception {
        byte[] stamped = stampedPng(6, Policy.llavaGuardDefault());
        String text = new String(stamped, java.nio.charset.StandardCharsets.ISO_8859_1)
                .replace(">0.8<", ">0.x<"); // breaks the stamp and the chunk's CRC
        byte[] broken = text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        FakeSafetyModel model = model("fake-model", FakeSafetyModel.SAFE, 0.1);
        try (SafetyGuard guard = trusting(model)) {
            Verdict v = guard.assess(ImageInput.ofBytes(broken));
            assertThat(model.calls()).isEqualTo(1);
            assertThat(v.source()).isEqualTo(VerdictSource.MODEL);
        }
    }

    @Test
    void theTrustingGuardsThresholdReratesTheEmbeddedVerdict() throws Exception {
        byte[] stamped = stampedPng(7, Policy.llavaGuardDefault()); // Unsafe, P(Unsafe) 0.8
        FakeSafetyModel model = model("fake-model", FakeSafetyModel.SAFE, 0.1);
        try (SafetyGuard guard = SafetyGuard.builder()
                .model(model)
                .trustEmbeddedVerdicts(true)
                .unsafeThreshold(0.9)
                .build()) {
            Verdict v = guard.assess(ImageInput.ofBytes(stamped));
            assertThat(v.source()).isEqualTo(VerdictSource.EMBEDDED);
            assertThat(v.rating()).isEqualTo(Rating.SAFE);
            assertThat(v.ratingSource()).isEqualTo(RatingSource.THRESHOLD);
            assertThat(model.calls()).isZero();
        }
    }

    @Test
    void pixelInputsAndUnstampedImagesRunTheModel() throws Exception {
        FakeSafetyModel model = model("fake-model", FakeSafetyModel.SAFE, 0.1);
        try (SafetyGuard guard = trusting(model)) {
            guard.assess(ImageInput.ofImage(TestImages.gradient(8, 8)));
            guard.assess(ImageInput.ofBytes(TestImages.gif(TestImages.gradient(8, 8))));
            guard.assess(ImageInput.ofBytes(TestImages.png(TestImages.gradient(9, 9))));
            assertThat(model.calls()).isEqualTo(3);
        }
    }
}
