package io.safetyguard.core;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.safetyguard.policy.Policy;
import java.util.Objects;

/** A small cache of {@link PolicyContext}s by policy fingerprint. */
final class PolicyContexts {

    private static final int MAX_POLICIES = 64;

    private final Cache<String, PolicyContext> contexts = Caffeine.newBuilder()
            .maximumSize(MAX_POLICIES)
            .executor(Runnable::run)
            .build();

    /** @throws NullPointerException when the policy is null */
    PolicyContext get(Policy policy) {
        Objects.requireNonNull(policy, "policy");
        return contexts.get(policy.fingerprint(), f -> PolicyContext.of(policy));
    }
}
