package io.safetyguard.llamacpp;

import static io.safetyguard.llamacpp.TestSupport.FREE_TEXT;
import static io.safetyguard.llamacpp.TestSupport.FULL_VERDICT;
import static io.safetyguard.llamacpp.TestSupport.POLICY;
import static io.safetyguard.llamacpp.TestSupport.config;
import static io.safetyguard.llamacpp.TestSupport.decode;
import static io.safetyguard.llamacpp.TestSupport.encode;
import static io.safetyguard.llamacpp.TestSupport.greedy;
import static io.safetyguard.llamacpp.TestSupport.pattern;
import static io.safetyguard.llamacpp.TestSupport.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.safetyguard.core.image.DecodedImage;
import io.safetyguard.core.spi.ModelOutput;
import io.safetyguard.core.spi.ModelRequest;
import io.safetyguard.llamacpp.internal.ReferenceImagePipeline;
import io.safetyguard.llamacpp.internal.engine.EvaluationListener;
import io.safetyguard.llamacpp.internal.gguf.GgufFile;
import io.safetyguard.llamacpp.internal.gguf.GgufReader;
import io.safetyguard.llamacpp.internal.gguf.GgufTensorInfo;
import io.safetyguard.llamacpp.internal.gguf.GgufValue;
import io.safetyguard.llamacpp.internal.gguf.ModelKeys;
import io.safetyguard.llamacpp.internal.jni.ClipContext;
import io.safetyguard.llamacpp.internal.vision.ImageTokenLayout;
import io.safetyguard.llamacpp.internal.vision.ImageTokenPlanner;
import io.safetyguard.llamacpp.internal.vision.PreparedImage;
import io.safetyguard.llamacpp.internal.vision.Preprocess;
import io.safetyguard.llamacpp.internal.vision.RgbImage;
import io.safetyguard.llamacpp.internal.vision.VisionGeometry;
import io.safetyguard.llamacpp.tools.gguf.GgufWriter;
import io.safetyguard.llamacpp.tools.gguf.TensorData;
import io.safetyguard.llamacpp.tools.tiny.TinyModelFlavor;
import io.safetyguard.llamacpp.tools.tiny.TinyModelGenerator;
import io.safetyguard.llamacpp.tools.tiny.TinyModelOptions;
import io.safetyguard.llamacpp.tools.tiny.TinyModelPair;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The reference image pipeline through LlamaCppModel on real llama.cpp: token counts equal the planner's (the
 * Hugging Face formula) for every size, the embeddings fed to the language model are laid out as
 * pack_image_features lays them out, and prefix reuse gives the same answers as a fresh context.
 */
class ReferenceImagePipelineIT {

    @TempDir
    static Path dir;

    private static TinyModelPair qwen;
    private static TinyModelPair llama;
    private static LlamaCppModel qwenModel;
    private static LlamaCppModel llamaModel;
    private static final VisionGeometry TINY_ANYRES =
            VisionGeometry.fromMmprojMetadata(28, 14, new int[] {28, 28, 28, 56, 56, 28, 56, 56}, null);

    @BeforeAll
    static void open() throws Exception {
        qwen = TinyModelGenerator.generate(
                TinyModelOptions.defaults(TinyModelFlavor.QWEN2_SIGLIP).withRecognisableImageNewline(true),
                dir.resolve("qwen"));
        llama = TinyModelGenerator.generate(TinyModelFlavor.LLAMA_CLIP, dir.resolve("llama"));
        qwenModel = LlamaCppModel.open(config(qwen).build());
        llamaModel = LlamaCppModel.open(config(llama).build());
    }

    @AfterAll
    static void close() {
        if (qwenModel != null) {
            qwenModel.close();
        }
        if (llamaModel != null) {
            llamaModel.close();
        }
    }

    private static int embd(LlamaCppModel m) {
        return Integer.parseInt(m.info().metadata().get("embeddingLength"));
    }

    /** Whether token {@code t} of a token-major block is exactly {@code v}. */
    private static boolean tokenEquals(float[] block, int t, int dim, float[] v) {
        for (int d = 0; d < dim; d++) {
            if (block[t * dim + d] != v[d]) {
                return false;
            }
        }
        return true;
    }

    private static DecodedImage image(int w, int h, long seed) {
        return decode(encode(pattern(w, h, seed), "png"), w + "x" + h + ".png");
    }

