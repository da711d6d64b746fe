package io.safetyguard.llamacpp.internal.engine;

import io.safetyguard.core.spi.ModelException;
import io.safetyguard.llamacpp.internal.jni.SequenceBatch;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One evaluation inside the {@link BatchScheduler}: its sequence, the prompt still to decode (prefix tokens,
 * image embeddings, policy and answer header), then its {@link AnswerSampling}, and the outcome its caller
 * waits for. Touched by the scheduler's thread only, except {@link #requestStop} and the outcome.
 */
final class SequenceJob {

    final int seq;
    final Run run;
    private final int[] prefix; // null when the sequence already holds it
    private final float[] embeddings;
    private final int embeddingWidth;
    private final int imageTokens;
    private final int[] suffix;
    final AnswerSampling generation;
    /** The next free position of this sequence. */
    int position;

    private int part; // 0 prefix, 1 image, 2 suffix, 3 done
    private int offset; // within the current part, in tokens

    double prefillMs;
    long generationStart;

    private volatile StopReason stopRequested;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile TokenGenerator.Generated result;
    private volatile Throwable failure;
    private volatile StopReason stopped;

    SequenceJob(
            int seq,
            Run run,
            int[] prefix,
            int startPosition,
            float[] embeddings,
            int embeddingWidth,
            int imageTokens,
            int[] suffix,
            AnswerSampling generation) {
        this.seq = seq;
        this.run = run;
        this.prefix = prefix;
        this.position = startPosition;
        this.embeddings = embeddings;
        this.embeddingWidth = embeddingWidth;
        this.imageTokens = imageTokens;
        this.suffix = suffix;
        this.generation = generation;
        this.part = prefix == null ? 1 : 0;
    }

    /**
     * Decodes at most {@code maxTokens} more of the prompt into this sequence.
     *
     * @return llama_decode's code; the prompt is complete (with the last token's logits) once {@link #prefilled}
     */
    int prefillChunk(SequenceBatch batch, int maxTokens) {
        int rc = 0;
        switch (part) {
            case 0 -> {
                int n = Math.min(maxTokens, prefix.length - offset);
                rc = batch.decodeTokens(prefix, offset, n, position, seq, false);
                advance(n, prefix.length);
            }
            case 1 -> {
                int n = Math.min(maxTokens, imageTokens - offset);
                rc = batch.decodeEmbeddings(embeddings, offset * embeddingWidth, n, position, seq, false);
                advance(n, imageTokens);
            }
            case 2 -> {
                int n = Math.min(maxTokens, suffix.length - offset);
                rc = batch.decodeTokens(suffix, offset, n, position, seq, offset + n == suffix.length);
                advance(n, suffix.length);
            }
            default -> throw new IllegalStateException("the prompt is already decoded");
        }
        return rc;
    }

    private void advance(int n, int partLength) {
        position += n;
        offset += n;
        if (offset == partLength) {
            part++;
            offset = 0;
        }
    }

    /** The sequence still holds the prompt prefix from its last job: start after it. */
    void skipPrefix(int length) {
        if (part == 0) {
            part = 1;
            offset = 0;
            position = length;
        }
    }

    boolean prefilled() {
        return part == 3;
    }

    /** Why this job must stop now: its caller asked (interrupt), or its run's cancel, timeout or close. */
    StopReason reasonToStop() {
        StopReason r = stopRequested;
        return r != null ? r : run.reasonToStop();
    }

    void requestStop(StopReason reason) {
        stopRequested = reason;
    }

    void complete(TokenGenerator.Generated generated) {
        result = generated;
        done.countDown();
    }

    void fail(Throwable t) {
        failure = t;
        done.countDown();
    }

    void stop(StopReason reason) {
        stopped = reason;
        done.countDown();
    }

    /**
     * Waits for the outcome; interrupts are turned into a stop request, and restored afterwards. When the
     * scheduler is gone (closed) before it took the job, the job stops as closed.
     */
    TokenGenerator.Generated await(BooleanSupplier schedulerAlive) throws ModelException {
        boolean interrupted = false;
        while (true) {
            try {
                if (done.await(50, TimeUnit.MILLISECONDS)) {
                    break;
                }
                if (!schedulerAlive.getAsBoolean()) {
                    stop(StopReason.CLOSED);
                }
            } catch (InterruptedException e) {
                interrupted = true;
                requestStop(StopReason.INTERRUPTED);
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (stopped != null) {
            run.abort(stopped);
            run.check();
            throw new IllegalStateException("stopped without a reason to stop"); // not reached
        }
        if (failure instanceof ModelException m) {
            throw m;
        }
        if (failure instanceof RuntimeException r) {
            throw r;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
        return result;
    }
}
