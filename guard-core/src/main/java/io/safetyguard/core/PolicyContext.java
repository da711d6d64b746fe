package io.safetyguard.core;

import io.safetyguard.policy.Policy;
import io.safetyguard.policy.VerdictGrammar;

/**
 * What one policy contributes to every request: the prompt, the grammar, the parser for its
 * categories. Built once per policy fingerprint and reused (rendering the grammar is not free).
 */
record PolicyContext(Policy policy, String fingerprint, String prompt, String grammar, VerdictParser parser) {

    static PolicyContext of(Policy policy, boolean verdictOnly) {
        return new PolicyContext(policy, policy.fingerprint(), policy.render(),
                VerdictGrammar.gbnf(policy, verdictOnly), new VerdictParser(policy.categoryLabels()));
    }
}
