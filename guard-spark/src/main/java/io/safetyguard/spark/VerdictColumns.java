package io.safetyguard.spark;

import io.safetyguard.core.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The output schema, in one place: the keys of {@code guard audit}'s {@code verdicts.jsonl} (same
 * names, same meaning, same order; {@code category_probabilities} is a map column), then the two
 * columns a distributed job needs to resume safely
 * ({@code rating_source}, {@code model_id}). A new column is one line in {@link #VERDICT}.
 *
 * <p>Rows are {@code path, digest} followed by the verdict columns. The verdict columns depend on
 * the image's content only, so they are computed once per digest and copied to every path with
 * that digest.
 */
public final class VerdictColumns {

    /** One column: its name, Spark type and value for an outcome. */
    record Column(String name, DataType type, Function<ImageOutcome, Object> value) {}

    public static final String PATH = "path";
    public static final String DIGEST = "digest";
    public static final String ERROR = "error";
    public static final String POLICY = "policy";
    public static final String MODEL_ID = "model_id";

    // spotless:off
    static final List<Column> VERDICT = List.of(
            column("rating", DataTypes.StringType, o -> verdict(o, v -> v.rating().label())),
            column("category", DataTypes.StringType, o -> verdict(o, v -> v.categoryLabel().orElse(null))),
            column("rationale", DataTypes.StringType, o -> verdict(o, v -> v.rationale().orElse(null))),
            column("p_unsafe", DataTypes.DoubleType, o -> verdict(o, v -> v.probabilityUnsafe().isPresent() ? v.probabilityUnsafe().getAsDouble() : null)),
            column("ms", DataTypes.DoubleType, ImageOutcome::ms),
            column(ERROR, DataTypes.StringType, ImageOutcome::error),
            column(POLICY, DataTypes.StringType, o -> o.policyFingerprint().substring(0, Math.min(12, o.policyFingerprint().length()))),
            column("model_rating", DataTypes.StringType, o -> verdict(o, v -> v.modelRating().map(r -> r.label()).orElse(null))),
            column("unsafe_threshold", DataTypes.DoubleType, o -> verdict(o, v -> v.unsafeThreshold().isPresent() ? v.unsafeThreshold().getAsDouble() : null)),
            column("generated_tokens", DataTypes.IntegerType, o -> verdict(o, v -> v.generatedTokens().isPresent() ? v.generatedTokens().getAsInt() : null)),
            column("category_probabilities", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType), o -> verdict(o, v -> v.categoryProbabilities().isEmpty() ? null : CollectionConverters.asScala(v.categoryProbabilities()))),
            column("rating_source", DataTypes.StringType, o -> verdict(o, v -> v.ratingSource().name())),
            column(MODEL_ID, DataTypes.StringType, ImageOutcome::modelId));
    // spotless:on

    private VerdictColumns() {}

    private static Column column(String name, DataType type, Function<ImageOutcome, Object> value) {
        return new Column(name, type, value);
    }

    private static Object verdict(ImageOutcome o, Function<Verdict, Object> f) {
        return o.verdict() == null ? null : f.apply(o.verdict());
    }

    /** The output schema: {@code path, digest}, then the verdict columns. */
    public static StructType schema() {
        List<StructField> fields = new ArrayList<>();
        fields.add(DataTypes.createStructField(PATH, DataTypes.StringType, false));
        fields.add(DataTypes.createStructField(DIGEST, DataTypes.StringType, true));
        for (Column c : VERDICT) {
            fields.add(DataTypes.createStructField(c.name(), c.type(), true));
        }
        return DataTypes.createStructType(fields);
    }

    /** The schema of the judged images: {@code digest}, then the verdict columns. */
    static StructType judgedSchema() {
        List<StructField> fields = new ArrayList<>();
        fields.add(DataTypes.createStructField(DIGEST, DataTypes.StringType, false));
        for (Column c : VERDICT) {
            fields.add(DataTypes.createStructField(c.name(), c.type(), true));
        }
        return DataTypes.createStructType(fields);
    }

    /** The names of the verdict columns, in order. */
    static List<String> verdictNames() {
        return VERDICT.stream().map(Column::name).toList();
    }

    /** A row of {@link #schema()}. */
    static Row row(String path, String digest, ImageOutcome outcome) {
        Object[] values = new Object[VERDICT.size() + 2];
        values[0] = path;
        values[1] = digest;
        for (int i = 0; i < VERDICT.size(); i++) {
            values[i + 2] = VERDICT.get(i).value().apply(outcome);
        }
        return RowFactory.create(values);
    }

    /** A row of {@link #judgedSchema()}. */
    static Row judgedRow(String digest, ImageOutcome outcome) {
        Object[] values = new Object[VERDICT.size() + 1];
        values[0] = digest;
        for (int i = 0; i < VERDICT.size(); i++) {
            values[i + 1] = VERDICT.get(i).value().apply(outcome);
        }
        return RowFactory.create(values);
    }
}
