package io.safetyguard.examples.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.safetyguard.core.SafetyGuard;
import io.safetyguard.examples.ExampleException;
import io.safetyguard.examples.ScriptedSafetyModel;
import io.safetyguard.examples.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dataset filter's refusals, over a scripted model: it never overwrites or mixes folders. */
class DatasetFilterTest {

    @TempDir
    Path dir;

    @Test
    void refusesANonEmptyOutputAnOutputInsideTheInputAndAMissingInputAsBadInput() throws IOException {
        Path input = Files.createDirectories(dir.resolve("dataset"));
        Files.write(input.resolve("a.png"), TestImages.png(16, 16, 1));
        try (SafetyGuard scripted = SafetyGuard.builder()
                .model(new ScriptedSafetyModel(ScriptedSafetyModel.SAFE))
                .build()) {
            DatasetFilter filter = new DatasetFilter(scripted, PlacementMode.COPY);
            Path used = Files.createDirectories(dir.resolve("used"));
            Files.writeString(used.resolve("keep.txt"), "mine");

            assertThatThrownBy(() -> filter.run(input, used))
                    .isInstanceOfSatisfying(
                            ExampleException.class,
                            e -> assertThat(e.isBadInput()).isTrue())
                    .hasMessageContaining("not empty");
            assertThatThrownBy(() -> filter.run(input, input.resolve("out")))
                    .isInstanceOfSatisfying(
                            ExampleException.class,
                            e -> assertThat(e.isBadInput()).isTrue())
                    .hasMessageContaining("must not be inside");
            assertThatThrownBy(() -> filter.run(dir.resolve("missing"), dir.resolve("o")))
                    .isInstanceOfSatisfying(
                            ExampleException.class,
                            e -> assertThat(e.isBadInput()).isTrue())
                    .hasMessageContaining("does not exist");
            assertThat(Files.readString(used.resolve("keep.txt"))).isEqualTo("mine");
            assertThat(dir.resolve("o")).doesNotExist();
        }
    }
}
