package io.safetyguard.llamacpp.tools.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class KeyLayoutTest {

    @Test
    void detectsTheLayoutBeforeTransformers452() throws Exception {
        assertThat(KeyLayout.detect(TestCheckpoint.onevision().tensorShapes().keySet()))
                .isEqualTo(KeyLayout.BEFORE_4_52);
        assertThat(KeyLayout.detect(List.of(
                        "language_model.model.embed_tokens.weight",
                        "language_model.lm_head.weight",
                        "vision_tower.vision_model.embeddings.class_embedding",
                        "multi_modal_projector.linear_1.weight")))
                .isEqualTo(KeyLayout.BEFORE_4_52);
    }

    @Test
    void detectsTheLayoutSinceTransformers452() throws Exception {
        assertThat(KeyLayout.detect(TestCheckpoint.llava()
                        .layout(KeyLayout.SINCE_4_52)
                        .tensorShapes()
                        .keySet()))
                .isEqualTo(KeyLayout.SINCE_4_52);
        assertThat(KeyLayout.detect(List.of(
                        "model.language_model.embed_tokens.weight",
                        "lm_head.weight",
                        "model.vision_tower.vision_model.embeddings.class_embedding",
                        "model.multi_modal_projector.linear_1.weight",
                        "model.image_newline")))
                .isEqualTo(KeyLayout.SINCE_4_52);
    }

    @Test
    void unknownLayoutNamesWhatWasFound() {
        assertThatThrownBy(() -> KeyLayout.detect(List.of("model.embed_tokens.weight", "lm_head.weight")))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("unknown tensor key layout")
                .hasMessageContaining("model.embed_tokens.weight");
    }

    @Test
    void mixedLayoutsAreRefused() {
        assertThatThrownBy(() -> KeyLayout.detect(
                        List.of("model.language_model.norm.weight", "language_model.model.norm.weight")))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("mixes");
    }
}
