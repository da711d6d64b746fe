package io.safetyguard.llamacpp;

import java.io.IOException;
import java.util.List;

/**
 * A model/mmproj pair cannot be used: a file is missing or not GGUF, the files are swapped or belong to different
 * models, or required metadata is missing. The message lists every problem found, each naming its file.
 */
public class ModelFileException extends IOException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    /** @param problems at least one problem, each a complete sentence naming its file */
    public ModelFileException(List<String> problems) {
        super(message(problems));
        this.problems = List.copyOf(problems);
    }

    /** The individual problems, each a complete sentence naming its file. */
    public List<String> problems() {
        return problems;
    }

    private static String message(List<String> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("no problems to report");
        }
        return problems.size() == 1
                ? problems.get(0)
                : "the model files cannot be used:\n  - " + String.join("\n  - ", problems);
    }
}