    @ParameterizedTest(name = "{0}x{1}")
    @CsvSource({"10,10", "28,28", "56,28", "28,56", "56,56", "640,480", "1000,10", "10,1000", "1,1", "3,2000"})
    void imageTokensThroughTheBackendEqualTheReferenceFormula(int w, int h) throws Exception {
        int expected = ImageTokenPlanner.tokenCount(TINY_ANYRES, w, h);
        assertThat(qwenModel.imageTokens(w, h)).isEqualTo(expected);
        AtomicReference<ReferenceImagePipeline.Embedded> fed = new AtomicReference<>();
        qwenModel.engine().listener(EvaluationListener.onImage(fed::set));
        try {
            ModelOutput out = qwenModel.evaluate(request(image(w, h, w * 31L + h), FREE_TEXT, greedy(1)));
            assertThat(out.promptTokens() - qwenModel.promptTextTokens(POLICY.render()))
                    .isEqualTo(expected);
            assertThat(fed.get().embeddings()).hasSize(expected * embd(qwenModel));
        } finally {
            qwenModel.engine().listener(null);
        }
        // LLaVA-1.5 pads to a square: always one tile of 2 x 2 patches
        ModelOutput clip = llamaModel.evaluate(request(image(w, h, 5), FREE_TEXT, greedy(1)));
        assertThat(clip.promptTokens() - llamaModel.promptTextTokens(POLICY.render()))
                .isEqualTo(4);
    }

    @Test
    void newlinesEndEveryRowAndTheBaseTileComesFirst() throws Exception {
        float[] newline = TinyModelGenerator.recognisableImageNewline(embd(qwenModel));
        ClipContext clip = ClipContext.load(qwen.mmproj(), false, false);
        try {
            // 56x56: 2x2 tiles, nothing unpadded; 60x40: 2x2 tiles, one feature row cut top and bottom
            for (int[] size : new int[][] {{56, 56}, {60, 40}, {40, 60}, {70, 30}, {640, 480}}) {
                DecodedImage img = image(size[0], size[1], 11);
                AtomicReference<ReferenceImagePipeline.Embedded> fed = new AtomicReference<>();
                qwenModel.engine().listener(EvaluationListener.onImage(fed::set));
                try {
                    qwenModel.evaluate(request(img, FREE_TEXT, greedy(1)));
                } finally {
                    qwenModel.engine().listener(null);
                }
                ImageTokenLayout layout = fed.get().layout();
                float[] e = fed.get().embeddings();
                int dim = newline.length;
                int base = layout.baseTokens();
                int cols = layout.packedCols();

                // newline exactly at the end of each packed row, nowhere else
                List<Integer> newlineAt = new ArrayList<>();
                for (int t = 0; t < layout.totalTokens(); t++) {
                    if (tokenEquals(e, t, dim, newline)) {
                        newlineAt.add(t);
                    }
                }
                List<Integer> rowEnds = new ArrayList<>();
                for (int r = 0; r < layout.packedRows(); r++) {
                    rowEnds.add(base + r * (cols + 1) + cols);
                }
                assertThat(newlineAt)
                        .as("newline positions for %s", layout.describe())
                        .isEqualTo(rowEnds);
                if (size[0] == 60) {
                    assertThat(layout.unpadRowOffset()).as(layout.describe()).isEqualTo(1);
                    assertThat(layout.packedRows()).isEqualTo(2);
                }
                assertThat(rowEnds.get(rowEnds.size() - 1)).isEqualTo(layout.totalTokens() - 1);

                // the base tile's own encoding first
                PreparedImage prepared = Preprocess.prepare(
                        TINY_ANYRES, new RgbImage(img.width(), img.height(), img.rgb()), Preprocess.BLACK);
                List<float[]> tiles = new ArrayList<>();
                for (RgbImage t : prepared.tiles()) {
                    tiles.add(clip.encodeTile(
                            Preprocess.normalizeChw(t, Preprocess.SIGLIP_MEAN, Preprocess.SIGLIP_STD), 28, 1));
                }
                for (int i = 0; i < base * dim; i++) {
                    assertThat(e[i]).isEqualTo(tiles.get(0)[i]);
                }

                // without the downscale the grid is the tiles re-arranged spatially, minus the unpadded margin
                assertThat(layout.downscaled()).isFalse(); // the tiny mmproj is plain anyres
                int p = 2;
                for (int r = 0; r < layout.packedRows(); r++) {
                    for (int c = 0; c < cols; c++) {
                        int fr = r + layout.unpadRowOffset();
                        int fc = c + layout.unpadColOffset();
                        float[] src = tiles.get(1 + (fr / p) * layout.gridCols() + fc / p);
                        int patch = (fr % p) * p + fc % p;
                        int at = base + r * (cols + 1) + c;
                        for (int d = 0; d < dim; d++) {
                            assertThat(e[at * dim + d]).isEqualTo(src[patch * dim + d]);
                        }
                    }
                }
            }
        } finally {
            clip.close();
        }
    }

