package io.safetyguard.cli.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds llama-mtmd-cli built from the same pinned llama.cpp as SafetyGuard's natives, building it when it is
 * missing. The build script ({@value #SCRIPT}) knows the pinned tag and where its cache puts the binary; it is found
 * by walking up from the working directory and from the jar's location to the repository root.
 */
public final class MtmdCliLocator {
    static final String SCRIPT = "guard-llamacpp/native/build-natives.sh";
    private static final String HOW_TO = "Build it with 'bash " + SCRIPT + " --cli-only' in a SafetyGuard checkout "
            + "(about 10 minutes on 2 cores) and pass its path with --mtmd-cli PATH, or use --no-reference to "
            + "benchmark SafetyGuard alone.";

    private final PrintStream log;

    public MtmdCliLocator(PrintStream log) {
        this.log = log;
    }

    /** Checks a binary the user named. */
    public Path explicit(Path cli) {
        if (!Files.isRegularFile(cli) || !Files.isExecutable(cli)) {
            throw new BenchException("--mtmd-cli " + cli + " is not an executable file. " + HOW_TO);
        }
        return cli;
    }

    /**
     * The cached binary for the pinned tag, built first when {@code build} allows it.
     *
     * @throws BenchException when there is no build script nearby, the binary is missing and may not be built, or
     *                        the build fails
     */
    public Path findOrBuild(boolean build) throws IOException, InterruptedException {
        Path script = findScript()
                .orElseThrow(() -> new BenchException("cannot find llama-mtmd-cli: no " + SCRIPT + " above "
                        + Path.of("").toAbsolutePath() + " or the guard jar. " + HOW_TO));
        // the script takes the native cache's lock first, so this waits while another native build runs
        log.println("guard bench: asking " + SCRIPT + " where llama-mtmd-cli is (pass --mtmd-cli PATH to skip this)");
        Path cli = Path.of(runScript(script, List.of("--print-cli-path"), false).strip());
        if (Files.isExecutable(cli)) {
            return cli;
        }
        if (!build) {
            throw new BenchException(
                    "llama-mtmd-cli for the pinned llama.cpp is not built yet (expected at " + cli + "). " + HOW_TO);
        }
        log.println(
                "guard bench: building llama-mtmd-cli from the pinned llama.cpp (about 10 minutes on 2 cores, once)");
        runScript(script, List.of("--cli-only"), true);
        if (!Files.isExecutable(cli)) {
            throw new BenchException("the build finished but " + cli + " is missing. " + HOW_TO);
        }
        return cli;
    }

    Optional<Path> findScript() {
        List<Path> starts = new ArrayList<>();
        starts.add(Path.of("").toAbsolutePath());
        try {
            starts.add(Path.of(MtmdCliLocator.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI()));
        } catch (URISyntaxException | RuntimeException e) {
            // no code source (unusual class loader): the working directory is enough
        }
        for (Path start : starts) {
            for (Path dir = start; dir != null; dir = dir.getParent()) {
                Path candidate = dir.resolve(SCRIPT);
                if (Files.isRegularFile(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    private String runScript(Path script, List<String> args, boolean showOutput)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(script.getParent().getParent().getParent().toFile());
        // the build's progress goes to our stderr; only --print-cli-path's stdout is read
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        if (showOutput) {
            pb.redirectOutput(ProcessBuilder.Redirect.INHERIT);
        }
        Process p = pb.start();
        String out = showOutput ? "" : new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        if (rc != 0) {
            throw new BenchException(
                    script + " " + String.join(" ", args) + " failed (exit " + rc + "; its log is above). " + HOW_TO);
        }
        return out;
    }
}
