package io.safetyguard.cli.bench;

import io.safetyguard.llamacpp.PromptLayout;
import io.safetyguard.policy.Policy;
import io.safetyguard.policy.VerdictGrammar;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes the prompt and grammar files llama-mtmd-cli reads, from the same sources SafetyGuard uses. */
public final class PromptFiles {
    /** libmtmd's default media marker, which mtmd-cli replaces with the image. */
    public static final String MEDIA_MARKER = "<__media__>";

    private PromptFiles() {}

    /**
     * The prompt file: the whole conversation text as {@code layout} renders it. mtmd-cli's {@code -f} drops one
     * trailing newline, and the ChatML layout ends with one, so one more is written.
     */
    public static Path writePrompt(PromptLayout layout, Policy policy, Path file) throws IOException {
        Files.writeString(file, promptText(layout, policy) + "\n", StandardCharsets.UTF_8);
        return file;
    }

    /** The prompt exactly as SafetyGuard evaluates it, with {@link #MEDIA_MARKER} where the image goes. */
    public static String promptText(PromptLayout layout, Policy policy) {
        return layout.render(policy.render(), MEDIA_MARKER);
    }

    /** The GBNF grammar SafetyGuard constrains the answer with. */
    public static Path writeGrammar(Policy policy, boolean verdictOnly, Path file) throws IOException {
        Files.writeString(file, VerdictGrammar.gbnf(policy, verdictOnly), StandardCharsets.UTF_8);
        return file;
    }
}
