package io.safetyguard.core;

import io.safetyguard.core.metadata.EmbeddedVerdict;
import io.safetyguard.core.metadata.VerdictMetadata;
import io.safetyguard.core.metadata.VerdictMetadataException;
import java.util.Optional;

/**
 * Turns a stamp in an image's metadata into a verdict, for a guard that trusts stamps: only a
 * stamp made under the call's policy fingerprint and the guard's model id, on unchanged content.
 */
final class EmbeddedVerdicts {

    private static final System.Logger LOG = System.getLogger(EmbeddedVerdicts.class.getName());

    private final String modelId;

    EmbeddedVerdicts(String modelId) {
        this.modelId = modelId;
    }

    /** The stamped verdict, or null when there is none this guard may trust (then the model runs). */
    Verdict lookup(ImageInput.Prepared image, PolicyContext policy, long start) {
        byte[] encoded = image.encoded();
        if (encoded == null || !VerdictMetadata.supports(encoded)) {
            return null;
        }
        Optional<EmbeddedVerdict> read;
        try {
            read = VerdictMetadata.read(encoded);
        } catch (VerdictMetadataException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> image.name() + ": embedded verdict ignored: " + e.getMessage());
            return null;
        }
        if (read.isEmpty()) {
            return null;
        }
        EmbeddedVerdict stamp = read.get();
        if (!stamp.matches(policy.fingerprint(), modelId)) {
            LOG.log(
                    System.Logger.Level.DEBUG,
                    () -> image.name() + ": embedded verdict not trusted ("
                            + (stamp.contentIntact()
                                    ? "made under another policy or model"
                                    : "image changed after stamping")
                            + ")");
            return null;
        }
        String label = stamp.categoryLabel().orElse(null);
        return Verdict.builder()
                .modelRating(stamp.modelRating())
                .category(label, policy.policy().categoryForLabel(label).orElse(null))
                .rationale(stamp.rationale().orElse(null))
                .probabilityUnsafe(stamp.probabilityUnsafe())
                .policyFingerprint(stamp.policyFingerprint())
                .modelId(stamp.modelId())
                .imageDigest(image.sha256())
                .source(VerdictSource.EMBEDDED)
                .totalMillis(Timing.millisSince(start))
                .modelMillis(0)
                .build();
    }
}
