package io.safetyguard.cli.audit;

/**
 * How often the model chose one category in an audit.
 *
 * @param label      the policy label, e.g. {@code "O6: Weapons or Substance Abuse"}
 * @param id         its id, e.g. {@code "O6"}
 * @param detections verdicts with this category, whatever the rating (a Safe verdict can carry an
 *                   O-category, like the "detections" of the LlavaGuard ImageNet audit)
 * @param unsafe     of those, the ones rated Unsafe
 */
public record CategoryCount(String label, String id, long detections, long unsafe) {}
