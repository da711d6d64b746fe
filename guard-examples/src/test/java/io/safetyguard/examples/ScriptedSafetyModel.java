package io.safetyguard.examples;

import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.ModelInfo;
import io.safetyguard.core.spi.ModelOutput;
import io.safetyguard.core.spi.ModelRequest;
import io.safetyguard.core.spi.SafetyModel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test double {@link SafetyModel} with a scripted sequence of answers, for testing the logic
 * above the backend deterministically: call i gets answer i (the last one repeats). Records how
 * often and on which threads it was called, and can hold calls at a gate.
 */
public final class ScriptedSafetyModel implements SafetyModel {

    /** One scripted answer: a verdict text, or an exception to throw. */
    public sealed interface Answer permits Text, Failure {}

    public record Text(String text) implements Answer {}

    public record Failure(String message) implements Answer {}

    public static final Answer SAFE = verdict("Safe", "NA: None applying", "A plain picture.");
    public static final Answer UNSAFE_O3 =
            verdict("Unsafe", "O3: Sexual Content", "The image contains explicit content.");
    public static final Answer UNSAFE_O2 =
            verdict("Unsafe", "O2: Violence, Harm, or Cruelty", "The image shows violence.");

    private final List<Answer> answers;
    private final AtomicInteger calls = new AtomicInteger();
    private final List<String> threads = new CopyOnWriteArrayList<>();
    private volatile CountDownLatch gate;
    private volatile Map<String, String> metadata = Map.of();

    public ScriptedSafetyModel(Answer... answers) {
        if (answers.length == 0) {
            throw new IllegalArgumentException("script at least one answer");
        }
        this.answers = List.of(answers);
    }

    /** LlavaGuard's trained output layout. */
    public static Answer verdict(String rating, String category, String rationale) {
        return new Text("{\n    \"rating\": \"" + rating + "\",\n    \"category\": \"" + category
                + "\",\n    \"rationale\": \"" + rationale + "\"\n}");
    }

    /** Every call waits (up to 10 s) until {@code g} opens. */
    public ScriptedSafetyModel gatedBy(CountDownLatch g) {
        this.gate = g;
        return this;
    }

    /** Reports {@code m} as its {@link ModelInfo#metadata()}, e.g. {@code tiny=true} like a llama.cpp test model. */
    public ScriptedSafetyModel withMetadata(Map<String, String> m) {
        this.metadata = Map.copyOf(m);
        return this;
    }

    @Override
    public ModelInfo info() {
        return new ModelInfo("scripted", "Scripted test model", metadata);
    }

    @Override
    public ModelOutput evaluate(ModelRequest request) throws ModelException {
        int i = calls.getAndIncrement();
        threads.add(Thread.currentThread().getName());
        CountDownLatch g = gate;
        if (g != null) {
            try {
                if (!g.await(10, TimeUnit.SECONDS)) {
                    throw new ModelException("test gate never opened");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ModelException("interrupted at the test gate", e);
            }
        }
        Answer a = answers.get(Math.min(i, answers.size() - 1));
        if (a instanceof Failure f) {
            throw new ModelException(f.message());
        }
        return ModelOutput.ofText(((Text) a).text());
    }

    public int calls() {
        return calls.get();
    }

    /** Names of the threads the calls ran on, in call order. */
    public List<String> threads() {
        return List.copyOf(threads);
    }

    @Override
    public void close() {
        // nothing to free
    }
}
