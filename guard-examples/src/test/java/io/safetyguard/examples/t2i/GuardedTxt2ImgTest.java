package io.safetyguard.examples.t2i;

import static io.safetyguard.examples.ScriptedSafetyModel.SAFE;
import static io.safetyguard.examples.ScriptedSafetyModel.UNSAFE_O2;
import static io.safetyguard.examples.ScriptedSafetyModel.UNSAFE_O3;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.safetyguard.core.CacheConfig;
import io.safetyguard.core.ImageInput;
import io.safetyguard.core.SafetyGuard;
import io.safetyguard.core.Verdict;
import io.safetyguard.core.image.ImageDecoder;
import io.safetyguard.core.image.ImageLimits;
import io.safetyguard.core.reaction.GuardedGenerator;
import io.safetyguard.core.reaction.GuardedResult;
import io.safetyguard.core.reaction.PlaceholderStyle;
import io.safetyguard.examples.ScriptedSafetyModel;
import io.safetyguard.examples.TestImages;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The three reactions of the text-to-image example, end to end over HTTP against an in-test WebUI,
 * with a scripted model deciding Safe/Unsafe: what the server sees is what a real WebUI would see.
 */
class GuardedTxt2ImgTest {

    private FakeSdWebUi server;
    private SdWebUiClient client;
    private SafetyGuard guard;

    @BeforeEach
    void start() throws Exception {
        server = new FakeSdWebUi();
        client = new SdWebUiClient(server.baseUrl(), Duration.ofSeconds(2), Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() {
        if (guard != null) {
            guard.close();
        }
        server.close();
    }

    private GuardedGenerator<Txt2ImgRequest> generator(UnsafeStrategy strategy, ScriptedSafetyModel model) {
        guard = SafetyGuard.builder().model(model).ownsModel(true).build();
        AtomicLong seeds = new AtomicLong(777); // predictable "new seeds": 777, 778, ...
        return strategy.configure(GuardedGenerator.builder(guard, client), 3)
                .seeds(seeds::getAndIncrement)
                .placeholder(PlaceholderStyle.BLACK)
                .build();
    }

    private static Txt2ImgRequest request() {
        return new Txt2ImgRequest("a beach at dusk", "lowres", 1234, 10, 64, 48, 7, "");
    }

    @Test
    void blockReturnsAPlaceholderOfTheImagesSizeAndGeneratesOnce() {
        ScriptedSafetyModel model = new ScriptedSafetyModel(UNSAFE_O3, SAFE);

        GuardedResult<Txt2ImgRequest> result =
                generator(UnsafeStrategy.BLOCK, model).generate(request());

        assertThat(result.blocked()).isTrue();
        assertThat(result.image()).isEmpty();
        BufferedImage placeholder = result.placeholder().orElseThrow();
        assertThat(placeholder.getWidth()).isEqualTo(64);
        assertThat(placeholder.getHeight()).isEqualTo(48);
        assertThat(placeholder.getRGB(10, 10) & 0xFFFFFF).isZero();
        assertThat(result.verdict().categoryLabel()).hasValue("O3: Sexual Content");
        assertThat(server.requests()).hasSize(1);
        assertThat(model.calls()).isEqualTo(1);
    }

    @Test
    void reseedGeneratesAgainWithANewSeedThatTheServerSees() throws Exception {
        ScriptedSafetyModel model = new ScriptedSafetyModel(UNSAFE_O2, SAFE);

        GuardedResult<Txt2ImgRequest> result =
                generator(UnsafeStrategy.RESEED, model).generate(request());

        assertThat(result.allowed()).isTrue();
        assertThat(server.requests()).hasSize(2);
        JsonNode first = server.requests().get(0);
        JsonNode retry = server.requests().get(1);
        assertThat(first.get("seed").asLong()).isEqualTo(1234);
        assertThat(retry.get("seed").asLong()).isEqualTo(777);
        assertThat(retry.get("prompt").asText()).isEqualTo("a beach at dusk");
        assertThat(retry.get("negative_prompt").asText()).isEqualTo("lowres"); // reseed alone does not amend
        // The allowed image is the retry's image, byte for byte as the server sent it.
        byte[] expected = FakeSdWebUi.imageFor(retry, 777);
        assertThat(result.image().orElseThrow().decode(ImageLimits.DEFAULT).sha256())
                .isEqualTo(ImageDecoder.sha256(expected));
        assertThat(result.image().orElseThrow().name()).isEqualTo("txt2img-seed-777.png");
    }

    @Test
    void amendAddsTheCategorysWordsToTheNegativePromptThatTheServerSees() {
        ScriptedSafetyModel model = new ScriptedSafetyModel(UNSAFE_O3, SAFE);

        GuardedResult<Txt2ImgRequest> result =
                generator(UnsafeStrategy.AMEND, model).generate(request());

        assertThat(result.allowed()).isTrue();
        assertThat(server.requests()).hasSize(2);
        JsonNode retry = server.requests().get(1);
        assertThat(retry.get("negative_prompt").asText()).isEqualTo("lowres, nudity, sexual content, explicit");
        assertThat(retry.get("seed").asLong()).isEqualTo(777);
        assertThat(result.request().negativePrompt()).isEqualTo("lowres, nudity, sexual content, explicit");
    }

    @Test
    void amendingAgainForTheSameCategoryDoesNotRepeatWordsAndANewCategoryAddsItsOwn() {
        ScriptedSafetyModel model = new ScriptedSafetyModel(UNSAFE_O3, UNSAFE_O3, UNSAFE_O2);

        GuardedResult<Txt2ImgRequest> result =
                generator(UnsafeStrategy.AMEND, model).generate(request());

        assertThat(result.blocked()).isTrue(); // three Unsafe attempts: the limit
        assertThat(server.requests()).hasSize(3);
        assertThat(server.requests().get(1).get("negative_prompt").asText())
                .isEqualTo(server.requests().get(2).get("negative_prompt").asText());
        assertThat(result.placeholder()).isPresent();
        assertThat(result.attempts()).extracting(a -> a.request().seed()).containsExactly(1234L, 777L, 778L);
    }

    @Test
    void aCustomCategoryIsAvoidedByItsNameAndNoneApplyingChangesNothing() {
        NegativePromptAmender amender = new NegativePromptAmender();
        ScriptedSafetyModel custom = new ScriptedSafetyModel(
                ScriptedSafetyModel.verdict("Unsafe", "O9: Disasters or Emergencies", "A flood."),
                ScriptedSafetyModel.verdict("Safe", "NA: None applying", "Fine."));
        guard = SafetyGuard.builder()
                .model(custom)
                .cache(CacheConfig.disabled())
                .build();
        ImageInput image = ImageInput.ofBytes(TestImages.png(8, 8, 1));

        Verdict unsafe = guard.assess(image);
        Verdict none = guard.assess(image);

        assertThat(amender.apply(Txt2ImgRequest.of("x"), unsafe).negativePrompt())
                .isEqualTo("disaster, emergency, destruction");
        assertThat(new NegativePromptAmender(Map.of())
                        .apply(Txt2ImgRequest.of("x"), unsafe)
                        .negativePrompt())
                .isEqualTo("disasters or emergencies");
        assertThat(amender.apply(Txt2ImgRequest.of("x"), none)).isEqualTo(Txt2ImgRequest.of("x"));
    }
}
