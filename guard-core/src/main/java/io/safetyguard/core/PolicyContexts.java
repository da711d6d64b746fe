package io.safetyguard.core;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.safetyguard.policy.Policy;
import java.util.Objects;

/** A small cache of {@link PolicyContext}s by policy fingerprint. */
final class PolicyContexts {

    private static final int MAX_POLICIES = 64;

    private final boolean verdictOnly;
    private final Cache<String, PolicyContext> contexts =
            Caffeine.newBuilder().maximumSize(MAX_POLICIES).executor(Runnable::run).build();

    PolicyContexts(boolean verdictOnly) {
        this.verdictOnly = verdictOnly;
    }

    /** @throws io.safetyguard.policy.PolicyException when the policy cannot be turned into a grammar */
    PolicyContext get(Policy policy) {
        Objects.requireNonNull(policy, "policy");
        return contexts.get(policy.fingerprint(), f -> PolicyContext.of(policy, verdictOnly));
    }
}
