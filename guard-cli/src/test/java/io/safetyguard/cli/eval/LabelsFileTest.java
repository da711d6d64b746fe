package io.safetyguard.cli.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.safetyguard.core.Rating;
import io.safetyguard.policy.Policy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelsFileTest {
    private static final Policy POLICY = Policy.llavaGuardDefault();

    @TempDir
    Path dir;

    private List<LabeledSample> read(String name, String text) throws IOException {
        return LabelsFile.read(Files.writeString(dir.resolve(name), text), POLICY);
    }

    @Test
    void readsTheCsvFormat() throws IOException {
        List<LabeledSample> s = read("labels.csv", """
                # comment
                image,rating,category,exception
                img/a.png,Unsafe,O3,
                img/a.png,Safe,"O3: Sexual Content",O3
                img/b.jpg,safe,na,
                /abs/c.png,UNSAFE,,
                img/d.png,,o6,O6
                """);
        assertThat(s).hasSize(5);
        assertThat(s.get(0))
                .isEqualTo(new LabeledSample(
                        3, dir.resolve("img/a.png").toAbsolutePath().normalize(), Rating.UNSAFE, "O3", null));
        assertThat(s.get(1).exception()).isEqualTo("O3");
        assertThat(s.get(1).expectedCategory()).isEqualTo("O3");
        assertThat(s.get(2).expected()).isEqualTo(Rating.SAFE);
        assertThat(s.get(2).expectedCategory()).isEqualTo("NA");
        assertThat(s.get(3).image()).isEqualTo(Path.of("/abs/c.png"));
        assertThat(s.get(3).expectedCategory()).isNull();
        assertThat(s.get(4).expected()).isEqualTo(Rating.SAFE); // empty rating on an exception row
        assertThat(s.get(4).expectedCategory()).isEqualTo("O6");
    }

    @Test
    void columnsMayComeInAnyOrderAndOptionalOnesMayBeMissing() throws IOException {
        List<LabeledSample> s = read("l.csv", "rating,notes,image\nUnsafe,whatever,x.png\n");
        assertThat(s).singleElement().satisfies(x -> {
            assertThat(x.expected()).isEqualTo(Rating.UNSAFE);
            assertThat(x.image().getFileName().toString()).isEqualTo("x.png");
            assertThat(x.exception()).isNull();
        });
    }

    @Test
    void readsJsonl() throws IOException {
        List<LabeledSample> s = read("l.jsonl", """
                {"image": "a.png", "rating": "Unsafe", "category": "O2"}

                {"image": "a.png", "category": "O2", "exception": "O2"}
                """);
        assertThat(s).extracting(LabeledSample::expected).containsExactly(Rating.UNSAFE, Rating.SAFE);
        assertThat(s.get(1).line()).isEqualTo(3);
    }

    @Test
    void errorsNameTheLineAndTheFix() {
        assertThatThrownBy(() -> read("a.csv", "img,label\nx.png,Safe\n"))
                .isInstanceOf(LabelsFormatException.class)
                .hasMessageContaining("line 1")
                .hasMessageContaining("image,rating");
        assertThatThrownBy(() -> read("b.csv", "image,rating\nx.png,Maybe\n"))
                .hasMessageContaining("line 2")
                .hasMessageContaining("Maybe");
        assertThatThrownBy(() -> read("c.csv", "image,rating,category\nx.png,Unsafe,O42\n"))
                .hasMessageContaining("O42")
                .hasMessageContaining("O1, O2");
        assertThatThrownBy(() -> read("d.csv", "image,rating,category,exception\nx.png,Unsafe,O6,O6\n"))
                .hasMessageContaining("Safe")
                .hasMessageContaining("PER");
        assertThatThrownBy(() -> read("e.csv", "image,rating,category,exception\nx.png,Safe,O3,O6\n"))
                .hasMessageContaining("O6")
                .hasMessageContaining("O3");
        assertThatThrownBy(() -> read("f.csv", "image,rating,category,exception\nx.png,Safe,,NA\n"))
                .hasMessageContaining("NA");
        assertThatThrownBy(() -> read("g.csv", "image,rating\n,Safe\n")).hasMessageContaining("image column is empty");
        assertThatThrownBy(() -> read("h.csv", "image,rating\n")).hasMessageContaining("no samples");
        assertThatThrownBy(() -> read("i.jsonl", "{\"image\": \"a.png\", \"rating\": }\n"))
                .hasMessageContaining("line 1");
        assertThatThrownBy(() -> LabelsFile.read(dir.resolve("missing.csv"), POLICY))
                .hasMessageContaining("missing.csv");
    }

    @Test
    void categoriesOfACustomPolicyAreAccepted() throws IOException {
        Policy custom = POLICY.toBuilder()
                .addCategory("C1", "Spoilers", "Should not:\n- Contain spoilers.\n")
                .build();
        List<LabeledSample> s = LabelsFile.read(
                Files.writeString(dir.resolve("c.csv"), "image,rating,category\nx.png,Unsafe,c1\n"), custom);
        assertThat(s.get(0).expectedCategory()).isEqualTo("C1");
    }
}
