package io.safetyguard.llamacpp.internal.gguf;

/**
 * Makes text taken from a file safe to put in a message: control characters are escaped (no forged log lines,
 * no terminal escapes) and long text is shortened.
 */
public final class Printable {
    private static final int MAX_CHARS = 80;

    private Printable() {}

    public static String of(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), MAX_CHARS + 8));
        for (int i = 0; i < s.length() && sb.length() < MAX_CHARS; i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
                sb.append(String.format("\\u%04X", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (sb.length() >= MAX_CHARS && s.length() > MAX_CHARS) {
            sb.append("… (").append(s.length()).append(" chars)");
        }
        return sb.toString();
    }
}
