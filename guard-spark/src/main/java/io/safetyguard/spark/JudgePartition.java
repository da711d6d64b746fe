package io.safetyguard.spark;

import io.safetyguard.core.ImageInput;
import io.safetyguard.core.SafetyGuard;
import io.safetyguard.core.Verdict;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;

/**
 * Judges one partition of unique images ({@code digest, path}) with the executor's guard and yields
 * one {@link VerdictColumns#judgedSchema()} row per image, in input order. Images are read and
 * queued ahead, never more than {@link GuardJob#inFlight()} in this JVM at once (the permits are
 * shared by every task of the executor), so memory stays bounded however large the partition.
 * An image that cannot be read or judged becomes an error row; only a model that does not load
 * fails the task.
 */
final class JudgePartition implements MapPartitionsFunction<Row, Row> {

    private static final long serialVersionUID = 1L;

    private final GuardJob job;
    private final HadoopFiles files;
    private final LongAccumulator judged;

    /** {@code judged} (may be null) counts the images sent to the model. */
    JudgePartition(GuardJob job, HadoopFiles files, LongAccumulator judged) {
        this.job = job;
        this.files = files;
        this.judged = judged;
    }

    /** One image in flight. */
    private record Pending(String digest, long started, CompletableFuture<Verdict> verdict, String readError) {}

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        if (!rows.hasNext()) {
            return rows; // an empty partition loads no model
        }
        ExecutorGuards.Loaded loaded = ExecutorGuards.get(job, files);
        SafetyGuard guard = loaded.guard();
        String modelId = guard.modelInfo().id();
        long maxBytes = guard.imageLimits().maxBytes();
        ArrayDeque<Pending> window = new ArrayDeque<>();
        int windowSize = Math.max(1, job.inFlight());
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                fill();
                return !window.isEmpty();
            }

            @Override
            public Row next() {
                fill();
                Pending p = window.poll();
                if (p == null) {
                    throw new NoSuchElementException();
                }
                return VerdictColumns.judgedRow(p.digest(), outcome(p));
            }

            private void fill() {
                while (window.size() < windowSize && rows.hasNext()) {
                    Row in = rows.next();
                    window.add(submit(in.getString(0), in.getString(1)));
                }
            }

            private Pending submit(String digest, String path) {
                long started = System.nanoTime();
                byte[] bytes;
                try {
                    bytes = files.read(path, maxBytes);
                } catch (Exception e) {
                    return new Pending(
                            digest, started, null, "cannot read " + path + ": " + DigestPartition.message(e));
                }
                loaded.inFlight().acquireUninterruptibly();
                if (judged != null) {
                    judged.add(1);
                }
                CompletableFuture<Verdict> f;
                try {
                    f = guard.assessAsync(ImageInput.ofBytes(bytes, path));
                } catch (RuntimeException e) {
                    f = CompletableFuture.failedFuture(e);
                }
                f.whenComplete((v, e) -> loaded.inFlight().release()); // exactly once per acquire
                return new Pending(digest, started, f, null);
            }

            private ImageOutcome outcome(Pending p) {
                if (p.readError() != null) {
                    return ImageOutcome.error(p.readError(), job.policyFingerprint(), modelId);
                }
                try {
                    return ImageOutcome.of(p.verdict().get(), modelId);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while judging (the task was killed)", e);
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause() == null ? e : e.getCause();
                    return ImageOutcome.error(DigestPartition.message(cause), job.policyFingerprint(), modelId);
                }
            }
        };
    }
}
