package io.safetyguard.llamacpp.internal;

import io.safetyguard.llamacpp.LlamaCppModel;
import io.safetyguard.llamacpp.internal.gguf.GgufFile;
import io.safetyguard.llamacpp.internal.gguf.GgufFormatException;
import io.safetyguard.llamacpp.internal.gguf.GgufReader;
import io.safetyguard.llamacpp.internal.gguf.GgufValue;
import io.safetyguard.llamacpp.internal.gguf.GgufValueType;
import io.safetyguard.llamacpp.internal.gguf.ModelKeys;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How much host memory a llama.cpp context of a given size takes, estimated from the text model's
 * shapes, and whether that fits in the memory the machine has free.
 *
 * <p>Why this exists: llama.cpp allocates a context's KV cache in one block and then clears it.
 * When the allocation is refused it fails cleanly (the context is NULL), but that takes up to a
 * minute for absurd sizes; and when the operating system grants more than it can back (Linux
 * overcommits), clearing the block makes the kernel's OOM killer end the whole host process. So
 * {@link LlamaCppModel#open} refuses, before any context exists, a context size or number of
 * parallel contexts whose estimate exceeds the available memory.
 *
 * <p>The estimate: the KV cache (f16 keys and values: layers × KV heads × (key + value length) × 2
 * bytes per token) plus {@link #OVERHEAD_PER_TOKEN} for the compute buffers that grow with the
 * context (about 55 bytes per token measured on the tiny model) and {@link #OVERHEAD_PER_CONTEXT}.
 */
public final class ContextMemory {

    /** Compute-buffer bytes per context token beyond the KV cache (measured ~55, with margin). */
    public static final long OVERHEAD_PER_TOKEN = 128;
    /** Fixed bytes per context: batch, logits row, compute buffer at a small context. */
    public static final long OVERHEAD_PER_CONTEXT = 16L << 20;
    /** Refuse when the estimate exceeds this share of the available memory (the rest of the host needs some). */
    public static final double USABLE_SHARE = 0.9;

    private static final long F16_BYTES = 2;

    private final double kvBytesPerToken;

    private ContextMemory(double kvBytesPerToken) {
        this.kvBytesPerToken = kvBytesPerToken;
    }

    /** The estimate for the text model in {@code f} (already checked by the inspector). */
    public static ContextMemory of(GgufFile f) throws GgufFormatException {
        String arch = f.getString(ModelKeys.ARCHITECTURE);
        long layers = f.getU32(ModelKeys.blockCount(arch));
        long embd = f.getU32(ModelKeys.embeddingLength(arch));
        GgufValue heads = f.get(ModelKeys.headCount(arch));
        GgufValue kvHeads = f.find(ModelKeys.headCountKv(arch))
                .filter(ContextMemory::isCount)
                .orElse(heads);
        OptionalLong keyLength = u32(f, arch + ".attention.key_length");
        OptionalLong valueLength = u32(f, arch + ".attention.value_length");
        if (!isCount(heads)) {
            return new ContextMemory(0); // llama.cpp refuses such a file when loading it
        }
        if (!heads.isArray() && !kvHeads.isArray()) {
            return new ContextMemory(
                    layers * layerBytes(embd, heads.longValue(), kvHeads.longValue(), keyLength, valueLength));
        }
        // per-layer head counts (an array's length bounds the loop; it is at most the file size)
        long[] h = perLayer(heads);
        long[] kv = perLayer(kvHeads);
        long n = Math.min(
                layers, Math.min(h == null ? Long.MAX_VALUE : h.length, kv == null ? Long.MAX_VALUE : kv.length));
        double perToken = 0;
        for (int il = 0; il < n; il++) {
            perToken += layerBytes(
                    embd,
                    h == null ? heads.longValue() : h[il],
                    kv == null ? kvHeads.longValue() : kv[il],
                    keyLength,
                    valueLength); // layers without attention heads have no KV cache
        }
        return new ContextMemory(perToken);
    }

    /** Reads the text model's metadata and estimates. */
    public static ContextMemory of(Path textModel) throws IOException {
        return of(GgufReader.read(textModel));
    }

    private static double layerBytes(
            long embd, long heads, long kvHeads, OptionalLong keyLength, OptionalLong valueLength) {
        if (heads <= 0 || kvHeads <= 0) {
            return 0;
        }
        double headDim = (double) embd / heads;
        double k = keyLength.isPresent() ? keyLength.getAsLong() : headDim;
        double v = valueLength.isPresent() ? valueLength.getAsLong() : headDim;
        return (double) kvHeads * (k + v) * F16_BYTES;
    }

    /** KV cache bytes per token of context. */
    public double kvBytesPerToken() {
        return kvBytesPerToken;
    }

    /** Estimated bytes for one context of {@code nCtx} tokens. */
    double bytesPerContext(long nCtx) {
        return nCtx * (kvBytesPerToken + OVERHEAD_PER_TOKEN) + OVERHEAD_PER_CONTEXT;
    }

    /**
     * The reason {@code contexts} contexts of {@code nCtx} tokens cannot be created with
     * {@code availableBytes} free, naming what to lower; empty when they fit.
     */
    public Optional<String> refusal(int nCtx, int contexts, long availableBytes, int minimumCtx) {
        double one = bytesPerContext(nCtx);
        double all = one * contexts;
        if (all <= availableBytes * USABLE_SHARE) {
            return Optional.empty();
        }
        long fitting = (long) ((availableBytes * USABLE_SHARE / contexts - OVERHEAD_PER_CONTEXT)
                / (kvBytesPerToken + OVERHEAD_PER_TOKEN));
        StringBuilder s = new StringBuilder()
                .append(contexts)
                .append(contexts == 1 ? " context" : " parallel contexts")
                .append(" of ")
                .append(nCtx)
                .append(" tokens need about ")
                .append(size(all))
                .append(" (KV cache ")
                .append(size(kvBytesPerToken * nCtx))
                .append(" per context), but only ")
                .append(size(availableBytes))
                .append(" of memory is available; llama.cpp would fail or the operating system would end the "
                        + "process. Lower ");
        if (fitting >= minimumCtx) {
            s.append("the context size (LlamaCppConfig.Builder.contextSize; ")
                    .append(Math.min(fitting, nCtx - 1))
                    .append(" tokens or fewer fit with ")
                    .append(contexts)
                    .append(contexts == 1 ? " context" : " contexts")
                    .append(", the model needs at least ")
                    .append(minimumCtx)
                    .append(")");
            if (contexts > 1) {
                s.append(" or the number of parallel contexts (LlamaCppConfig.Builder.parallelContexts)");
            }
        } else if (contexts > 1) {
            s.append("the number of parallel contexts (LlamaCppConfig.Builder.parallelContexts, now ")
                    .append(contexts)
                    .append(")");
        } else {
            s.append("the memory use of other processes: even the smallest usable context (")
                    .append(minimumCtx)
                    .append(" tokens) does not fit");
        }
        return Optional.of(s.append('.').toString());
    }

    /**
     * The reason one context of {@code sequences} sequences with {@code nCtx} tokens each (batched decoding) cannot
     * be created with {@code availableBytes} free, naming how many sequences fit; empty when it fits.
     */
    public Optional<String> sequenceRefusal(int nCtx, int sequences, long availableBytes) {
        double perSequence = (double) nCtx * (kvBytesPerToken + OVERHEAD_PER_TOKEN);
        double all = perSequence * sequences + OVERHEAD_PER_CONTEXT;
        double usable = availableBytes * USABLE_SHARE;
        if (all <= usable) {
            return Optional.empty();
        }
        long fitting = (long) Math.max(0, (usable - OVERHEAD_PER_CONTEXT) / perSequence);
        StringBuilder s = new StringBuilder()
                .append(sequences)
                .append(" sequences of ")
                .append(nCtx)
                .append(" tokens need about ")
                .append(size(all))
                .append(" (KV cache ")
                .append(size(kvBytesPerToken * nCtx))
                .append(" per sequence), but only ")
                .append(size(availableBytes))
                .append(" of memory is available; llama.cpp would fail or the operating system would end the "
                        + "process. ");
        if (fitting >= 2) {
            s.append(fitting)
                    .append(" sequences fit: use LlamaCppConfig.Builder.sequences(")
                    .append(fitting)
                    .append(") (CLI: --batch ")
                    .append(fitting)
                    .append("), or a smaller context size.");
        } else if (fitting == 1) {
            s.append("Only one sequence fits: do not batch (LlamaCppConfig.Builder.sequences(1)).");
        } else {
            s.append("Not even one sequence fits: lower the context size or the memory use of other processes.");
        }
        return Optional.of(s.toString());
    }

    // ---- available memory ----

    /**
     * The memory this process can still allocate: the smaller of the system's available memory
     * (Linux MemAvailable, which counts reclaimable cache) and the room left under a cgroup v2
     * memory limit; elsewhere the free physical memory the JVM reports. Empty when unknown.
     */
    public static OptionalLong availableBytes() {
        long best = Long.MAX_VALUE;
        long meminfo = procMemAvailable();
        if (meminfo > 0) {
            best = meminfo;
        } else if (ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            long free = os.getFreeMemorySize();
            if (free > 0) {
                best = free;
            }
        }
        long cgroup = cgroupRoom();
        if (cgroup > 0) {
            best = Math.min(best, cgroup);
        }
        return best == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(best);
    }

    private static long procMemAvailable() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or an unexpected format: fall back
        }
        return -1;
    }

    private static long cgroupRoom() {
        try {
            Path max = Path.of("/sys/fs/cgroup/memory.max");
            Path current = Path.of("/sys/fs/cgroup/memory.current");
            if (!Files.isReadable(max) || !Files.isReadable(current)) {
                return -1;
            }
            String limit = Files.readString(max, StandardCharsets.US_ASCII).strip();
            if (limit.equals("max")) {
                return -1;
            }
            return Math.max(
                    0,
                    Long.parseLong(limit)
                            - Long.parseLong(Files.readString(current, StandardCharsets.US_ASCII)
                                    .strip()));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    // ---- helpers ----

    public static String size(double bytes) {
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GiB", bytes / (1L << 30));
        }
        return String.format(Locale.ROOT, "%.0f MiB", Math.ceil(bytes / (1L << 20)));
    }

    private static OptionalLong u32(GgufFile f, String key) {
        GgufValue v = f.metadata().get(key);
        return v != null && v.type() == GgufValueType.UINT32 ? OptionalLong.of(v.longValue()) : OptionalLong.empty();
    }

    /** A u32/i32 scalar or array: what llama.cpp accepts for head counts. */
    private static boolean isCount(GgufValue v) {
        GgufValueType t = v.isArray() ? v.elementType() : v.type();
        return (t == GgufValueType.UINT32 || t == GgufValueType.INT32) && !(v.isArray() && v.isArrayOfArrays());
    }

    /** The per-layer values of an array, or null for a scalar. */
    private static long[] perLayer(GgufValue v) {
        if (!v.isArray()) {
            return null;
        }
        int[] a = v.toIntArray();
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = v.elementType() == GgufValueType.UINT32 ? Integer.toUnsignedLong(a[i]) : a[i];
        }
        return out;
    }
}
