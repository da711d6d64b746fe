package io.safetyguard.policy;

import java.util.Optional;

/**
 * A policy could not be built, loaded or saved.
 *
 * <p>The message names, where known, the source (usually a file), the field (for example
 * {@code allow[0]} or {@code categories[2].guidelines}) and the problem, in the form
 * {@code "policy.yaml: allow[0]: unknown category 'O12' (categories: O1, O2, ...)"}, so a user can
 * fix the policy without reading code. The parts are also available separately.
 */
public class PolicyException extends RuntimeException {

    private final String source;
    private final String field;
    private final String problem;

    /** A problem with no particular source or field. */
    public PolicyException(String problem) {
        this(null, null, problem, null);
    }

    /** A problem with no particular source or field, caused by {@code cause}. */
    public PolicyException(String problem, Throwable cause) {
        this(null, null, problem, cause);
    }

    /**
     * A problem in a field of a source.
     *
     * @param source the file or other origin of the policy, or {@code null}
     * @param field the field path inside the policy, or {@code null}
     * @param problem what is wrong and, where possible, what to do
     * @param cause the underlying exception, or {@code null}
     */
    public PolicyException(String source, String field, String problem, Throwable cause) {
        super(format(source, field, problem), cause);
        this.source = source;
        this.field = field;
        this.problem = problem;
    }

    /** The file or other origin of the policy, when known. */
    public Optional<String> source() {
        return Optional.ofNullable(source);
    }

    /** The field path inside the policy (for example {@code categories[1].id}), when known. */
    public Optional<String> field() {
        return Optional.ofNullable(field);
    }

    /** What is wrong, without source and field. */
    public String problem() {
        return problem;
    }

    /**
     * This problem seen from a wider context: the given source replaces a missing one and the
     * given field path is put in front of this field.
     */
    PolicyException in(String outerSource, String outerField) {
        String src = source != null ? source : outerSource;
        String fld;
        if (outerField == null || outerField.isEmpty()) {
            fld = field;
        } else if (field == null || field.isEmpty()) {
            fld = outerField;
        } else {
            fld = field.startsWith("[") ? outerField + field : outerField + "." + field;
        }
        return new PolicyException(src, fld, problem, getCause() != null ? getCause() : this);
    }

    private static String format(String source, String field, String problem) {
        StringBuilder sb = new StringBuilder();
        if (source != null && !source.isEmpty()) {
            sb.append(source).append(": ");
        }
        if (field != null && !field.isEmpty()) {
            sb.append(field).append(": ");
        }
        return sb.append(problem).toString();
    }
}
