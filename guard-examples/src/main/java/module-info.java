/**
 * Worked integrations of SafetyGuard: a guarded text-to-image client ({@code .t2i}), a folder
 * filter ({@code .filter}) and a desktop viewer ({@code .desktop}), each runnable as a command.
 */
module io.safetyguard.examples {
    requires transitive io.safetyguard.core;
    requires io.safetyguard.llamacpp;
    requires com.fasterxml.jackson.core;
    requires com.fasterxml.jackson.databind;
    requires java.net.http;
    requires info.picocli;

    exports io.safetyguard.examples;
    exports io.safetyguard.examples.desktop;
    exports io.safetyguard.examples.filter;
    exports io.safetyguard.examples.t2i;

    // picocli reads and sets the @Option/@Parameters fields of the commands.
    opens io.safetyguard.examples to info.picocli;
    opens io.safetyguard.examples.desktop to info.picocli;
    opens io.safetyguard.examples.filter to info.picocli;
    opens io.safetyguard.examples.t2i to info.picocli;
}
