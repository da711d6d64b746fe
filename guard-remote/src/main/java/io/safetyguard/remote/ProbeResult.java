package io.safetyguard.remote;

/**
 * What a health probe ({@code GET /v1/models}) found.
 *
 * @param ok          the server answered 200 with a model list
 * @param dialect     the engine it reports (for {@link ServerDialect#AUTO}), null when not ok
 * @param servedModel the first model id it lists, or null
 * @param problem     why it is not ok, for messages; null when ok
 */
record ProbeResult(boolean ok, ServerDialect dialect, String servedModel, String problem) {

    static ProbeResult up(ServerDialect dialect, String servedModel) {
        return new ProbeResult(true, dialect, servedModel, null);
    }

    static ProbeResult down(String problem) {
        return new ProbeResult(false, null, null, problem);
    }
}
