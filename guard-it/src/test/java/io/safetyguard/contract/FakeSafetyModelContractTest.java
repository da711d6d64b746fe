package io.safetyguard.contract;

import io.safetyguard.core.FakeSafetyModel;
import io.safetyguard.core.image.DecodedImage;
import io.safetyguard.core.spi.ModelOutput;
import io.safetyguard.core.spi.ModelRequest;
import io.safetyguard.core.spi.SafetyModel;
import java.time.Duration;
import java.util.List;

/**
 * The SafetyModel contract for the fake that guard-core's tests use instead of a model (from guard-core's
 * test-jar), set up as they use it for a working model: the tests of SafetyGuard are only as good as the fake
 * behaves like a real backend. A fast unit test.
 */
class FakeSafetyModelContractTest extends SafetyModelContract {

    @Override
    protected SafetyModel openModel() {
        // an answer that depends on the image, so a mix-up between concurrent calls would show; some latency, so
        // a cancel can arrive while a call runs
        return new FakeSafetyModel()
                .withLatency(Duration.ofMillis(30))
                .behaving((request, i) -> ModelOutput.ofText(answerFor(request)));
    }

    private static String answerFor(ModelRequest request) {
        DecodedImage image = request.image();
        List<String> labels = POLICY.categoryLabels();
        int k = Math.floorMod(image.sha256().hashCode(), labels.size());
        String label = labels.get(k);
        String rating = label.startsWith("NA") ? "Safe" : "Unsafe";
        return request.verdictOnly()
                ? "{\n    \"rating\": \"" + rating + "\",\n    \"category\": \"" + label + "\"\n}"
                : FakeSafetyModel.answer(rating, label, "Made up from the image digest.");
    }
}
