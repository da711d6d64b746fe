/**
 * Worked integrations of SafetyGuard: a guarded text-to-image client ({@code .t2i}), a folder
 * filter ({@code .filter}) and a desktop viewer ({@code .desktop}), each a short program with a plain {@code main}.
 */
module io.safetyguard.examples {
    requires transitive io.safetyguard.core;
    requires io.safetyguard.llamacpp;
    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.databind;
    requires java.net.http;

    exports io.safetyguard.examples;
    exports io.safetyguard.examples.desktop;
    exports io.safetyguard.examples.filter;
    exports io.safetyguard.examples.t2i;
}
