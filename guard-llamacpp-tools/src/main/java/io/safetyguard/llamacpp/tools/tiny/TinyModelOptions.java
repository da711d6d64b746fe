package io.safetyguard.llamacpp.tools.tiny;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How to generate a tiny model pair. Start from {@link #defaults(TinyModelFlavor)} and change what you need.
 *
 * @param flavor                   which pair to make
 * @param seed                     seed of the random weights; equal options give byte-identical files
 * @param textEmbd                 text embedding width (a multiple of the 4 attention heads)
 * @param textLayers               text transformer blocks
 * @param visionLayers             vision transformer blocks
 * @param featureLayer             {@code clip.vision.feature_layer = [n]} when present (0..visionLayers); when
 *                                 absent llama.cpp runs {@code visionLayers - 1} blocks
 * @param recognisableImageNewline fill {@code v.image_newline} with {@link TinyModelGenerator#recognisableImageNewline}
 *                                 instead of random values (anyres flavours only), so a test can find it
 * @param vocab                    the vocab GGUF to copy the tokenizer from; when absent it is looked up as
 *                                 described in {@link TinyVocab}
 */
public record TinyModelOptions(
        TinyModelFlavor flavor,
        long seed,
        int textEmbd,
        int textLayers,
        int visionLayers,
        OptionalInt featureLayer,
        boolean recognisableImageNewline,
        Optional<Path> vocab) {

    /** Attention heads of the text model. */
    public static final int TEXT_HEADS = 4;
    /** Default seed. */
    public static final long DEFAULT_SEED = 42;

    public TinyModelOptions {
        Objects.requireNonNull(flavor, "flavor");
        Objects.requireNonNull(featureLayer, "featureLayer");
        Objects.requireNonNull(vocab, "vocab");
        if (textEmbd < TEXT_HEADS || textEmbd % TEXT_HEADS != 0 || textEmbd > 4096) {
            throw new IllegalArgumentException(
                    "textEmbd must be a multiple of " + TEXT_HEADS + " up to 4096: " + textEmbd);
        }
        if (textLayers < 1 || textLayers > 64 || visionLayers < 1 || visionLayers > 64) {
            throw new IllegalArgumentException("layer counts must be 1..64");
        }
        if (featureLayer.isPresent() && (featureLayer.getAsInt() < 0 || featureLayer.getAsInt() > visionLayers)) {
            throw new IllegalArgumentException(
                    "featureLayer must be 0.." + visionLayers + ": " + featureLayer.getAsInt());
        }
    }

    /** The defaults: seed 42, the flavour's width, 2 text and 2 vision layers, no feature layer. */
    public static TinyModelOptions defaults(TinyModelFlavor flavor) {
        return new TinyModelOptions(
                flavor, DEFAULT_SEED, flavor.defaultTextEmbd(), 2, 2, OptionalInt.empty(), false, Optional.empty());
    }

    /** These options with another seed. */
    public TinyModelOptions withSeed(long newSeed) {
        return new TinyModelOptions(
                flavor, newSeed, textEmbd, textLayers, visionLayers, featureLayer, recognisableImageNewline, vocab);
    }

    /** These options with another text embedding width (a multiple of 4). */
    public TinyModelOptions withTextEmbd(int width) {
        return new TinyModelOptions(
                flavor, seed, width, textLayers, visionLayers, featureLayer, recognisableImageNewline, vocab);
    }

    /** These options with other numbers of text and vision blocks. */
    public TinyModelOptions withLayers(int text, int vision) {
        return new TinyModelOptions(
                flavor, seed, textEmbd, text, vision, featureLayer, recognisableImageNewline, vocab);
    }

    /** Sets {@code clip.vision.feature_layer = [layer]}. */
    public TinyModelOptions withFeatureLayer(int layer) {
        return new TinyModelOptions(
                flavor,
                seed,
                textEmbd,
                textLayers,
                visionLayers,
                OptionalInt.of(layer),
                recognisableImageNewline,
                vocab);
    }

    /** These options with a recognisable (or random) {@code v.image_newline}. */
    public TinyModelOptions withRecognisableImageNewline(boolean recognisable) {
        return new TinyModelOptions(
                flavor, seed, textEmbd, textLayers, visionLayers, featureLayer, recognisable, vocab);
    }

    /** Copies the tokenizer from this vocab GGUF instead of looking it up. */
    public TinyModelOptions withVocab(Path vocabFile) {
        return new TinyModelOptions(
                flavor,
                seed,
                textEmbd,
                textLayers,
                visionLayers,
                featureLayer,
                recognisableImageNewline,
                Optional.of(vocabFile));
    }
}
