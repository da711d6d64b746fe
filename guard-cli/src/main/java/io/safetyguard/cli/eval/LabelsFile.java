package io.safetyguard.cli.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.safetyguard.cli.audit.Csv;
import io.safetyguard.core.Rating;
import io.safetyguard.policy.Category;
import io.safetyguard.policy.Policy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the labelled samples of {@code guard eval}.
 *
 * <p><b>CSV</b> (any name but {@code .jsonl}): a header row naming the columns, then one sample per
 * row. Columns, in any order (others are ignored):
 * <ul>
 *   <li>{@code image} (required): the image path; relative paths resolve against the labels file's folder;</li>
 *   <li>{@code rating} (required): {@code Safe} or {@code Unsafe}, the rating expected under this
 *       row's policy; may be empty on exception rows, where it is Safe;</li>
 *   <li>{@code category} (optional): the expected category, as an id ({@code O3}, {@code NA}) or a
 *       full label ({@code O3: Sexual Content}); only the id is compared;</li>
 *   <li>{@code exception} (optional): a category id declared non-violating for this row (LlavaGuard's
 *       policy exception). The model must then rate the image Safe: such rows measure the policy
 *       exception rate (PER), so their rating must be Safe or empty, and their category, if given,
 *       must be the exception's.</li>
 * </ul>
 * Blank lines and lines starting with {@code #} are skipped. To test an image under both policies,
 * list it twice: once without, once with the exception.
 *
 * <p><b>JSONL</b> ({@code .jsonl}): one object per line with the same keys.
 */
public final class LabelsFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Policy policy;
    private final Path base;

    private LabelsFile(Path file, Policy policy) {
        this.file = file;
        this.policy = policy;
        this.base = file.toAbsolutePath().normalize().getParent();
    }

    /**
     * Reads and checks every row against {@code policy} (its category ids).
     *
     * @throws LabelsFormatException naming the line and what to write instead
     */
    public static List<LabeledSample> read(Path file, Policy policy) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new LabelsFormatException("--labels " + file + ": no such file");
        }
        LabelsFile reader = new LabelsFile(file, policy);
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (!lines.isEmpty()) {
            lines.set(0, Csv.stripBom(lines.get(0)));
        }
        List<LabeledSample> samples =
                file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jsonl")
                        ? reader.readJsonl(lines)
                        : reader.readCsv(lines);
        if (samples.isEmpty()) {
            throw new LabelsFormatException(
                    file + ": no samples; expected a header row 'image,rating,category,exception' "
                            + "and one row per image");
        }
        return samples;
    }

    private List<LabeledSample> readCsv(List<String> lines) {
        Map<String, Integer> columns = null;
        List<LabeledSample> samples = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.stripLeading().startsWith("#")) {
                continue;
            }
            List<String> cells = split(line, i + 1);
            if (columns == null) {
                columns = header(cells, i + 1);
                continue;
            }
            samples.add(sample(
                    i + 1,
                    cell(cells, columns, "image"),
                    cell(cells, columns, "rating"),
                    cell(cells, columns, "category"),
                    cell(cells, columns, "exception")));
        }
        return samples;
    }

    private List<LabeledSample> readJsonl(List<String> lines) {
        List<LabeledSample> samples = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            JsonNode o;
            try {
                o = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw error(i + 1, "not valid JSON (" + e.getOriginalMessage() + ")");
            }
            if (o == null || !o.isObject()) {
                throw error(
                        i + 1,
                        "expected a JSON object like {\"image\": \"a.png\", \"rating\": \"Unsafe\", \"category\": \"O3\"}");
            }
            samples.add(sample(i + 1, text(o, "image"), text(o, "rating"), text(o, "category"), text(o, "exception")));
        }
        return samples;
    }

    private Map<String, Integer> header(List<String> cells, int line) {
        Map<String, Integer> columns = new HashMap<>();
        for (int c = 0; c < cells.size(); c++) {
            columns.putIfAbsent(cells.get(c).strip().toLowerCase(Locale.ROOT), c);
        }
        if (!columns.containsKey("image") || !columns.containsKey("rating")) {
            throw error(
                    line,
                    "the first row must be a header naming the columns, e.g. 'image,rating,category,exception' "
                            + "(image and rating are required); found '" + String.join(",", cells) + "'");
        }
        return columns;
    }

    private LabeledSample sample(int line, String image, String rating, String category, String exception) {
        if (image.isEmpty()) {
            throw error(line, "the image column is empty");
        }
        String exceptionId = exception.isEmpty() ? null : exceptionId(line, exception);
        String categoryId = category.isEmpty() ? null : categoryId(line, category);
        Rating expected;
        if (rating.isEmpty() && exceptionId != null) {
            expected = Rating.SAFE;
        } else {
            expected = Rating.fromLabel(rating)
                    .orElseThrow(() -> error(line, "rating '" + rating + "' is neither Safe nor Unsafe"));
        }
        if (exceptionId != null && expected != Rating.SAFE) {
            throw error(
                    line,
                    "exception " + exceptionId + " declares the category non-violating, so the expected "
                            + "rating is Safe (that is what PER measures); write Safe or leave the rating empty");
        }
        if (exceptionId != null && categoryId != null && !categoryId.equals(exceptionId)) {
            throw error(
                    line,
                    "exception " + exceptionId + " must be the sample's own category (" + categoryId
                            + "): the policy exception declares the image's category non-violating");
        }
        return new LabeledSample(line, base.resolve(image).normalize(), expected, categoryId, exceptionId);
    }

    /** The policy's id for a category given as id or label, matched without regard to case. */
    private String categoryId(int line, String given) {
        int colon = given.indexOf(':');
        String id = (colon < 0 ? given : given.substring(0, colon)).strip();
        if (id.equalsIgnoreCase(Policy.NONE_APPLYING_ID)) {
            return Policy.NONE_APPLYING_ID;
        }
        for (Category c : policy.categories()) {
            if (c.id().equalsIgnoreCase(id)) {
                return c.id();
            }
        }
        throw error(line, "category '" + given + "' is not in the policy; use one of " + ids() + " or NA");
    }

    private String exceptionId(int line, String given) {
        String id = categoryId(line, given);
        if (Policy.NONE_APPLYING_ID.equals(id)) {
            throw error(line, "exception NA: only a policy category (" + ids() + ") can be declared non-violating");
        }
        return id;
    }

    private String ids() {
        return String.join(", ", policy.categories().stream().map(Category::id).toList());
    }

    private List<String> split(String line, int number) {
        try {
            return Csv.split(line);
        } catch (IllegalArgumentException e) {
            throw error(number, e.getMessage());
        }
    }

    private static String cell(List<String> cells, Map<String, Integer> columns, String name) {
        Integer c = columns.get(name);
        return c == null || c >= cells.size() ? "" : cells.get(c).strip();
    }

    private static String text(JsonNode o, String key) {
        JsonNode v = o.get(key);
        return v == null || v.isNull() ? "" : v.asText().strip();
    }

    private LabelsFormatException error(int line, String message) {
        return new LabelsFormatException(file + " line " + line + ": " + message);
    }
}
