package io.safetyguard.policy;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Loads and saves policies as JSON ({@code .json}) or YAML ({@code .yaml}, {@code .yml}).
 *
 * <p>A policy file either starts from a preset and lists changes:
 *
 * <pre>{@code
 * {
 *   "name": "my-policy",
 *   "preset": "llavaguard-v1.2",
 *   "categories": [ {"id": "C1", "name": "Spoilers",
 *                    "guidelines": "Should not:\n- Contain movie spoilers.\n"} ],
 *   "remove": ["O9"],
 *   "replace": {"O2": "Should not:\n- ...\nCan:\n- ...\n"},
 *   "allow": ["O6"],
 *   "sensitive": ["O3"]
 * }
 * }</pre>
 *
 * or defines everything itself: {@code name}, {@code preamble}, {@code categorySeparator} and
 * {@code exceptionSeparator} (both default {@code "\n"}), {@code template} (containing {@value
 * Policy#CATEGORIES_PLACEHOLDER}) and {@code categories}, optionally with {@code allow} and
 * {@code sensitive}. A category may carry verbatim {@code nonViolatingText} and {@code
 * sensitiveText}; without them they are generated.
 * Changes apply in this order: {@code remove}, add {@code categories}, {@code replace}, {@code
 * allow}, {@code sensitive}. {@code description} is a free comment and is not kept.
 *
 * <p>A policy is at most {@value #MAX_POLICY_CHARS} characters, and YAML aliases ({@code *name})
 * are not supported (see {@link PolicyYaml}).
 *
 * <p>Unknown fields, wrong types, duplicate keys and malformed text are errors; every {@link
 * PolicyException} names the file, the field and the problem (with line and column where the
 * parser knows them). Saving writes the short preset form when it rebuilds the policy exactly,
 * else the full form, so that loading a saved policy always renders the same prompt.
 */
public final class PolicyFiles {

    private static final ObjectMapper JSON = configure(JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build());

    private static final ObjectMapper YAML = configure(YAMLMapper.builder(PolicyYaml.factory())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build());

    /**
     * The longest policy text accepted, in characters (1 MiB). The presets are about 17 KB, and a
     * policy is prompt text that has to fit the model's context with room for the image; the cap
     * keeps parsing a hostile file cheap (SnakeYAML's scanner is quadratic in a scalar's length).
     */
    static final int MAX_POLICY_CHARS = 1 << 20;

    private static final List<String> FIELDS = List.of(
            "name",
            "description",
            "preset",
            "preamble",
            "categorySeparator",
            "exceptionSeparator",
            "template",
            "categories",
            "remove",
            "replace",
            "allow",
            "sensitive");

    private PolicyFiles() {}

    private static ObjectMapper configure(ObjectMapper m) {
        m.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        m.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        m.disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY);
        // Text fields take text only: no silent 5 -> "5" or true -> "true".
        m.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        m.coercionConfigFor(LogicalType.Collection).setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        return m;
    }

    /**
     * Loads a policy file; the extension picks the format ({@code .json}, {@code .yaml}, {@code
     * .yml}).
     *
     * @throws PolicyException if the file cannot be read or is not a valid policy
     */
    public static Policy load(Path path) {
        Format format = Format.of(path);
        String source = path.toString();
        String text;
        try {
            long size = Files.size(path);
            if (size > 3L * MAX_POLICY_CHARS) { // a UTF-8 byte count over 3x the chars means too many chars
                throw tooLong(source, size + " bytes");
            }
            byte[] bytes = Files.readAllBytes(path);
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes))
                    .toString();
        } catch (NoSuchFileException e) {
            throw new PolicyException(source, null, "file not found", e);
        } catch (CharacterCodingException e) {
            throw new PolicyException(source, null, "not UTF-8 text; save the file as UTF-8", e);
        } catch (IOException e) {
            throw new PolicyException(source, null, "cannot read the file: " + e.getMessage(), e);
        }
        return format == Format.JSON ? fromJson(text, source) : fromYaml(text, source);
    }

    /**
     * Parses a policy from JSON text.
     *
     * @param source name used in error messages, for example the file name
     */
    public static Policy fromJson(String json, String source) {
        return parse(JSON, json, source, "JSON");
    }

    /**
     * Parses a policy from YAML text.
     *
     * @param source name used in error messages, for example the file name
     */
    public static Policy fromYaml(String yaml, String source) {
        return parse(YAML, yaml, source, "YAML");
    }

    /** The policy as JSON text (2-space indentation, final line break). */
    public static String toJson(Policy policy) {
        try {
            DefaultPrettyPrinter pp = new DefaultPrettyPrinter()
                    .withSeparators(
                            Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER))
                    .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                    .withArrayIndenter(new DefaultIndenter("  ", "\n"));
            return JSON.writer(pp).writeValueAsString(PolicyDocuments.toDocument(policy)) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write policy as JSON", e);
        }
    }

    /** The policy as YAML text. */
    public static String toYaml(Policy policy) {
        try {
            PolicyDocument doc = PolicyDocuments.toDocument(policy);
            String yaml = YAML.writeValueAsString(doc);
            if (loadsBackTheSame(yaml, policy)) {
                return yaml;
            }
            // Literal blocks ("|") cannot carry every character: a NEL (U+0085) in one reads back as a
            // line break (found by PolicyLoaderFuzzTest). Double-quoted strings escape it.
            return YAML.writer()
                    .without(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
                    .without(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                    .writeValueAsString(doc);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write policy as YAML", e);
        }
    }

    private static boolean loadsBackTheSame(String yaml, Policy policy) {
        try {
            return fromYaml(yaml, "saved policy").render().equals(policy.render());
        } catch (PolicyException e) {
            return false;
        }
    }

    /**
     * Saves a policy; the extension picks the format ({@code .json}, {@code .yaml}, {@code .yml}).
     *
     * @throws PolicyException if the extension is not supported or the file cannot be written
     */
    public static void save(Policy policy, Path path) {
        Format format = Format.of(path);
        String text = format == Format.JSON ? toJson(policy) : toYaml(policy);
        try {
            Files.writeString(path, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new PolicyException(path.toString(), null, "cannot write the file: " + e, e);
        }
    }

    private static Policy parse(ObjectMapper mapper, String text, String source, String kind) {
        if (text == null || text.isBlank()) {
            throw new PolicyException(
                    source,
                    null,
                    "empty policy file; write at least " + "{\"preset\": \"" + Policy.DEFAULT_PRESET + "\"}",
                    null);
        }
        if (text.length() > MAX_POLICY_CHARS) {
            throw tooLong(source, text.length() + " characters");
        }
        PolicyDocument doc;
        try {
            doc = mapper.readValue(text, PolicyDocument.class);
        } catch (UnrecognizedPropertyException e) {
            String path = path(e);
            boolean inCategory = path.startsWith("categories[");
            String known =
                    inCategory ? "id, name, guidelines, nonViolatingText, sensitiveText" : String.join(", ", FIELDS);
            throw new PolicyException(
                    source,
                    path,
                    "unknown field '" + e.getPropertyName() + "'; known fields: " + known + at(tokenLocation(e)),
                    e);
        } catch (MismatchedInputException e) {
            if (e.getOriginalMessage().startsWith("No content to map")) {
                throw new PolicyException(
                        source,
                        null,
                        "empty policy file; write at least " + "{\"preset\": \"" + Policy.DEFAULT_PRESET + "\"}",
                        e);
            }
            String path = path(e);
            throw new PolicyException(
                    source,
                    path.isEmpty() ? null : path,
                    "wrong type: expected " + expected(e, path) + at(tokenLocation(e)),
                    e);
        } catch (JsonProcessingException e) {
            // Syntax errors may surface wrapped in a mapping exception when found inside a value.
            Throwable syntax = e instanceof StreamReadException
                    ? e
                    : e.getCause() instanceof StreamReadException ? e.getCause() : null;
            if (syntax instanceof PolicyYaml.UnsupportedYamlException) {
                StreamReadException unsupported = (StreamReadException) syntax;
                throw new PolicyException(
                        source, null, unsupported.getOriginalMessage() + at(unsupported.getLocation()), e);
            }
            if (syntax == null) {
                throw new PolicyException(source, path(e), e.getOriginalMessage() + at(e.getLocation()), e);
            }
            throw new PolicyException(
                    source, null, "malformed " + kind + ": " + syntaxProblem((StreamReadException) syntax), e);
        }
        return PolicyDocuments.toPolicy(doc, source);
    }

    private static PolicyException tooLong(String source, String actual) {
        return new PolicyException(
                source,
                null,
                "policy too long: " + actual + ", the limit is " + MAX_POLICY_CHARS
                        + " characters; a policy is prompt text and must fit the model's context",
                null);
    }

    /**
     * The parser's problem in one line, with line and column. SnakeYAML's messages span several
     * lines (context, problem, each followed by an indented position line and source snippet); the
     * unindented lines carry the words.
     */
    private static String syntaxProblem(StreamReadException e) {
        StringBuilder sb = new StringBuilder();
        for (String line : e.getOriginalMessage().split("\\R")) {
            if (!line.isBlank() && !Character.isWhitespace(line.charAt(0))) {
                sb.append(sb.length() > 0 ? ": " : "").append(line.strip());
            }
        }
        return sb + at(e.getLocation());
    }

    /** Where the offending token starts (Jackson's own location may be past its value). */
    private static JsonLocation tokenLocation(JsonMappingException e) {
        if (e.getProcessor() instanceof JsonParser) {
            JsonLocation loc = ((JsonParser) e.getProcessor()).currentTokenLocation();
            if (loc != null && loc.getLineNr() > 0) {
                return loc;
            }
        }
        return e.getLocation();
    }

    /** Jackson's reference path as {@code categories[2].name}. */
    private static String path(JsonProcessingException ex) {
        if (!(ex instanceof JsonMappingException)) {
            return null;
        }
        JsonMappingException e = (JsonMappingException) ex;
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String expected(MismatchedInputException e, String path) {
        Class<?> t = e.getTargetType();
        if (path.isEmpty()) {
            return "an object with fields " + String.join(", ", FIELDS);
        }
        if (t == null) {
            return "another value";
        }
        if (t == String.class) {
            return "text (a string)";
        }
        if (List.class.isAssignableFrom(t)) {
            return path.equals("categories") ? "a list of category objects" : "a list of category ids";
        }
        if (Map.class.isAssignableFrom(t)) {
            return "an object mapping category ids to guideline text";
        }
        if (t == PolicyDocument.CategoryDocument.class) {
            return "a category object with id, name and guidelines";
        }
        return t.getSimpleName();
    }

    private static String at(JsonLocation loc) {
        if (loc == null || loc.getLineNr() < 1) {
            return "";
        }
        return " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
    }

    /** File formats by extension. */
    private enum Format {
        JSON,
        YAML;

        static Format of(Path path) {
            String file = path.getFileName() == null
                    ? ""
                    : path.getFileName().toString().toLowerCase(Locale.ROOT);
            if (file.endsWith(".json")) {
                return JSON;
            }
            if (file.endsWith(".yaml") || file.endsWith(".yml")) {
                return YAML;
            }
            throw new PolicyException(
                    path.toString(), null, "unsupported file extension; use .json, .yaml or .yml", null);
        }
    }
}
