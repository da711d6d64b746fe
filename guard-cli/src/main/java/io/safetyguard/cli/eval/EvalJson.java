package io.safetyguard.cli.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes {@code eval.json}. Shares are fractions in [0, 1]; an undefined metric (zero denominator)
 * is {@code null}. Layout:
 *
 * <pre>
 * {"labels", "policy": {name, fingerprint}, "model": {file, mmproj, name, metadata}, "settings": {…},
 *  "samples", "exception_samples", "valid",
 *  "default_policy": {"n", "confusion": {tp, fp, tn, fn}, "balanced_accuracy", "recall", "specificity",
 *                     "precision", "f1", "accuracy"},
 *  "all_samples": {same keys},
 *  "per_category": [{"id", "label", "n", "unsafe_samples", "recall", "balanced_accuracy", "accuracy"}],
 *  "category_accuracy": {"hits", "n", "value"}, "per": {"hits", "n", "value"},
 *  "invalid": {"count", "rate", "samples": [{"image", "line", "error"}]},
 *  "results": [{"line", "image", "expected_rating", "expected_category", "exception", "rating",
 *               "category", "category_id", "correct", "ms", "error", "policy", "p_unsafe"}],
 *  "category_sweep": {"target_precision", "target_recall", "categories": [{"id", "positives", "negatives",
 *               "without_category_probabilities", "roc_auc", "threshold_for_precision": {"threshold", "precision",
 *               "recall"} or null, "threshold_for_recall": ... }]},
 *  "threshold_sweep": {"n", "without_p_unsafe", "roc_auc",
 *                      "points": [{"threshold", "confusion", "balanced_accuracy", "recall", ...}]}}
 * </pre>
 */
public final class EvalJson {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private EvalJson() {}

    /** The document as a tree. */
    public static ObjectNode toJson(EvalResults r, EvalRunInfo run) {
        ObjectNode root = JSON.createObjectNode();
        root.put("labels", run.labels());
        ObjectNode policy = root.putObject("policy");
        policy.put("name", run.policyName());
        policy.put("fingerprint", run.policyFingerprint());
        ObjectNode model = root.putObject("model");
        model.put("file", run.modelFile());
        model.put("mmproj", run.mmprojFile());
        model.put("name", run.modelName());
        model.put("tiny_random_weights", run.tinyModel());
        ObjectNode meta = model.putObject("metadata");
        run.modelMetadata().forEach(meta::put);
        ObjectNode settings = root.putObject("settings");
        run.settings().forEach(settings::put);
        root.put("started", run.started().toString());
        root.put("finished", run.finished().toString());
        root.put("samples", r.results().size());
        root.put("exception_samples", r.exceptionSamples());
        root.put("valid", r.results().size() - r.invalid().size());
        metrics(root.putObject("default_policy"), r.defaultPolicy());
        metrics(root.putObject("all_samples"), r.allSamples());
        ArrayNode cats = root.putArray("per_category");
        for (CategoryStats c : r.perCategory()) {
            ObjectNode o = cats.addObject();
            o.put("id", c.id());
            o.put("label", c.label());
            o.put("n", c.matrix().total());
            o.put("unsafe_samples", c.matrix().positives());
            number(o, "recall", c.recall());
            number(o, "balanced_accuracy", c.balancedAccuracy());
            number(o, "accuracy", c.accuracy());
        }
        proportion(root.putObject("category_accuracy"), r.categoryAccuracy());
        proportion(root.putObject("per"), r.per());
        ObjectNode invalid = root.putObject("invalid");
        invalid.put("count", r.invalid().size());
        number(invalid, "rate", r.invalidRate());
        ArrayNode bad = invalid.putArray("samples");
        for (SampleResult s : r.invalid()) {
            ObjectNode o = bad.addObject();
            o.put("image", s.sample().image().toString());
            o.put("line", s.sample().line());
            o.put("error", s.error());
        }
        ArrayNode results = root.putArray("results");
        for (SampleResult s : r.results()) {
            ObjectNode o = results.addObject();
            o.put("line", s.sample().line());
            o.put("image", s.sample().image().toString());
            o.put("expected_rating", s.sample().expected().label());
            o.put("expected_category", s.sample().expectedCategory());
            o.put("exception", s.sample().exception());
            o.put("rating", s.predicted() == null ? null : s.predicted().label());
            o.put("category", s.category());
            o.put("category_id", s.categoryId());
            o.put("correct", s.isValid() ? s.ratingCorrect() : null);
            o.put("ms", s.ms());
            o.put("error", s.error());
            o.put("policy", s.policy());
            o.put("p_unsafe", s.pUnsafe());
        }
        ThresholdSweep sweep = r.thresholdSweep();
        ObjectNode sw = root.putObject("threshold_sweep");
        sw.put("n", sweep.n());
        sw.put("without_p_unsafe", sweep.withoutProbability());
        number(sw, "roc_auc", sweep.rocAuc());
        ArrayNode points = sw.putArray("points");
        for (ThresholdSweep.Point p : sweep.points()) {
            ObjectNode o = points.addObject();
            o.put("threshold", p.threshold());
            metrics(o, p.matrix());
        }
        CategorySweep cs = r.categorySweep();
        ObjectNode cat = root.putObject("category_sweep");
        number(cat, "target_precision", cs.targetPrecision());
        number(cat, "target_recall", cs.targetRecall());
        ArrayNode entries = cat.putArray("categories");
        for (CategorySweep.Entry e : cs.categories()) {
            ObjectNode o = entries.addObject();
            o.put("id", e.id());
            o.put("positives", e.positives());
            o.put("negatives", e.negatives());
            o.put("without_category_probabilities", e.withoutDistribution());
            number(o, "roc_auc", e.rocAuc());
            suggestion(o, "threshold_for_precision", e.forPrecision());
            suggestion(o, "threshold_for_recall", e.forRecall());
        }
        return root;
    }

    /** Writes the document to {@code file}. */
    public static void write(Path file, EvalResults r, EvalRunInfo run) throws IOException {
        JSON.writeValue(file.toFile(), toJson(r, run));
    }

    private static void metrics(ObjectNode o, ConfusionMatrix m) {
        EvalMetrics e = EvalMetrics.of(m);
        o.put("n", m.total());
        ObjectNode c = o.putObject("confusion");
        c.put("tp", m.tp());
        c.put("fp", m.fp());
        c.put("tn", m.tn());
        c.put("fn", m.fn());
        number(o, "balanced_accuracy", e.balancedAccuracy());
        number(o, "recall", e.recall());
        number(o, "specificity", e.specificity());
        number(o, "precision", e.precision());
        number(o, "f1", e.f1());
        number(o, "accuracy", e.accuracy());
    }

    private static void suggestion(ObjectNode o, String key, CategorySweep.Suggestion s) {
        if (s == null) {
            o.putNull(key);
            return;
        }
        ObjectNode n = o.putObject(key);
        n.put("threshold", s.threshold());
        number(n, "precision", s.precision());
        number(n, "recall", s.recall());
    }

    private static void proportion(ObjectNode o, Proportion p) {
        o.put("hits", p.hits());
        o.put("n", p.n());
        number(o, "value", p.value());
    }

    /** JSON has no NaN: an undefined metric is null. */
    static void number(ObjectNode o, String key, double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            o.putNull(key);
        } else {
            o.put(key, value);
        }
    }
}
