package io.safetyguard.cli.report;

import java.util.List;

/**
 * Builds one HTML {@code <table>} from plain-text cells, each escaped. Rows can carry an id or
 * data attributes (escaped too), which tests and scripts use to find figures without scraping text.
 */
public final class HtmlTable {
    private final StringBuilder html = new StringBuilder();

    /** A table with the given CSS class and column headers. */
    public HtmlTable(String cssClass, String... headers) {
        html.append("<table class=\"").append(Html.escape(cssClass)).append("\">\n<thead><tr>");
        for (String h : headers) {
            html.append("<th>").append(Html.escape(h)).append("</th>");
        }
        html.append("</tr></thead>\n<tbody>\n");
    }

    /** Adds a row of text cells. */
    public HtmlTable row(String... cells) {
        return rowWithAttributes(List.of(), cells);
    }

    /**
     * Adds a row whose {@code <tr>} carries attributes, given as name/value pairs: {@code
     * List.of("data-category", "O3")}. Names must be literal attribute names chosen by the caller.
     */
    public HtmlTable rowWithAttributes(List<String> nameValuePairs, String... cells) {
        if (nameValuePairs.size() % 2 != 0) {
            throw new IllegalArgumentException("attributes come in name/value pairs: " + nameValuePairs);
        }
        html.append("<tr");
        for (int i = 0; i < nameValuePairs.size(); i += 2) {
            html.append(' ')
                    .append(nameValuePairs.get(i))
                    .append("=\"")
                    .append(Html.escape(nameValuePairs.get(i + 1)))
                    .append('"');
        }
        html.append('>');
        for (String c : cells) {
            html.append("<td>").append(Html.escape(c)).append("</td>");
        }
        html.append("</tr>\n");
        return this;
    }

    /** The finished table. */
    public String toHtml() {
        return html + "</tbody></table>\n";
    }
}
