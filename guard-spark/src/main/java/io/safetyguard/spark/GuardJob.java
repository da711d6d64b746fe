package io.safetyguard.spark;

import io.safetyguard.core.spi.GenerationOptions;
import io.safetyguard.policy.Policy;
import io.safetyguard.policy.PolicyFiles;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * The settings of one audit job, shipped to every executor: which model (a GGUF pair loaded in each
 * executor JVM, or the servers to send images to), the policy, decoding and the work per executor.
 * Immutable and serializable; {@link #key()} names the settings that decide which model an executor
 * loads, so tasks of the same job share one loaded model.
 */
public final class GuardJob implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String model;
    private final String mmproj;
    private final List<String> endpoints;
    private final String apiKey;
    private final int endpointConcurrency;
    private final int requestTimeoutSeconds;
    private final String serverModel;
    private final int threads;
    private final int gpuLayers;
    private final int contextSize;
    private final int parallel;
    private final String policyJson;
    private final String policyFingerprint;
    private final boolean greedy;
    private final boolean verdictOnly;
    private final int maxNewTokens;
    private final Long seed;
    private final long timeoutSeconds;
    private final Double unsafeThreshold;
    private final int inFlight;
    private final int partitions;

    private GuardJob(Builder b) {
        this.model = b.model;
        this.mmproj = b.mmproj;
        this.endpoints = List.copyOf(b.endpoints);
        this.apiKey = b.apiKey;
        this.endpointConcurrency = b.endpointConcurrency;
        this.requestTimeoutSeconds = b.requestTimeoutSeconds;
        this.serverModel = b.serverModel;
        this.threads = b.threads;
        this.gpuLayers = b.gpuLayers;
        this.contextSize = b.contextSize;
        this.parallel = b.parallel;
        Policy policy = b.policy == null ? Policy.llavaGuardDefault() : b.policy;
        this.policyJson = PolicyFiles.toJson(policy);
        this.policyFingerprint = policy.fingerprint();
        this.greedy = b.greedy;
        this.verdictOnly = b.verdictOnly;
        this.maxNewTokens = b.maxNewTokens;
        this.seed = b.seed;
        this.timeoutSeconds = b.timeoutSeconds;
        this.unsafeThreshold = b.unsafeThreshold;
        this.inFlight = b.inFlight > 0 ? b.inFlight : 2 * Math.max(parallel, remote() ? capacity() : 1);
        this.partitions = b.partitions;
        validate();
    }

    private void validate() {
        if (remote() && (model != null || mmproj != null)) {
            throw new IllegalArgumentException("endpoints send images to servers that hold the model; "
                    + "do not combine them with a model pair (--model/--mmproj)");
        }
        if (!remote() && (model == null || mmproj == null)) {
            throw new IllegalArgumentException("give the model pair (--model FILE.gguf --mmproj FILE.gguf) "
                    + "or the servers that run it (--endpoint URL)");
        }
        require(parallel >= 1, "parallel must be at least 1, got " + parallel);
        require(endpointConcurrency >= 1, "endpoint concurrency must be at least 1, got " + endpointConcurrency);
        require(requestTimeoutSeconds >= 1, "request timeout must be at least 1 second, got " + requestTimeoutSeconds);
        require(maxNewTokens >= 1, "max new tokens must be at least 1, got " + maxNewTokens);
        require(timeoutSeconds >= 0, "timeout must be 0 (no limit) or more seconds, got " + timeoutSeconds);
        require(
                unsafeThreshold == null || (unsafeThreshold >= 0 && unsafeThreshold <= 1),
                "the unsafe threshold is a probability and must be between 0 and 1, got " + unsafeThreshold);
        require(partitions >= 0, "partitions must be 0 (Spark's default) or more, got " + partitions);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** True when the images go to servers ({@link Builder#endpoints}) instead of a model in each executor. */
    public boolean remote() {
        return !endpoints.isEmpty();
    }

    /** The text model GGUF: a local path, a Hadoop URI (hdfs://, s3a://, ...) or a file name shipped with --files. */
    public String model() {
        return model;
    }

    public String mmproj() {
        return mmproj;
    }

    public List<String> endpoints() {
        return endpoints;
    }

    String apiKey() {
        return apiKey;
    }

    public int endpointConcurrency() {
        return endpointConcurrency;
    }

    public int requestTimeoutSeconds() {
        return requestTimeoutSeconds;
    }

    public String serverModel() {
        return serverModel;
    }

    /** llama.cpp threads per executor; 0 = all cores of the executor's machine. */
    public int threads() {
        return threads;
    }

    public int gpuLayers() {
        return gpuLayers;
    }

    /** Context size in tokens; 0 = enough for image and policy. */
    public int contextSize() {
        return contextSize;
    }

    /** llama.cpp contexts per executor (images evaluated at once). */
    public int parallel() {
        return parallel;
    }

    /** The policy, rebuilt from its JSON form (the same fingerprint). */
    public Policy policy() {
        return PolicyFiles.fromJson(policyJson, "the job's policy");
    }

    public String policyFingerprint() {
        return policyFingerprint;
    }

    /** The first 12 hex digits of the policy fingerprint: the {@code policy} column. */
    public String policyColumn() {
        return policyFingerprint.substring(0, Math.min(12, policyFingerprint.length()));
    }

    public boolean greedy() {
        return greedy;
    }

    public boolean verdictOnly() {
        return verdictOnly;
    }

    public int maxNewTokens() {
        return maxNewTokens;
    }

    public OptionalDouble unsafeThreshold() {
        return unsafeThreshold == null ? OptionalDouble.empty() : OptionalDouble.of(unsafeThreshold);
    }

    /** Images one task keeps in flight at most (read and queued for the executor's model). */
    public int inFlight() {
        return inFlight;
    }

    /** Partitions the unique images are spread over for judging; 0 = Spark's shuffle partitions. */
    public int partitions() {
        return partitions;
    }

    /** Requests the servers can take at once, in all. */
    int capacity() {
        return endpoints.size() * endpointConcurrency;
    }

    /** The generation options these settings select. */
    public GenerationOptions generationOptions() {
        GenerationOptions o = GenerationOptions.DEFAULT
                .withGreedy(greedy)
                .withVerdictOnly(verdictOnly)
                .withMaxNewTokens(maxNewTokens)
                .withTimeout(Duration.ofSeconds(timeoutSeconds));
        return seed == null ? o : o.withSeed(seed);
    }

    /**
     * The settings that decide the loaded guard: two jobs with the same key share an executor's
     * model. The API key is kept out (it would be a secret in logs); a job with another key but the
     * same servers reuses the client, which is what the servers' owner configured anyway.
     */
    String key() {
        return String.join(
                "\u0000",
                String.valueOf(model),
                String.valueOf(mmproj),
                String.join(" ", endpoints),
                Integer.toString(endpointConcurrency),
                Integer.toString(requestTimeoutSeconds),
                String.valueOf(serverModel),
                Integer.toString(threads),
                Integer.toString(gpuLayers),
                Integer.toString(contextSize),
                Integer.toString(parallel),
                policyFingerprint,
                generationOptions().toString(),
                String.valueOf(unsafeThreshold));
    }

    /** The model for messages: the file, or the servers. */
    public String modelDescription() {
        return remote() ? String.join(" ", endpoints) : model + " + " + mmproj;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GuardJob j && key().equals(j.key()) && Objects.equals(apiKey, j.apiKey);
    }

    @Override
    public int hashCode() {
        return key().hashCode();
    }

    @Override
    public String toString() {
        return "GuardJob[" + modelDescription() + ", policy " + policyColumn() + "]";
    }

    /** Builds a {@link GuardJob}; either {@link #model} or {@link #endpoints} is required. */
    public static final class Builder {
        private String model;
        private String mmproj;
        private final List<String> endpoints = new ArrayList<>();
        private String apiKey;
        private int endpointConcurrency = 4;
        private int requestTimeoutSeconds = 120;
        private String serverModel;
        private int threads;
        private int gpuLayers = -1;
        private int contextSize;
        private int parallel = 1;
        private Policy policy;
        private boolean greedy;
        private boolean verdictOnly;
        private int maxNewTokens = 500;
        private Long seed;
        private long timeoutSeconds;
        private Double unsafeThreshold;
        private int inFlight;
        private int partitions;

        private Builder() {}

        /**
         * The model pair each executor loads: local paths present on every executor (a shared
         * mount), Hadoop URIs (copied to the executor once), or bare file names shipped with
         * {@code spark-submit --files}.
         */
        public Builder model(String model, String mmproj) {
            this.model = Objects.requireNonNull(model, "model");
            this.mmproj = Objects.requireNonNull(mmproj, "mmproj");
            return this;
        }

        /** OpenAI-compatible servers (SGLang, vLLM, llama-server) instead of a model in each executor. */
        public Builder endpoints(List<String> urls) {
            endpoints.clear();
            endpoints.addAll(urls);
            return this;
        }

        public Builder apiKey(String value) {
            this.apiKey = value;
            return this;
        }

        /** Requests in flight per server from each executor at most. Default 4. */
        public Builder endpointConcurrency(int value) {
            this.endpointConcurrency = value;
            return this;
        }

        public Builder requestTimeoutSeconds(int value) {
            this.requestTimeoutSeconds = value;
            return this;
        }

        public Builder serverModel(String value) {
            this.serverModel = value;
            return this;
        }

        /** llama.cpp CPU threads per executor; 0 (default) = all cores. Match spark.executor.cores. */
        public Builder threads(int value) {
            this.threads = value;
            return this;
        }

        public Builder gpuLayers(int value) {
            this.gpuLayers = value;
            return this;
        }

        public Builder contextSize(int value) {
            this.contextSize = value;
            return this;
        }

        /** llama.cpp contexts per executor. Default 1. */
        public Builder parallel(int value) {
            this.parallel = value;
            return this;
        }

        /** The policy; default LlavaGuard's. */
        public Builder policy(Policy value) {
            this.policy = value;
            return this;
        }

        public Builder greedy(boolean value) {
            this.greedy = value;
            return this;
        }

        public Builder verdictOnly(boolean value) {
            this.verdictOnly = value;
            return this;
        }

        public Builder maxNewTokens(int value) {
            this.maxNewTokens = value;
            return this;
        }

        public Builder seed(long value) {
            this.seed = value;
            return this;
        }

        /** Give up on one image after this many seconds (then an error row); 0 = no limit. */
        public Builder timeoutSeconds(long value) {
            this.timeoutSeconds = value;
            return this;
        }

        public Builder unsafeThreshold(double value) {
            this.unsafeThreshold = value;
            return this;
        }

        /** Images one task keeps in flight; default twice what the model takes at once. */
        public Builder inFlight(int value) {
            this.inFlight = value;
            return this;
        }

        /** Partitions the unique images are judged in; 0 (default) = spark.sql.shuffle.partitions. */
        public Builder partitions(int value) {
            this.partitions = value;
            return this;
        }

        public GuardJob build() {
            return new GuardJob(this);
        }
    }
}
