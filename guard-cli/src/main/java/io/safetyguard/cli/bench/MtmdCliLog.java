package io.safetyguard.cli.bench;

import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads llama-mtmd-cli's log (stderr, run with {@code -lv 4} so llama.cpp's INFO lines are printed). The lines it
 * needs, as printed by llama.cpp v0.4.0 ({@code common/log.cpp} prefixes each with {@code M.SS.mmm.uuu} elapsed
 * time and a level letter):
 * <pre>
 * 0.00.810.969 W WARN: This is an experimental CLI for testing multimodal capability.
 * 0.00.817.522 I mtmd batch encoding done in 12 ms
 * 0.00.817.532 I decoding image batch 1/1, n_tokens_batch = 729
 * 0.00.849.976 I llama_perf_context_print:        load time =     210.38 ms
 * 0.00.849.988 I llama_perf_context_print: prompt eval time =       9.01 ms /    45 tokens (...)
 * 0.00.849.995 I llama_perf_context_print:        eval time =      22.14 ms /    19 runs   (...)
 * </pre>
 */
public final class MtmdCliLog {
    private static final Pattern STAMP = Pattern.compile("^(?:\\e\\[[0-9;]*m)*(\\d+)\\.(\\d{2})\\.(\\d{3})\\.(\\d{3})");
    private static final Pattern LOAD = Pattern.compile("llama_perf_context_print:\\s+load time =\\s*([0-9.]+) ms");
    private static final Pattern PROMPT =
            Pattern.compile("llama_perf_context_print:\\s+prompt eval time =\\s*([0-9.]+) ms /\\s*(\\d+) tokens");
    private static final Pattern EVAL =
            Pattern.compile("llama_perf_context_print:\\s+eval time =\\s*([0-9.]+) ms /\\s*(\\d+) runs");
    private static final Pattern ENCODED = Pattern.compile("mtmd batch encoding done in (\\d+) ms");
    private static final Pattern IMAGE_BATCH =
            Pattern.compile("decoding image batch \\d+/\\d+, n_tokens_batch = (\\d+)");
    private static final String LOADED_MARKER = "This is an experimental CLI";

    private MtmdCliLog() {}

    /** Parses a whole log. Lines it does not know are ignored. */
    public static MtmdCliTimings parse(String log) {
        OptionalDouble load = OptionalDouble.empty();
        OptionalDouble promptEval = OptionalDouble.empty();
        OptionalDouble eval = OptionalDouble.empty();
        int promptTokens = -1;
        int evalRuns = -1;
        double encode = 0;
        int imageTokens = 0;
        double loadedAt = Double.NaN;
        double perfAt = Double.NaN;
        for (String line : log.split("\r?\n")) {
            double at = stampMillis(line);
            Matcher m;
            if (line.contains(LOADED_MARKER) && Double.isNaN(loadedAt)) {
                loadedAt = at;
            } else if ((m = ENCODED.matcher(line)).find()) {
                encode += Double.parseDouble(m.group(1));
            } else if ((m = IMAGE_BATCH.matcher(line)).find()) {
                imageTokens += Integer.parseInt(m.group(1));
            } else if ((m = LOAD.matcher(line)).find()) {
                load = OptionalDouble.of(Double.parseDouble(m.group(1)));
                perfAt = at;
            } else if ((m = PROMPT.matcher(line)).find()) {
                promptEval = OptionalDouble.of(Double.parseDouble(m.group(1)));
                promptTokens = Integer.parseInt(m.group(2));
            } else if ((m = EVAL.matcher(line)).find()) {
                eval = OptionalDouble.of(Double.parseDouble(m.group(1)));
                evalRuns = Integer.parseInt(m.group(2));
            }
        }
        OptionalDouble work = Double.isNaN(loadedAt) || Double.isNaN(perfAt) || perfAt < loadedAt
                ? OptionalDouble.empty()
                : OptionalDouble.of(perfAt - loadedAt);
        return new MtmdCliTimings(load, encode, promptEval, promptTokens, eval, evalRuns, work, imageTokens);
    }

    /** The elapsed-time prefix of a log line in milliseconds, NaN when the line has none. */
    static double stampMillis(String line) {
        Matcher m = STAMP.matcher(line);
        if (!m.find()) {
            return Double.NaN;
        }
        long minutes = Long.parseLong(m.group(1));
        long seconds = Long.parseLong(m.group(2));
        long millis = Long.parseLong(m.group(3));
        long micros = Long.parseLong(m.group(4));
        return (minutes * 60 + seconds) * 1000.0 + millis + micros / 1000.0;
    }
}
