package io.safetyguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The tiny random-weight model pair the command tests run on, written by {@code guard model tiny}. */
record TinyModel(Path model, Path mmproj) {

    static TinyModel writeTo(Path dir) {
        CliRun run = CliRun.of("model", "tiny", "--out", dir.toString());
        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stderr()).contains("meaningless");
        TinyModel m =
                new TinyModel(dir.resolve("tiny-qwen2-siglip.gguf"), dir.resolve("tiny-qwen2-siglip-mmproj.gguf"));
        assertThat(m.model()).isRegularFile();
        assertThat(m.mmproj()).isRegularFile();
        return m;
    }

    /**
     * {@code command} with the model options and fast decoding: greedy (reproducible), verdict-only
     * and a small token cap, enough for the rating and category fields. One thread: the tiny model
     * gains nothing from two, and llama.cpp's spinning threads slow down badly when the build
     * machine's cores are busy with other work.
     */
    List<String> args(String command) {
        return new ArrayList<>(List.of(
                command,
                "--model",
                model.toString(),
                "--mmproj",
                mmproj.toString(),
                "--threads",
                "1",
                "--greedy",
                "--verdict-only",
                "--max-new-tokens",
                "120",
                "--quiet"));
    }
}
