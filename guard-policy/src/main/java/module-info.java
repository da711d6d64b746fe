/**
 * Safety policies as LlavaGuard reads them: {@link io.safetyguard.policy.Policy}, its
 * {@link io.safetyguard.policy.Category categories}, policy files (YAML/JSON) and the verdict grammar.
 */
module io.safetyguard.policy {
    requires com.fasterxml.jackson.annotation;
    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.yaml;
    requires org.yaml.snakeyaml;

    exports io.safetyguard.policy;

    // Policy files bind to PolicyDocument's private fields.
    opens io.safetyguard.policy to
            com.fasterxml.jackson.databind;
}
