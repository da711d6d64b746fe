package io.safetyguard.llamacpp.internal.engine;

import io.safetyguard.core.image.DecodedImage;
import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.ModelRequest;
import io.safetyguard.llamacpp.PromptLayout;
import io.safetyguard.llamacpp.internal.jni.EncodedChunk;
import io.safetyguard.llamacpp.internal.jni.ImageChunks;
import io.safetyguard.llamacpp.internal.jni.MtmdContext;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * libmtmd's pipeline ({@link io.safetyguard.llamacpp.ImagePipeline#LLAMA_CPP}): mtmd_tokenize lays out the prompt
 * and the image, then each chunk is decoded in order; image chunks are encoded first, one at a time under a fair
 * lock (the mtmd context has one output buffer), and decoded into the borrowed context outside it. The context
 * is cleared for every request (libmtmd tokenizes the prefix with the rest).
 */
final class MtmdPrefill implements PromptPrefill {

    private final MtmdContext mtmd;
    private final PromptLayout layout;
    private final String marker;
    private final ContextBudget budget;
    private final ReentrantLock encodeLock = new ReentrantLock(true);

    MtmdPrefill(MtmdContext mtmd, PromptLayout layout, String marker, ContextBudget budget) {
        this.mtmd = mtmd;
        this.layout = layout;
        this.marker = marker;
        this.budget = budget;
    }

    @Override
    public Prefilled prefill(ContextPool.Slot slot, Run run, ModelRequest request, EvaluationListener listener)
            throws ModelException {
        DecodedImage image = request.image();
        String prompt = layout.render(request.policyPrompt(), marker);
        slot.cachedPrefix = null;
        slot.context.clear();
        double encodeMs = 0;
        double prefillMs = 0;
        try (ImageChunks chunks = mtmd.tokenize(prompt, image.rgb(), image.width(), image.height(), true)) {
            int n = chunks.count();
            int promptTokens = 0;
            int imageTokens = 0;
            for (int i = 0; i < n; i++) {
                int t = chunks.tokens(i);
                promptTokens += t;
                if (chunks.type(i) == ImageChunks.IMAGE) {
                    imageTokens += t;
                }
            }
            if (n == 0 || chunks.type(n - 1) != ImageChunks.TEXT) {
                throw new ModelException("internal error: the prompt does not end with text (" + n + " chunks)");
            }
            budget.checkPromptFits(promptTokens, imageTokens);

            // text, image tile(s), text
            int nPast = 0;
            for (int i = 0; i < n; i++) {
                run.check();
                int rc;
                if (chunks.type(i) == ImageChunks.IMAGE) {
                    double[] encodeTime = new double[1];
                    try (EncodedChunk embd = encode(run, chunks, i, encodeTime)) {
                        encodeMs += encodeTime[0];
                        long td = System.nanoTime();
                        run.check();
                        rc = mtmd.decodeImage(slot.context, chunks, i, embd, nPast);
                        prefillMs += (System.nanoTime() - td) / 1e6;
                    }
                } else {
                    long tt = System.nanoTime();
                    rc = chunks.decodeText(i, slot.context, nPast, i == n - 1);
                    prefillMs += (System.nanoTime() - tt) / 1e6;
                }
                if (rc != 0) {
                    throw budget.decodeFailure(run, rc, "evaluating the prompt");
                }
                nPast += chunks.positions(i);
            }
            return new Prefilled(nPast, promptTokens, encodeMs, prefillMs);
        }
    }

    /**
     * Encodes one image chunk under the encoder lock, checking the run while it waits; {@code millis[0]} receives
     * the encoding time without the wait.
     */
    private EncodedChunk encode(Run run, ImageChunks chunks, int index, double[] millis) throws ModelException {
        try {
            while (!encodeLock.tryLock(20, TimeUnit.MILLISECONDS)) {
                run.check();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting for the image encoder");
        }
        long t0 = System.nanoTime();
        try {
            return mtmd.encode(chunks, index);
        } finally {
            encodeLock.unlock();
            millis[0] = (System.nanoTime() - t0) / 1e6;
        }
    }

    @Override
    public int imageTokens(int width, int height) {
        throw new UnsupportedOperationException(
                "libmtmd decides its image token count while tokenizing; " + "see ModelOutput.promptTokens()");
    }

    @Override
    public void close() {
        mtmd.close();
    }
}
