package io.safetyguard.llamacpp.internal.engine;

import io.safetyguard.core.spi.ModelException;
import io.safetyguard.llamacpp.LlamaCppConfig;
import io.safetyguard.llamacpp.internal.NativeBridge;
import io.safetyguard.llamacpp.internal.jni.LlamaContext;
import io.safetyguard.llamacpp.internal.jni.LlamaModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The model's llama.cpp contexts: an evaluation borrows one, uses it alone and returns it; callers beyond the
 * pool size wait. Knows which runs hold a context, so a close can abort exactly its own.
 */
final class ContextPool implements AutoCloseable {

    /** One pooled context and what its KV cache holds. */
    static final class Slot {
        final LlamaContext context;
        /** The prompt prefix the KV holds at positions 0.. (null: unknown); used by one thread at a time. */
        int[] cachedPrefix;

        Slot(LlamaContext context) {
            this.context = context;
        }
    }

    private final List<Slot> slots;
    private final ArrayBlockingQueue<Slot> idle;
    private final Set<Run> running = ConcurrentHashMap.newKeySet();

    private ContextPool(List<Slot> slots) {
        this.slots = List.copyOf(slots);
        this.idle = new ArrayBlockingQueue<>(slots.size(), false, slots);
    }

    /**
     * Creates {@link LlamaCppConfig#parallelContexts()} contexts of {@code contextSize} tokens.
     *
     * @throws ModelException naming the context llama.cpp refused, and what to try; frees the ones created
     */
    static ContextPool create(LlamaModel model, LlamaCppConfig config, int contextSize) throws ModelException {
        List<Slot> slots = new ArrayList<>();
        try {
            for (int i = 0; i < config.parallelContexts(); i++) {
                NativeBridge.clearRecentProblems();
                Optional<LlamaContext> ctx = LlamaContext.create(
                        model,
                        contextSize,
                        config.batchSize(),
                        config.ubatchSize(),
                        config.threads(),
                        config.threads(),
                        flashAttention(config.flashAttention()),
                        config.persistentThreadPool(),
                        1);
                if (ctx.isEmpty()) {
                    throw new ModelException("llama.cpp could not create context " + (i + 1) + " of "
                            + config.parallelContexts() + " (context size " + contextSize + "): "
                            + NativeBridge.orUnknown(NativeBridge.recentProblems())
                            + ". Try fewer parallel contexts or a smaller context size.");
                }
                slots.add(new Slot(ctx.get()));
            }
        } catch (ModelException | RuntimeException | Error e) {
            slots.forEach(s -> s.context.close());
            throw e;
        }
        return new ContextPool(slots);
    }

    /** The size of each context in tokens, as llama.cpp made it. */
    int contextSize() {
        return slots.get(0).context.size();
    }

    /**
     * Waits for a free context and attaches it to {@code run}.
     *
     * @param closing true once the model is closing: stop waiting
     */
    Slot borrow(Run run, BooleanSupplier closing) throws ModelException {
        while (true) {
            Slot s;
            try {
                s = idle.poll(20, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException("interrupted while waiting for a free llama.cpp context");
            }
            if (s != null) {
                run.attach(s.context);
                running.add(run);
                Watchdog.watch(run);
                return s;
            }
            if (closing.getAsBoolean()) {
                throw new ModelException("the model was closed before this evaluation could start");
            }
            run.check();
        }
    }

    /** Returns a borrowed context, its abort flag lowered. */
    void release(Slot slot, Run run) {
        run.finish();
        Watchdog.forget(run);
        running.remove(run);
        slot.context.setAbort(false);
        idle.add(slot);
    }

    /** Aborts every run that holds one of these contexts. */
    void abortAll(StopReason reason) {
        for (Run r : running) {
            r.abort(reason);
        }
    }

    /** Frees the contexts; no run may hold one. */
    @Override
    public void close() {
        slots.forEach(s -> s.context.close());
    }

    /** The shim's code for a flash-attention setting. */
    static int flashAttention(LlamaCppConfig.FlashAttention mode) {
        return switch (mode) {
            case AUTO -> LlamaContext.FLASH_ATTENTION_AUTO;
            case ON -> 1;
            case OFF -> 0;
        };
    }
}
