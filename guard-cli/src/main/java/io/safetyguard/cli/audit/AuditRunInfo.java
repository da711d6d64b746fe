package io.safetyguard.cli.audit;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the report says about the run that wrote it (the verdicts themselves come from the log).
 *
 * @param started         when this run began
 * @param finished        when it finished assessing
 * @param sources         the SOURCE arguments as given
 * @param policyName      the policy's name
 * @param policyFingerprint its full fingerprint
 * @param policyText      the rendered policy, exactly as the model read it
 * @param modelFile       the text model file
 * @param mmprojFile      the projector file
 * @param modelName       {@code ModelInfo.displayName()}
 * @param modelMetadata   {@code ModelInfo.metadata()}
 * @param tinyModel       the model is a random-weight test model: its verdicts mean nothing
 * @param settings        decoding and run settings, in display order
 * @param found           images the scan found for this run
 * @param skipped         files the scan skipped as not images
 * @param alreadyDone     lines already in the log when this run started (resumed)
 * @param assessed        images assessed by this run
 * @param warnings        scan warnings (unreadable folders, a repaired log)
 */
public record AuditRunInfo(
        Instant started,
        Instant finished,
        List<String> sources,
        String policyName,
        String policyFingerprint,
        String policyText,
        String modelFile,
        String mmprojFile,
        String modelName,
        Map<String, String> modelMetadata,
        boolean tinyModel,
        Map<String, String> settings,
        int found,
        int skipped,
        long alreadyDone,
        long assessed,
        List<String> warnings) {

    public AuditRunInfo {
        sources = List.copyOf(sources);
        modelMetadata = new LinkedHashMap<>(modelMetadata);
        settings = new LinkedHashMap<>(settings);
        warnings = List.copyOf(warnings);
    }

    /** Images per second assessed by this run; NaN when it assessed none. */
    public double imagesPerSecond() {
        double seconds = (finished.toEpochMilli() - started.toEpochMilli()) / 1000.0;
        return assessed == 0 || seconds <= 0 ? Double.NaN : assessed / seconds;
    }
}
