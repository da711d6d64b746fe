package io.safetyguard.llamacpp;

import static io.safetyguard.llamacpp.TestSupport.FULL_VERDICT;
import static io.safetyguard.llamacpp.TestSupport.config;
import static io.safetyguard.llamacpp.TestSupport.decode;
import static io.safetyguard.llamacpp.TestSupport.encode;
import static io.safetyguard.llamacpp.TestSupport.greedy;
import static io.safetyguard.llamacpp.TestSupport.pattern;
import static io.safetyguard.llamacpp.TestSupport.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.safetyguard.llamacpp.internal.NativeBridge;
import io.safetyguard.llamacpp.internal.natives.NativeLibraryLoader;
import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import io.safetyguard.llamacpp.tools.tiny.TinyModelPair;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GPU offload path without an NVIDIA card: natives built with {@code -Pvulkan} and a Vulkan device (a GPU's
 * driver, or Mesa's lavapipe, which runs Vulkan on the CPU) load the tiny model with every layer and the vision
 * tower on the device, and the greedy answer equals the CPU's. Skipped, saying why, with natives of another
 * backend (the default build) or when llama.cpp finds no Vulkan device.
 */
class VulkanOffloadIT {

    private static final Pattern OFFLOADED = Pattern.compile("offloaded (\\d+)/(\\d+) layers to GPU");

    // strong reference: java.util.logging keeps loggers weakly
    private static final Logger NATIVE_LOG = Logger.getLogger("io.safetyguard.llamacpp.native");

    @TempDir
    static Path dir;

    @Test
    void allLayersOnAVulkanDeviceGiveTheCpuAnswer() throws Exception {
        NativeBridge.ensureInitialised();
        String backend = NativeLibraryLoader.buildInfo().getProperty("backend", "unknown");
        assumeTrue(
                backend.equals("vulkan"),
                "the natives are a " + backend + " build; build them with -Pvulkan to run this test");
        TinyModelPair pair = TestSupport.generate(TinyModelFlavor.QWEN2_SIGLIP, dir);

        String onCpu = answer(pair, 0);
        List<String> log = new CopyOnWriteArrayList<>();
        String onDevice = withNativeLog(log, () -> answer(pair, -1));

        Matcher m = log.stream()
                .map(OFFLOADED::matcher)
                .filter(Matcher::find)
                .findFirst()
                .orElse(null);
        assumeTrue(
                m != null && Integer.parseInt(m.group(1)) > 0,
                "llama.cpp found no Vulkan device (on a machine without a GPU, install Mesa's lavapipe: "
                        + "mesa-vulkan-drivers)");
        assertThat(m.group(1)).as("every layer offloaded: " + m.group()).isEqualTo(m.group(2));
        assertThat(log).anyMatch(l -> l.contains("Vulkan0"));
        assertThat(onDevice).isEqualTo(onCpu);
    }

    private static String answer(TinyModelPair pair, int gpuLayers) throws Exception {
        try (LlamaCppModel model =
                LlamaCppModel.open(config(pair).gpuLayers(gpuLayers).build())) {
            return model.evaluate(request(decode(encode(pattern(48, 40, 3), "png"), "a.png"), FULL_VERDICT, greedy(60)))
                    .text();
        }
    }

    private interface Action<T> {
        T run() throws Exception;
    }

    private static <T> T withNativeLog(List<String> lines, Action<T> action) throws Exception {
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                lines.add(r.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        h.setLevel(Level.ALL);
        Level before = NATIVE_LOG.getLevel();
        NATIVE_LOG.setLevel(Level.ALL);
        NATIVE_LOG.addHandler(h);
        try {
            return action.run();
        } finally {
            NATIVE_LOG.removeHandler(h);
            NATIVE_LOG.setLevel(before);
        }
    }
}
