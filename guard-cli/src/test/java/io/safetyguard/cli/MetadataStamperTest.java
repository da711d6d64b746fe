package io.safetyguard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where {@code --write-metadata} puts stamped copies, and what it refuses before any model runs. */
class MetadataStamperTest {

    private final Path out = Path.of("stamped-out");
    private final MetadataStamper stamper = MetadataStamper.toFolder(out);

    @Test
    void aRelativePathIsKeptBelowTheFolder() {
        assertThat(stamper.targetFor(Path.of("photos/a.png"))).isEqualTo(out.resolve("photos/a.png"));
        assertThat(stamper.targetFor(Path.of("./photos/../b.jpg"))).isEqualTo(out.resolve("b.jpg"));
    }

    @Test
    void anAbsoluteOrEscapingPathKeepsItsFullPathWithoutTheRoot() {
        Path absolute = Path.of("/data/set/a.png");
        assertThat(stamper.targetFor(absolute)).isEqualTo(out.resolve("data/set/a.png"));
        Path escaping = Path.of("../x/a.png");
        Path full = escaping.toAbsolutePath().normalize();
        assertThat(stamper.targetFor(escaping))
                .isEqualTo(out.resolve(full.getRoot().relativize(full)));
    }

    @Test
    void inPlaceTargetsTheInputItself() {
        assertThat(MetadataStamper.inPlace().targetFor(Path.of("a.png"))).isEqualTo(Path.of("a.png"));
    }

    @Test
    void aCopyThatWouldOverwriteItsInputIsRefused() {
        MetadataStamper here = MetadataStamper.toFolder(Path.of(""));
        assertThatThrownBy(() -> here.checkTargets(List.of(Path.of("a.png"))))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("would overwrite it")
                .hasMessageContaining("--in-place");
    }

    @Test
    void theSameImageTwiceIsFineButTwoImagesOnOneCopyAreNot() {
        stamper.checkTargets(List.of(Path.of("a.png"), Path.of("./a.png")));
        MetadataStamper odd = MetadataStamper.toFolder(Path.of("/"));
        // "/x/a.png" maps to /x/a.png: its own input
        assertThatThrownBy(() -> odd.checkTargets(List.of(Path.of("/x/a.png")))).isInstanceOf(BadInputException.class);
    }
}
