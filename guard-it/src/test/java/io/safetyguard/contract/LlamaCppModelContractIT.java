package io.safetyguard.contract;

import io.safetyguard.core.spi.SafetyModel;
import io.safetyguard.llamacpp.LlamaCppConfig;
import io.safetyguard.llamacpp.LlamaCppModel;
import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import io.safetyguard.llamacpp.tools.tiny.TinyModelGenerator;
import io.safetyguard.llamacpp.tools.tiny.TinyModelPair;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The SafetyModel contract for the in-process backend: real llama.cpp on the tiny llama-clip pair. */
class LlamaCppModelContractIT extends SafetyModelContract {

    @TempDir
    static Path dir;

    private TinyModelPair pair;

    @Override
    protected SafetyModel openModel() throws Exception {
        if (pair == null) {
            pair = TinyModelGenerator.generate(TinyModelFlavor.LLAMA_CLIP, dir.resolve("model"));
        }
        // two contexts, so concurrent calls really overlap; one thread each (CI has two cores)
        return LlamaCppModel.open(LlamaCppConfig.builder(pair.model(), pair.mmproj())
                .threads(1)
                .parallelContexts(2)
                .warmup(false)
                .build());
    }

    @Override
    protected boolean enforcesOptionsTimeout() {
        return true;
    }
}
