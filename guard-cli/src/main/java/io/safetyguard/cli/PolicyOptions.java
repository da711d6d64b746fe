package io.safetyguard.cli;

import io.safetyguard.policy.Policy;
import io.safetyguard.policy.PolicyFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** The policy options shared by every command that needs a policy. */
final class PolicyOptions {

    static final class Source {
        @Option(
                names = "--preset",
                paramLabel = "NAME",
                description = "A built-in policy: llavaguard-v1.2 (default; also for v1.1 models) or llavaguard-v1.0.")
        String preset;

        @Option(names = "--policy", paramLabel = "FILE", description = "A policy file (.json, .yaml or .yml).")
        Path file;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Source source;

    @Option(
            names = "--allow",
            paramLabel = "ID",
            description =
                    "Declare a category non-violating (e.g. O6), as LlavaGuard's policy exceptions do. Repeatable.")
    List<String> allow = new ArrayList<>();

    @Option(
            names = "--sensitive",
            paramLabel = "ID",
            description = "Declare a category sensitive: any content of it is a violation. Repeatable.")
    List<String> sensitive = new ArrayList<>();

    /** The policy these options select, with the exceptions applied. */
    Policy resolve() {
        Policy base;
        if (source != null && source.file != null) {
            base = PolicyFiles.load(source.file);
        } else if (source != null && source.preset != null) {
            base = Policy.preset(source.preset);
        } else {
            base = Policy.llavaGuardDefault();
        }
        if (allow.isEmpty() && sensitive.isEmpty()) {
            return base;
        }
        Policy.Builder builder = base.toBuilder();
        allow.forEach(builder::allow);
        sensitive.forEach(builder::sensitive);
        return builder.build();
    }
}
