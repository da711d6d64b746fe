package io.safetyguard.cli.audit;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one CSV line into cells: comma separated, cells optionally in double quotes, {@code ""}
 * inside quotes for a quote (RFC 4180), surrounding blanks of unquoted cells trimmed. A quoted cell
 * cannot span lines: list and label files have one record per line.
 */
public final class Csv {
    private Csv() {}

    /**
     * The cells of {@code line}.
     *
     * @throws IllegalArgumentException when a quote is not closed on the line
     */
    public static List<String> split(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"' && cell.toString().isBlank()) {
                cell.setLength(0);
                quoted = true;
                wasQuoted = true;
            } else if (c == ',') {
                cells.add(wasQuoted ? cell.toString() : cell.toString().strip());
                cell.setLength(0);
                wasQuoted = false;
            } else {
                cell.append(c);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("unclosed double quote (a quoted cell must end on the same line)");
        }
        cells.add(wasQuoted ? cell.toString() : cell.toString().strip());
        return cells;
    }

    /** {@code line} without a leading UTF-8 byte order mark, which spreadsheet exports add. */
    public static String stripBom(String line) {
        return line.startsWith("\uFEFF") ? line.substring(1) : line;
    }
}
