package io.safetyguard.spark;

import io.safetyguard.core.FailureMode;
import io.safetyguard.core.SafetyGuard;
import io.safetyguard.core.spi.GenerationOptions;
import io.safetyguard.core.spi.ModelException;
import io.safetyguard.core.spi.SafetyModel;
import io.safetyguard.llamacpp.LlamaCppConfig;
import io.safetyguard.llamacpp.LlamaCppModel;
import io.safetyguard.remote.RemoteSafetyModel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * One {@link SafetyGuard} per executor JVM and job settings, loaded by the first task that needs it
 * and shared by every later task of that JVM: a model is loaded once per executor, not once per
 * task or partition. A load that failed is remembered, so the other tasks of the executor fail at
 * once with the same message instead of loading again.
 */
final class ExecutorGuards {

    /** The loaded guard of one job, with the permits that bound the images in flight in this JVM. */
    record Loaded(SafetyGuard guard, Semaphore inFlight) {}

    private static final Map<String, Object> GUARDS = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ExecutorGuards::closeAll, "safetyguard-close-guards"));
    }

    private ExecutorGuards() {}

    /**
     * The guard for {@code job}, loading it on first use.
     *
     * @throws ModelUnavailableException when the model does not load (now or at an earlier try in this JVM)
     */
    static Loaded get(GuardJob job, HadoopFiles files) {
        Object held = GUARDS.computeIfAbsent(job.key(), k -> load(job, files));
        if (held instanceof ModelUnavailableException failed) {
            throw new ModelUnavailableException(failed.getMessage(), failed);
        }
        return (Loaded) held;
    }

    private static Object load(GuardJob job, HadoopFiles files) {
        SafetyModel model;
        try {
            model = job.remote() ? openRemote(job) : openLocal(job, files);
        } catch (Exception | LinkageError e) {
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            return new ModelUnavailableException(
                    "the model " + job.modelDescription() + " did not load on this executor: " + why, e);
        }
        GenerationOptions options = job.generationOptions();
        if (options.verdictOnly() && !model.supportsVerdictOnly()) {
            options = options.withVerdictOnly(false);
        }
        int parallel = job.remote() ? Math.max(job.parallel(), job.capacity()) : job.parallel();
        SafetyGuard.Builder builder = SafetyGuard.builder()
                .model(model)
                .ownsModel(true)
                .policy(job.policy())
                .generationOptions(options)
                // a verdict that cannot be made is an error row; the job goes on
                .failureMode(FailureMode.FAIL_CLOSED)
                .parallelism(parallel);
        job.unsafeThreshold().ifPresent(builder::unsafeThreshold);
        return new Loaded(builder.build(), new Semaphore(job.inFlight()));
    }

    private static SafetyModel openLocal(GuardJob job, HadoopFiles files) throws Exception {
        Path model = ModelFileLocator.locate(job.model(), files);
        Path mmproj = ModelFileLocator.locate(job.mmproj(), files);
        LlamaCppConfig.Builder config =
                LlamaCppConfig.builder(model, mmproj).gpuLayers(job.gpuLayers()).parallelContexts(job.parallel());
        if (job.threads() > 0) {
            config.threads(job.threads());
        }
        if (job.contextSize() > 0) {
            config.contextSize(job.contextSize());
        }
        return LlamaCppModel.open(config.build());
    }

    private static SafetyModel openRemote(GuardJob job) throws ModelException {
        return RemoteSafetyModel.builder()
                .endpoints(job.endpoints())
                .apiKey(job.apiKey())
                .model(job.serverModel())
                .endpointConcurrency(job.endpointConcurrency())
                .requestTimeout(Duration.ofSeconds(job.requestTimeoutSeconds()))
                .build();
    }

    private static void closeAll() {
        GUARDS.values().forEach(held -> {
            if (held instanceof Loaded loaded) {
                loaded.guard().close();
            }
        });
        GUARDS.clear();
    }
}
