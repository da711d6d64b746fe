package io.safetyguard.spark;

/**
 * What a Spark audit wrote.
 *
 * @param images  rows in the output (one per image path), this run's and earlier runs'
 * @param safe    rows rated Safe
 * @param unsafe  rows rated Unsafe
 * @param errors  rows without a verdict (unreadable, corrupt or oversized images, timeouts)
 * @param newRows rows this run added
 * @param judged  images this run sent to the model (unique digests; a task Spark retried counts again)
 * @param modelId the identity of the model that judged them
 */
public record SparkAuditResult(
        long images, long safe, long unsafe, long errors, long newRows, long judged, String modelId) {}
