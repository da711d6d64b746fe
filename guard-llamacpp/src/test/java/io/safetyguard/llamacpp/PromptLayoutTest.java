package io.safetyguard.llamacpp;

import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.policy.Policy;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PromptLayoutTest {

    private static final String MARKER = "<__media__>";

    @Test
    void chatMlIsTheLlavaNextQwenTrainingLayout() {
        String p = PromptLayout.CHATML.render("Policy text.\n}\n", MARKER);
        assertThat(p)
                .isEqualTo("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
                        + "<|im_start|>user\n<__media__>\nPolicy text.\n}<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void vicunaIsTheLlavaV1TrainingLayout() {
        String p = PromptLayout.VICUNA_V1.render("\nPolicy text.\n}.\n", MARKER);
        assertThat(p)
                .isEqualTo("A chat between a curious user and an artificial intelligence assistant. "
                        + "The assistant gives helpful, detailed, and polite answers to the user's questions. "
                        + "USER: <__media__>\nPolicy text.\n}. ASSISTANT:");
    }

    @Test
    void policyIsStrippedLikeTrainingDid() {
        // LLaVA(-NeXT) preprocess_multimodal: text.replace("<image>", "").strip(), then "<image>\n" + text
        String policy = Policy.llavaGuardDefault().render();
        assertThat(policy).endsWith("}\n");
        String p = PromptLayout.CHATML.render(policy, MARKER);
        assertThat(p).contains(MARKER + "\n" + policy.strip() + "<|im_end|>");
        assertThat(p).doesNotContain("}\n<|im_end|>");
        assertThat(PromptLayout.CHATML.render("  a b \n\n", MARKER)).contains("\na b<|im_end|>");
    }

    @Test
    void imageComesFirstThenNewlineThenPolicy() {
        for (PromptLayout l : PromptLayout.values()) {
            String p = l.render("POLICY", MARKER);
            assertThat(p).containsOnlyOnce(MARKER);
            assertThat(p).contains(MARKER + "\nPOLICY");
            assertThat(l.textBeforeMedia() + MARKER + l.textAfterMedia("POLICY"))
                    .isEqualTo(p);
        }
    }

    @Test
    void detectsFromVersionKeyFirstThenArchitecture() {
        assertThat(PromptLayout.detect("llama", "v1.2")).contains(PromptLayout.CHATML);
        assertThat(PromptLayout.detect("qwen2", "v1.1")).contains(PromptLayout.VICUNA_V1);
        assertThat(PromptLayout.detect("qwen2", "1.0")).contains(PromptLayout.VICUNA_V1);
        assertThat(PromptLayout.detect("qwen2", null)).contains(PromptLayout.CHATML);
        assertThat(PromptLayout.detect("llama", "")).contains(PromptLayout.VICUNA_V1);
        assertThat(PromptLayout.detect("gemma3", null)).isEqualTo(Optional.empty());
        assertThat(PromptLayout.detect("gemma3", "v9")).isEqualTo(Optional.empty());
        assertThat(PromptLayout.detect(null, null)).isEmpty();
    }
}
