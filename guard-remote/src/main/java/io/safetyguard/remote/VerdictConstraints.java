package io.safetyguard.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.safetyguard.policy.Policy;
import io.safetyguard.policy.VerdictGrammar;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** The policy-derived JSON Schema and regex per policy, computed once (a handful of policies per process). */
final class VerdictConstraints {

    private static final int MAX_ENTRIES = 64;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ConcurrentMap<String, JsonNode> schemas = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, String> regexes = new ConcurrentHashMap<>();

    JsonNode schema(Policy policy, boolean verdictOnly) {
        trim(schemas);
        return schemas.computeIfAbsent(key(policy, verdictOnly), k -> {
            try {
                JsonNode schema = JSON.readTree(VerdictGrammar.jsonSchema(policy, verdictOnly));
                // "$schema" is documentation; some engines' schema compilers reject unknown keywords
                ((com.fasterxml.jackson.databind.node.ObjectNode) schema).remove("$schema");
                return schema;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    String regex(Policy policy, boolean verdictOnly) {
        trim(regexes);
        return regexes.computeIfAbsent(key(policy, verdictOnly), k -> VerdictRegex.of(policy, verdictOnly));
    }

    private static String key(Policy policy, boolean verdictOnly) {
        return policy.fingerprint() + (verdictOnly ? "/verdict-only" : "/full");
    }

    private static void trim(ConcurrentMap<String, ?> map) {
        if (map.size() > MAX_ENTRIES) {
            map.clear();
        }
    }
}
