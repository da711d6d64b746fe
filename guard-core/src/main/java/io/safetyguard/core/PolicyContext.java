package io.safetyguard.core;

import io.safetyguard.policy.Policy;

/**
 * What one policy contributes to every request: the prompt and the parser for its categories.
 * Built once per policy fingerprint and reused. The answer's constraint (grammar, schema) is not
 * here: each backend derives its own from the policy.
 */
record PolicyContext(Policy policy, String fingerprint, String prompt, VerdictParser parser) {

    static PolicyContext of(Policy policy) {
        return new PolicyContext(
                policy, policy.fingerprint(), policy.render(), new VerdictParser(policy.categoryLabels()));
    }
}
