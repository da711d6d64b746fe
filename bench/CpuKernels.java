import io.safetyguard.llamacpp.internal.NativeBridge;
import io.safetyguard.llamacpp.internal.jni.LlamaContext;
import io.safetyguard.llamacpp.internal.jni.LlamaModel;
import java.nio.file.Path;
import java.util.Random;

/**
 * The CPU kernels alone, for comparing native builds (bench/cpu-builds.sh): prompt processing (one prompt of P
 * fixed pseudo-random tokens, decoded in batches of 512) and token generation (G single-token decodes after it)
 * on a text model, after a short untimed warm-up. No image, no sampling, no grammar: what is timed is
 * llama_decode. Run from the source file with guard.jar on the class path:
 *
 * <pre>java -cp guard-cli/target/guard.jar bench/CpuKernels.java MODEL.gguf [PROMPT_TOKENS] [GEN_TOKENS] [THREADS]</pre>
 *
 * Prints one line: {@code cpuVariant=... promptTokensPerSecond=... generationMillisPerToken=...}.
 */
public final class CpuKernels {
    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        int prompt = args.length > 1 ? Integer.parseInt(args[1]) : 512;
        int gen = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        NativeBridge.ensureInitialised();
        LlamaModel m = LlamaModel.load(model, 0, true);
        LlamaContext c = LlamaContext.create(m, prompt + gen + 64, 512, 512, threads, threads)
                .orElseThrow(() -> new IllegalStateException(NativeBridge.recentProblems()));
        Random random = new Random(42);
        int vocab = m.vocabularySize();
        int[] tokens = new int[prompt];
        for (int i = 0; i < prompt; i++) {
            tokens[i] = 1000 + random.nextInt(Math.max(1, vocab / 2));
        }
        check(c.decodeTokens(java.util.Arrays.copyOf(tokens, 32), 0, true));
        c.clear();
        long t0 = System.nanoTime();
        check(c.decodeTokens(tokens, 0, true));
        long pp = System.nanoTime() - t0;
        t0 = System.nanoTime();
        for (int i = 0; i < gen; i++) {
            check(c.decodeToken(tokens[i], prompt + i));
        }
        long tg = System.nanoTime() - t0;
        System.out.printf(
                "cpuVariant=%s promptTokensPerSecond=%.2f generationMillisPerToken=%.2f%n",
                NativeBridge.cpuVariant(), prompt / (pp / 1e9), tg / 1e6 / gen);
    }

    private static void check(int rc) {
        if (rc != 0) {
            throw new IllegalStateException("llama_decode returned " + rc + ": " + NativeBridge.recentProblems());
        }
    }
}
