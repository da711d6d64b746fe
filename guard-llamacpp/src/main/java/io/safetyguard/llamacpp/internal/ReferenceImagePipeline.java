package io.safetyguard.llamacpp.internal;

import io.safetyguard.core.spi.ModelException;
import io.safetyguard.llamacpp.ImagePipeline;
import io.safetyguard.llamacpp.internal.jni.ClipContext;
import io.safetyguard.llamacpp.internal.vision.FeaturePacker;
import io.safetyguard.llamacpp.internal.vision.ImageTokenLayout;
import io.safetyguard.llamacpp.internal.vision.PreparedImage;
import io.safetyguard.llamacpp.internal.vision.Preprocess;
import io.safetyguard.llamacpp.internal.vision.RgbImage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Turns an image into the embeddings a LLaVA language model reads, as the Hugging Face reference does
 * ({@link ImagePipeline#REFERENCE}): Java preprocessing ({@link Preprocess}: Pillow-exact bicubic resizing,
 * anyres tiling or pad-to-square), one llama.cpp vision-tower pass per tile (the clip API of libmtmd, on our own
 * clip context), then {@link FeaturePacker} (base tile first, unpadded grid, anyres_max downscale, one
 * {@code image_newline} per row).
 *
 * <p>The clip context has one set of compute buffers, so tiles are encoded under a fair lock, one image at a time;
 * the caller decodes the result into its own llama.cpp context outside the lock. Owns the clip context: closing
 * the pipeline frees it.
 */
public final class ReferenceImagePipeline implements AutoCloseable {

    /** What an evaluation checks while it waits or between tiles; throws to stop. */
    @FunctionalInterface
    public interface StopCheck {
        void check() throws ModelException;
    }

    /**
     * One image, ready for the language model.
     *
     * @param layout     the reference token layout
     * @param embeddings {@code layout.totalTokens() x embd} floats, token-major, in the order the LM reads them
     * @param encodeMs   time spent in the vision tower (without waiting for the lock or a turn)
     * @param prepareMs  time spent preprocessing and packing in Java
     */
    public record Embedded(ImageTokenLayout layout, float[] embeddings, double encodeMs, double prepareMs) {
        public int tokens() {
            return layout.totalTokens();
        }
    }

    private final ReferenceVisionSpec spec;
    private final ClipContext clip;
    private final int threads;
    private final ReentrantLock lock = new ReentrantLock(true);

    public ReferenceImagePipeline(ReferenceVisionSpec spec, ClipContext clip, int threads) {
        java.util.Objects.requireNonNull(clip, "clip");
        if (threads <= 0) {
            throw new IllegalArgumentException("threads must be positive");
        }
        this.spec = spec;
        this.clip = clip;
        this.threads = threads;
    }

    /** Frees the clip context; no {@link #embed} may be running. */
    @Override
    public void close() {
        clip.close();
    }

    ReferenceVisionSpec spec() {
        return spec;
    }

    /** The reference token count of a {@code width x height} image. */
    public int tokens(int width, int height) {
        return spec.plan(width, height).totalTokens();
    }

    /**
     * Preprocesses, encodes and packs one image.
     *
     * @throws ModelException        when the encoder fails, or from {@code stop}
     * @throws CancellationException when interrupted while waiting for the encoder
     */
    public Embedded embed(RgbImage image, StopCheck stop) throws ModelException {
        return embed(image, stop, ComputeTurns.NONE);
    }

    /**
     * As {@link #embed(RgbImage, StopCheck)}, taking a turn in {@code turns} for each tile, so that another
     * thread group (the batched text context) does not run on the same cores at the same time.
     */
    public Embedded embed(RgbImage image, StopCheck stop, ComputeTurns turns) throws ModelException {
        long t0 = System.nanoTime();
        PreparedImage prepared = Preprocess.prepare(spec.geometry(), image, spec.padColor());
        int size = spec.geometry().imageSize();
        List<float[]> inputs = new ArrayList<>(prepared.tiles().size());
        for (RgbImage tile : prepared.tiles()) {
            inputs.add(Preprocess.normalizeChw(tile, spec.mean(), spec.std()));
        }
        double prepareMs = (System.nanoTime() - t0) / 1e6;

        List<float[]> features = new ArrayList<>(inputs.size());
        acquire(stop);
        long encodeNanos = 0;
        try {
            for (float[] in : inputs) {
                stop.check();
                turns.take(stop);
                long te = System.nanoTime();
                float[] out;
                try {
                    out = clip.encodeTile(in, size, threads);
                } finally {
                    turns.release();
                }
                encodeNanos += System.nanoTime() - te;
                if (out == null) {
                    throw new ModelException("llama.cpp could not encode an image tile: "
                            + NativeBridge.orUnknown(NativeBridge.recentProblems()));
                }
                features.add(out);
            }
        } finally {
            lock.unlock();
        }
        double encodeMs = encodeNanos / 1e6;

        long tp = System.nanoTime();
        ImageTokenLayout layout = prepared.layout();
        int perTile = spec.geometry().tokensPerTile() * spec.embd();
        for (float[] f : features) {
            if (f.length != perTile) {
                throw new ModelException("the vision tower returned " + f.length + " floats per tile, expected "
                        + perTile + " (" + spec.geometry().tokensPerTile() + " tokens x " + spec.embd()
                        + "); the mmproj's geometry does not match what llama.cpp runs");
            }
        }
        float[] packed = FeaturePacker.pack(spec.geometry(), layout, features, spec.newline(), spec.embd());
        prepareMs += (System.nanoTime() - tp) / 1e6;
        return new Embedded(layout, packed, encodeMs, prepareMs);
    }

    private void acquire(StopCheck stop) throws ModelException {
        try {
            while (!lock.tryLock(20, TimeUnit.MILLISECONDS)) {
                stop.check();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting for the image encoder");
        }
    }
}
