package io.safetyguard.core;

/**
 * Everything a verdict depends on. Leaving any part out would serve one model's or one policy's
 * verdict for another.
 *
 * @param imageSha256       digest of the image bytes
 * @param policyFingerprint digest of the rendered policy prompt
 * @param modelId           {@code ModelInfo.id()}
 * @param generation        {@code GenerationOptions.cacheKeyPart()}
 */
record CacheKey(String imageSha256, String policyFingerprint, String modelId, String generation) {

    static CacheKey of(
            String imageSha256,
            PolicyContext policy,
            String modelId,
            io.safetyguard.core.spi.GenerationOptions options) {
        return new CacheKey(imageSha256, policy.fingerprint(), modelId, options.cacheKeyPart());
    }
}
