package io.safetyguard.cli.eval;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an eval report says about its run.
 *
 * @param labels            the labels file
 * @param started           when the run began
 * @param finished          when it ended
 * @param policyName        the base policy's name
 * @param policyFingerprint the base policy's fingerprint (exception samples use it plus one allowed category)
 * @param policyText        the base policy as the model read it
 * @param modelFile         the text model file
 * @param mmprojFile        the projector file
 * @param modelName         {@code ModelInfo.displayName()}
 * @param modelMetadata     {@code ModelInfo.metadata()}
 * @param tinyModel         a random-weight test model: the figures mean nothing
 * @param settings          decoding and run settings, in display order
 */
public record EvalRunInfo(
        String labels,
        Instant started,
        Instant finished,
        String policyName,
        String policyFingerprint,
        String policyText,
        String modelFile,
        String mmprojFile,
        String modelName,
        Map<String, String> modelMetadata,
        boolean tinyModel,
        Map<String, String> settings) {

    public EvalRunInfo {
        modelMetadata = new LinkedHashMap<>(modelMetadata);
        settings = new LinkedHashMap<>(settings);
    }
}
