package io.safetyguard.remote;

import io.safetyguard.contract.SafetyModelContract;
import io.safetyguard.core.spi.SafetyModel;
import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import io.safetyguard.llamacpp.tools.tiny.TinyModelGenerator;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SafetyModel contract for the remote backend against a real llama-server (built from the pinned llama.cpp by
 * guard-remote's build) serving the tiny llama-clip pair with two slots. In this package for guard-remote's test
 * helper {@link LlamaServerProcess}, which comes from guard-remote's test-jar; skipped, saying how to get one, when
 * no llama-server was built.
 */
class RemoteSafetyModelContractIT extends SafetyModelContract {

    @TempDir
    static Path dir;

    private LlamaServerProcess server;

    @Override
    protected SafetyModel openModel() throws Exception {
        if (server == null) {
            server = LlamaServerProcess.start(
                    LlamaServerProcess.binary(),
                    TinyModelGenerator.generate(TinyModelFlavor.LLAMA_CLIP, dir.resolve("model")),
                    2,
                    dir);
        }
        return RemoteSafetyModel.builder()
                .endpoint(server.url())
                .endpointConcurrency(2)
                .build();
    }

    @AfterAll
    void stopServer() throws InterruptedException {
        if (server != null) {
            server.close();
        }
    }
}