    @Test
    void anyresMaxDownscalesTheGridBilinearlyBeforeTheNewlines() throws Exception {
        // the tiny mmproj with image_aspect_ratio = anyres_max_1: a 56x56 image's 4x4 feature grid exceeds the
        // 1-tile budget (ratio 2 > 1.1) and is downscaled to 2x2; at scale 2 bilinear (align_corners=False)
        // averages each 2x2 block, i.e. each grid tile's four patches
        Path mmproj = withMetadata(
                qwen.mmproj(),
                dir.resolve("max1-mmproj.gguf"),
                Map.of(ModelKeys.IMAGE_ASPECT_RATIO, GgufValue.string("anyres_max_1")));
        VisionGeometry geometry =
                VisionGeometry.fromMmprojMetadata(28, 14, new int[] {28, 28, 28, 56, 56, 28, 56, 56}, "anyres_max_1");
        ImageTokenLayout planned = ImageTokenPlanner.plan(geometry, 56, 56);
        assertThat(planned.downscaled()).isTrue();
        assertThat(planned.totalTokens()).as("4 base + 2x2 grid + 2 newlines").isEqualTo(10);

        DecodedImage img = image(56, 56, 21);
        float[] newline = TinyModelGenerator.recognisableImageNewline(embd(qwenModel));
        int dim = newline.length;
        AtomicReference<ReferenceImagePipeline.Embedded> fed = new AtomicReference<>();
        ClipContext clip = ClipContext.load(mmproj, false, false);
        try (LlamaCppModel model = LlamaCppModel.open(LlamaCppConfig.builder(qwen.model(), mmproj)
                .threads(1)
                .warmup(false)
                .build())) {
            model.engine().listener(EvaluationListener.onImage(fed::set));
            ModelOutput out = model.evaluate(request(img, FREE_TEXT, greedy(1)));
            assertThat(out.promptTokens() - model.promptTextTokens(POLICY.render()))
                    .isEqualTo(10);
            float[] e = fed.get().embeddings();
            PreparedImage prepared = Preprocess.prepare(geometry, new RgbImage(56, 56, img.rgb()), Preprocess.BLACK);
            for (int r = 0; r < 2; r++) {
                for (int c = 0; c < 2; c++) {
                    float[] tile = clip.encodeTile(
                            Preprocess.normalizeChw(
                                    prepared.tiles().get(1 + r * 2 + c), Preprocess.SIGLIP_MEAN, Preprocess.SIGLIP_STD),
                            28,
                            1);
                    int at = 4 + r * 3 + c;
                    for (int d = 0; d < dim; d++) {
                        double mean = (tile[d] + tile[dim + d] + tile[2 * dim + d] + tile[3 * dim + d]) / 4.0;
                        assertThat((double) e[at * dim + d]).isCloseTo(mean, org.assertj.core.data.Offset.offset(1e-6));
                    }
                }
                assertThat(tokenEquals(e, 4 + r * 3 + 2, dim, newline))
                        .as("newline after row %d", r)
                        .isTrue();
            }
        } finally {
            clip.close();
        }
    }

    /** A copy of a GGUF file with some metadata keys set or replaced. */
    private static Path withMetadata(Path in, Path out, Map<String, GgufValue> changes) throws Exception {
        GgufFile f = GgufReader.read(in);
        GgufWriter w = new GgufWriter(out);
        for (Map.Entry<String, GgufValue> kv : f.metadata().entrySet()) {
            if (!kv.getKey().equals(GgufFile.KEY_ALIGNMENT) && !changes.containsKey(kv.getKey())) {
                w.put(kv.getKey(), kv.getValue());
            }
        }
        changes.forEach(w::put);
        for (GgufTensorInfo t : f.tensors()) {
            w.addTensor(t.name(), t.type(), t.dims(), TensorData.raw(f.readTensorBytes(t.name())));
        }
        w.write();
        assertThat(Files.size(out)).isPositive();
        return out;
    }

    @Test
    void reusingThePromptPrefixGivesTheSameAnswersAsAFreshContext() throws Exception {
        try (LlamaCppModel fresh =
                LlamaCppModel.open(config(qwen).reusePrefix(false).build())) {
            for (int i = 0; i < 2; i++) {
                DecodedImage img = image(40 + 10 * i, 30, 100 + i);
                ModelRequest req = request(img, FULL_VERDICT, greedy(40));
                ModelOutput reused = qwenModel.evaluate(req);
                ModelOutput plain = fresh.evaluate(req);
                assertThat(reused.text()).isEqualTo(plain.text());
                assertThat(reused.probabilityUnsafe()).isEqualTo(plain.probabilityUnsafe());
                assertThat(reused.promptTokens()).isEqualTo(plain.promptTokens());
            }
        }
    }
}
