package io.safetyguard.llamacpp.internal.engine;

import io.safetyguard.core.spi.ModelRequest;

/** Where this backend gets the output constraint of a request: the one place that reads it. */
final class GrammarSource {

    private GrammarSource() {}

    /** The request's GBNF grammar, or null when the output is unconstrained. */
    static String of(ModelRequest request) {
        String grammar = request.grammar();
        return grammar == null || grammar.isBlank() ? null : grammar;
    }
}
