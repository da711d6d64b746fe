package io.safetyguard.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the CLI in-process and captures its exit code, stdout bytes and stderr text. */
record CliRun(int exitCode, byte[] stdout, String stderr) {

    static synchronized CliRun of(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            System.setErr(e);
            var cli = GuardCli.newCommandLine();
            cli.setOut(new java.io.PrintWriter(o, true));
            cli.setErr(new java.io.PrintWriter(e, true));
            int code = cli.execute(args);
            o.flush();
            e.flush();
            return new CliRun(code, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    String stdoutText() {
        return new String(stdout, StandardCharsets.UTF_8);
    }
}
