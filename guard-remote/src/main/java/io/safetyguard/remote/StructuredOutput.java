package io.safetyguard.remote;

/** How the answer is constrained to the policy's verdict format on the server. */
public enum StructuredOutput {
    /**
     * The best each engine offers: llama-server gets the GBNF grammar the in-process backend uses (the same
     * token-level constraint); SGLang, vLLM and other servers get the policy's JSON Schema through
     * {@code response_format}.
     */
    AUTO,
    /** The policy's JSON Schema: {@code response_format} (json_schema), or llama-server's {@code json_schema}. */
    JSON_SCHEMA,
    /**
     * A regular expression for the trained layout (4-space indented JSON): SGLang's {@code regex},
     * vLLM's {@code structured_outputs.regex} (vLLM 0.12 and newer). llama-server has no regex field.
     */
    REGEX,
    /** llama.cpp GBNF ({@code grammar}); llama-server only. */
    GRAMMAR,
    /** No constraint: the server samples freely and the parser copes. */
    NONE
}
