package io.safetyguard.cli;

import io.safetyguard.examples.desktop.DesktopExample;
import io.safetyguard.policy.Policy;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code guard example desktop}: {@link DesktopExample}'s window over the model the flags select. */
@Command(
        name = "desktop",
        mixinStandardHelpOptions = true,
        description = {
            "A small window that checks dropped or opened images in-process and shows the verdict.",
            "Needs a display (on a server: xvfb-run). Returns when the window is closed."
        })
final class ExampleDesktopCommand implements Callable<Integer> {

    @Mixin
    ModelOptions modelOptions = new ModelOptions();

    @Mixin
    PolicyOptions policyOptions = new PolicyOptions();

    @Mixin
    DecodingOptions decoding = new DecodingOptions();

    @Parameters(arity = "0..1", paramLabel = "IMAGE", description = "An image to check at start-up.")
    Path image;

    @Override
    public Integer call() throws InterruptedException {
        DesktopExample.requireDisplay(); // before the model load
        Policy policy = policyOptions.resolve();
        try (GuardSession session = GuardSession.open(modelOptions, decoding, policy, System.err)) {
            DesktopExample.showAndWait(session.guard(), image);
        }
        return ExitCodes.OK;
    }
}
