package io.safetyguard.cli;

import picocli.CommandLine.Option;

/**
 * {@code --trust-embedded} of {@code check} and {@code audit}: take a verdict stamped into an image (by
 * {@code --write-metadata}) instead of running the model, as {@code SafetyGuard.Builder.trustEmbeddedVerdicts}.
 */
final class TrustEmbeddedOption {

    @Option(
            names = "--trust-embedded",
            description = {
                "Take the verdict stamped in an image's XMP (by --write-metadata) instead of running the model.",
                "Only stamps whose policy fingerprint, model id and content digest match this run are trusted;",
                "stamps are not signed, so only trust files from your own pipeline."
            })
    boolean trustEmbedded;
}
