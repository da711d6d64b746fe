package io.safetyguard.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.llamacpp.PromptLayout;
import io.safetyguard.policy.Policy;
import io.safetyguard.policy.VerdictGrammar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReferenceSetupTest {
    @TempDir
    Path dir;

    @Test
    void promptFileHoldsTheWholeConversationPlusTheNewlineMtmdCliDrops() throws Exception {
        Policy policy = Policy.llavaGuardDefault();
        Path file = PromptFiles.writePrompt(PromptLayout.CHATML, policy, dir.resolve("p.txt"));
        String text = Files.readString(file);
        assertThat(text)
                .startsWith("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n"
                        + PromptFiles.MEDIA_MARKER + "\n");
        assertThat(text).endsWith("<|im_end|>\n<|im_start|>assistant\n\n");
        assertThat(text.substring(0, text.length() - 1))
                .isEqualTo(PromptLayout.CHATML.render(policy.render(), PromptFiles.MEDIA_MARKER));
    }

    @Test
    void grammarFileIsSafetyGuardsGrammar() throws Exception {
        Policy policy = Policy.llavaGuardDefault();
        Path file = PromptFiles.writeGrammar(policy, true, dir.resolve("g.gbnf"));
        assertThat(Files.readString(file)).isEqualTo(VerdictGrammar.gbnf(policy, true));
    }

    @Test
    void commandRunsGreedyWithTheSameSettingsAndAVerbatimTemplate() {
        ReferenceSetup setup = new ReferenceSetup(
                Path.of("cli"),
                Path.of("m.gguf"),
                Path.of("p.gguf"),
                Path.of("prompt.txt"),
                Path.of("g.gbnf"),
                3,
                0,
                4096,
                512,
                256,
                77);
        List<String> c = setup.command(Path.of("img.png"));
        String line = String.join(" ", c);
        assertThat(c.get(0)).isEqualTo("cli");
        assertThat(line)
                .contains(
                        "-m m.gguf",
                        "--mmproj p.gguf",
                        "--image img.png",
                        "-f prompt.txt",
                        "--no-escape",
                        "--grammar-file g.gbnf",
                        "--temp 0",
                        "--top-k 1",
                        "-n 77",
                        "-t 3",
                        "-tb 3",
                        "-c 4096",
                        "-b 512",
                        "-ub 256",
                        "-ngl 0",
                        "-lv 4");
        assertThat(c).containsSubsequence("--jinja", "--chat-template", ReferenceSetup.VERBATIM_TEMPLATE);

        ReferenceSetup noGrammar = new ReferenceSetup(
                Path.of("cli"),
                Path.of("m.gguf"),
                Path.of("p.gguf"),
                Path.of("prompt.txt"),
                null,
                1,
                -1,
                2048,
                512,
                512,
                8);
        assertThat(noGrammar.command(Path.of("img.png"))).doesNotContain("--grammar-file");
    }
}
