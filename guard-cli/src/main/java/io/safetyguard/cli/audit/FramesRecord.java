package io.safetyguard.cli.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.safetyguard.core.Verdict;
import io.safetyguard.core.frames.FrameVerdict;
import io.safetyguard.core.frames.FramesVerdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The per-frame part of a verdict line for an animated image, written only for animations:
 *
 * <pre>"frame_count":120,"frame_rule":"any","frames":[{"index":0,"time_ms":0,"rating":"Safe",
 *  "category":"NA: None applying","p_unsafe":0.02,"error":null}, …]</pre>
 *
 * @param frameCount frames in the animation (the judged ones are a sample of them)
 * @param rule       the frame rule that rated the animation, as {@code --frame-rule} writes it
 * @param judged     one entry per sampled frame, in order
 */
public record FramesRecord(int frameCount, String rule, List<Frame> judged) {

    /**
     * One sampled frame.
     *
     * @param index    the frame's position in the animation, from 0
     * @param timeMs   when it appears, in ms from the start; null when unknown
     * @param rating   {@code "Safe"}/{@code "Unsafe"}; null when the frame could not be judged
     * @param category the category label the model chose for the frame; null on error
     * @param pUnsafe  the frame's P(Unsafe), when the backend computes it
     * @param error    why the frame could not be judged; null when it was
     */
    public record Frame(int index, Long timeMs, String rating, String category, Double pUnsafe, String error) {
        public boolean isUnsafe() {
            return "Unsafe".equals(rating);
        }
    }

    public FramesRecord {
        Objects.requireNonNull(rule, "rule");
        judged = List.copyOf(judged);
    }

    public static FramesRecord of(FramesVerdict v) {
        List<Frame> frames = new ArrayList<>();
        for (FrameVerdict f : v.frames()) {
            Verdict verdict = f.verdict();
            Long time = f.timestamp().isPresent() ? f.timestamp().getAsLong() : null;
            if (verdict.isFailure()) {
                frames.add(new Frame(
                        f.index(),
                        time,
                        null,
                        null,
                        null,
                        verdict.failureReason().orElse("no verdict")));
            } else {
                frames.add(new Frame(
                        f.index(),
                        time,
                        verdict.rating().label(),
                        verdict.categoryLabel().orElse(null),
                        verdict.probabilityUnsafe().isPresent()
                                ? verdict.probabilityUnsafe().getAsDouble()
                                : null,
                        null));
            }
        }
        return new FramesRecord(v.frameCount(), v.rule().toString(), frames);
    }

    /** The frames rated Unsafe. */
    public List<Frame> unsafe() {
        return judged.stream().filter(Frame::isUnsafe).toList();
    }

    /** Adds {@code frame_count}, {@code frame_rule} and {@code frames} to a verdict line. */
    public void writeTo(ObjectNode line) {
        line.put("frame_count", frameCount);
        line.put("frame_rule", rule);
        ArrayNode list = line.putArray("frames");
        for (Frame f : judged) {
            ObjectNode o = list.addObject();
            o.put("index", f.index());
            o.put("time_ms", f.timeMs());
            o.put("rating", f.rating());
            o.put("category", f.category());
            o.put("p_unsafe", f.pUnsafe());
            o.put("error", f.error());
        }
    }

    /** The frames part of a parsed line; null when it has none (a still image, or an older line). */
    static FramesRecord parse(JsonNode line) {
        JsonNode list = line.get("frames");
        if (list == null || !list.isArray()) {
            return null;
        }
        List<Frame> frames = new ArrayList<>();
        for (JsonNode o : list) {
            JsonNode time = o.path("time_ms");
            JsonNode p = o.path("p_unsafe");
            frames.add(new Frame(
                    o.path("index").asInt(),
                    time.isIntegralNumber() ? time.asLong() : null,
                    text(o, "rating"),
                    text(o, "category"),
                    p.isNumber() ? p.asDouble() : null,
                    text(o, "error")));
        }
        return new FramesRecord(
                line.path("frame_count").asInt(frames.size()),
                line.path("frame_rule").asText("any"),
                frames);
    }

    private static String text(JsonNode o, String key) {
        JsonNode v = o.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }
}
