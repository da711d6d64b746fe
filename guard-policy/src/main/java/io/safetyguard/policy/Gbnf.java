package io.safetyguard.policy;

/** GBNF text helpers. */
final class Gbnf {

    private Gbnf() {}

    /**
     * {@code s} as a GBNF string literal. llama.cpp's parser reads {@code \\ \" \n \r \t \xHH} in
     * literals and raw UTF-8 otherwise; other control characters are written as {@code \xHH}.
     */
    static String literal(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                default:
                    if (ch < 0x20 || ch == 0x7F) {
                        sb.append(String.format("\\x%02X", (int) ch));
                    } else {
                        sb.append(ch);
                    }
            }
        }
        return sb.append('"').toString();
    }
}
