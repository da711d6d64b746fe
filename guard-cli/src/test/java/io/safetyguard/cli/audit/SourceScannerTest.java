package io.safetyguard.cli.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceScannerTest {
    @TempDir
    Path dir;

    @Test
    void walksFoldersRecursivelyInSortedOrderAndCountsSkippedFiles() throws IOException {
        Path b = TestImages.png(dir.resolve("data/b.png"), 1);
        Path a = TestImages.png(dir.resolve("data/sub/a.PNG"), 2);
        Path jpg = TestImages.write(dir.resolve("data/c.jpg"), "jpeg", 16, java.awt.Color.RED);
        Files.writeString(dir.resolve("data/notes.txt"), "not an image");
        Files.writeString(dir.resolve("data/sub/.DS_Store"), "junk");
        Path hashed = Files.copy(b, dir.resolve("data/sub/3f9a1c")); // no extension, PNG content
        Path broken = Files.writeString(dir.resolve("data/broken.png"), "an image name but text inside");

        ScanResult scan = new SourceScanner(null).scan(List.of(dir.resolve("data")));

        assertThat(scan.images()).containsExactly(abs(b), abs(broken), abs(jpg), abs(hashed), abs(a));
        assertThat(scan.skipped()).isEqualTo(2);
        assertThat(scan.warnings()).isEmpty();
    }

    @Test
    void readsPathListsRelativeToTheListFolder() throws IOException {
        Path one = TestImages.png(dir.resolve("set/img/one.png"), 1);
        Path two = TestImages.png(dir.resolve("set/img/two, with comma.png"), 2);
        Files.writeString(
                dir.resolve("set/list.txt"), "# my list\nimg/one.png\n\nimg/two, with comma.png\nimg/missing.png\n");

        ScanResult scan = new SourceScanner(null).scan(List.of(dir.resolve("set/list.txt")));

        assertThat(scan.images()).containsExactly(abs(one), abs(two), abs(dir.resolve("set/img/missing.png")));
    }

    @Test
    void csvListTakesTheFirstColumnAndSkipsAHeader() throws IOException {
        Path one = TestImages.png(dir.resolve("img/one.png"), 1);
        Path two = TestImages.png(dir.resolve("img/two, with comma.png"), 2);
        Files.writeString(dir.resolve("notes.md"), "text");
        Files.writeString(
                dir.resolve("list.csv"),
                "\uFEFFpath,label\nimg/one.png,Safe\n\"img/two, with comma.png\",Unsafe\n" + dir.resolve("notes.md")
                        + ",x\nimg/one.png,again\n");

        ScanResult scan = new SourceScanner(null).scan(List.of(dir.resolve("list.csv")));

        assertThat(scan.images()).containsExactly(abs(one), abs(two));
        assertThat(scan.skipped()).isEqualTo(1);
    }

    @Test
    void aFileNamedTwiceIsAssessedOnce() throws IOException {
        Path one = TestImages.png(dir.resolve("one.png"), 1);
        ScanResult scan = new SourceScanner(null).scan(List.of(one, dir, dir.resolve("./one.png")));
        assertThat(scan.images()).containsExactly(abs(one));
    }

    @Test
    void neverDescendsIntoTheOutputFolder() throws IOException {
        Path one = TestImages.png(dir.resolve("one.png"), 1);
        TestImages.png(dir.resolve("out/preview.png"), 2);
        Files.writeString(dir.resolve("out/verdicts.jsonl"), "{}\n");
        ScanResult scan = new SourceScanner(dir.resolve("out")).scan(List.of(dir));
        assertThat(scan.images()).containsExactly(abs(one));
        assertThat(scan.skipped()).isZero();
    }

    @Test
    void aMissingSourceIsNamedInTheError() {
        assertThatThrownBy(() -> new SourceScanner(null).scan(List.of(dir.resolve("nope"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nope")
                .hasMessageContaining("no such");
    }

    @Test
    void aCsvListWithAnEmptyFirstColumnSaysWhichLine() throws IOException {
        Files.writeString(dir.resolve("l.csv"), "a.png\n,b\n");
        assertThatThrownBy(() -> new SourceScanner(null).scan(List.of(dir.resolve("l.csv"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 2");
    }

    @Test
    void signatureSniffingRecognisesSupportedFormatsOnly() {
        assertThat(ImageFiles.isImageSignature(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0}))
                .isTrue();
        assertThat(ImageFiles.isImageSignature("GIF89a......".getBytes())).isTrue();
        assertThat(ImageFiles.isImageSignature("RIFF\0\0\0\0WEBP".getBytes())).isTrue();
        assertThat(ImageFiles.isImageSignature("RIFF\0\0\0\0WAVE".getBytes())).isFalse();
        assertThat(ImageFiles.isImageSignature("%PDF-1.7".getBytes())).isFalse();
        assertThat(ImageFiles.isImageSignature(new byte[0])).isFalse();
    }

    private static Path abs(Path p) {
        return p.toAbsolutePath().normalize();
    }
}
