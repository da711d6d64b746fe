package io.safetyguard.cli.report;

/**
 * HTML escaping for text that comes from outside the program: file names, model output, policy
 * text, model metadata. Everything such text goes through {@link #escape(String)}, so a rationale or
 * file name containing {@code <script>} is shown, never run.
 */
public final class Html {
    private Html() {}

    /**
     * Escapes {@code & < > " '} so the result is safe both as element text and inside a quoted
     * attribute value. {@code null} becomes the empty string.
     */
    public static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
