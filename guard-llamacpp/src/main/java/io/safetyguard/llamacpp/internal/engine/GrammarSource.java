package io.safetyguard.llamacpp.internal.engine;

import io.safetyguard.core.spi.ModelRequest;
import io.safetyguard.policy.VerdictGrammar;

/**
 * Where this backend gets the output constraint of a request, the one place that derives it: llama.cpp
 * takes a GBNF grammar, built here from the request's policy (its category ids and whether the rationale
 * is wanted). The SPI carries only the policy, so other backends derive their own form of it.
 */
final class GrammarSource {

    private GrammarSource() {}

    /** The GBNF grammar of the request's policy, or null when the request is unconstrained. */
    static String of(ModelRequest request) {
        return request.policy() == null ? null : VerdictGrammar.gbnf(request.policy(), request.verdictOnly());
    }
}
