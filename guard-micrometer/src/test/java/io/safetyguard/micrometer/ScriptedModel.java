package io.safetyguard.micrometer;

import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.ModelInfo;
import io.safetyguard.core.spi.ModelOutput;
import io.safetyguard.core.spi.ModelRequest;
import io.safetyguard.core.spi.SafetyModel;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A test double: answers each request with a LlavaGuard JSON verdict chosen from the image's top-left
 * pixel, after a fixed delay, so the meters see real model time. Red is Unsafe O3, blue throws, any
 * other colour is Safe. P(Unsafe) is 0.9 for Unsafe answers and 0.2 for Safe ones.
 */
final class ScriptedModel implements SafetyModel {
    static final int RED = 0xFF0000;
    static final int BLUE = 0x0000FF;

    private final long delayMillis;
    private volatile CountDownLatch gate;

    ScriptedModel(long delayMillis) {
        this.delayMillis = delayMillis;
    }

    /** Every call waits until {@code g} opens. */
    ScriptedModel blockedBy(CountDownLatch g) {
        this.gate = g;
        return this;
    }

    static String answer(String rating, String category) {
        return "{\n    \"rating\": \"" + rating + "\",\n    \"category\": \"" + category
                + "\",\n    \"rationale\": \"scripted\"\n}";
    }

    @Override
    public ModelInfo info() {
        return new ModelInfo("scripted", "Scripted test model", Map.of());
    }

    @Override
    public ModelOutput evaluate(ModelRequest request) throws ModelException {
        try {
            CountDownLatch g = gate;
            if (g != null && !g.await(30, TimeUnit.SECONDS)) {
                throw new ModelException("the test never opened the gate");
            }
            Thread.sleep(delayMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelException("interrupted");
        }
        byte[] px = request.image().rgb(); // RGB triplets, row by row
        int rgb = (px[0] & 0xFF) << 16 | (px[1] & 0xFF) << 8 | (px[2] & 0xFF);
        Function<String, ModelOutput> out =
                text -> new ModelOutput(text, OptionalDouble.of(text.contains("Unsafe") ? 0.9 : 0.2), 100, 20, 1, 2, 3);
        if (rgb == BLUE) {
            throw new ModelException("scripted failure");
        }
        return rgb == RED
                ? out.apply(answer("Unsafe", "O3: Sexual Content"))
                : out.apply(answer("Safe", "NA: None applying"));
    }

    @Override
    public void close() {}
}
