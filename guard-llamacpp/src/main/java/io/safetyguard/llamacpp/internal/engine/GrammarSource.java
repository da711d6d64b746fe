package io.safetyguard.llamacpp.internal.engine;

import io.safetyguard.core.spi.ModelRequest;
import io.safetyguard.policy.VerdictGrammar;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Where this backend gets the output constraint of a request, the one place that derives it: llama.cpp
 * takes a GBNF grammar, built here from the request's policy (its category ids and whether the rationale
 * is wanted). The SPI carries only the policy, so other backends derive their own form of it.
 *
 * <p>Rendered once per policy and mode, not per image (a process sees a handful of policies), as the
 * remote backend does with its schema and regex.
 */
final class GrammarSource {

    private static final int MAX_ENTRIES = 64;

    private final ConcurrentMap<String, String> grammars = new ConcurrentHashMap<>();

    /** The GBNF grammar of the request's policy, or null when the request is unconstrained. */
    String of(ModelRequest request) {
        if (request.policy() == null) {
            return null;
        }
        if (grammars.size() > MAX_ENTRIES) {
            grammars.clear();
        }
        String key = request.policy().fingerprint() + (request.verdictOnly() ? "/verdict-only" : "/full");
        return grammars.computeIfAbsent(key, k -> VerdictGrammar.gbnf(request.policy(), request.verdictOnly()));
    }
}
