/**
 * Micrometer metrics for SafetyGuard: {@link io.safetyguard.micrometer.SafetyGuardMetrics}, a
 * {@link io.safetyguard.core.GuardEventListener} that counts and times assessments in a
 * {@code MeterRegistry}.
 */
// micrometer-core is an automatic module (Automatic-Module-Name micrometer.core); its MeterRegistry
// and Tag appear in this module's API, so a reader needs it too.
@SuppressWarnings("requires-transitive-automatic")
module io.safetyguard.micrometer {
    requires transitive io.safetyguard.core;
    requires transitive micrometer.core;

    exports io.safetyguard.micrometer;
}
