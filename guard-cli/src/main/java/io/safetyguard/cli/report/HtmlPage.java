package io.safetyguard.cli.report;

import java.util.Map;

/**
 * A self-contained HTML page in the style shared by the audit and eval reports: one inline style
 * sheet, no scripts, fonts, images or links to anything outside the file, so a report can be mailed
 * or archived and still opens offline. Text given to the methods is escaped; only {@link #raw}
 * takes markup, and callers pass it only markup they built from escaped parts.
 */
public final class HtmlPage {
    private static final String STYLE = """
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1100px;\
            padding:0 16px;color:#1d2330;background:#fff;line-height:1.4}
            h1{font-size:1.6em;margin-bottom:4px}h2{font-size:1.2em;margin-top:28px;border-bottom:1px solid #d8dce3;padding-bottom:4px}
            .subtitle{color:#5a6270;margin-top:0}
            .note{background:#fff6db;border:1px solid #e8d28a;padding:8px 12px;border-radius:4px}
            table{border-collapse:collapse;margin:8px 0}th,td{border:1px solid #d8dce3;padding:4px 8px;text-align:left;\
            vertical-align:top}th{background:#f2f4f7}td.num,th.num{text-align:right}
            table.kv th{width:220px}
            .chart text{font-size:12px;fill:#1d2330}
            details{margin:8px 0}summary{cursor:pointer;font-weight:600}
            pre{white-space:pre-wrap;background:#f7f8fa;border:1px solid #e1e4ea;padding:8px;font-size:12px;max-height:480px;overflow:auto}
            .gallery{display:flex;flex-wrap:wrap;gap:12px}
            .gallery figure{margin:0;width:170px;font-size:11px;word-break:break-all}
            .gallery label{display:block;width:160px;height:160px;overflow:hidden;cursor:pointer;background:#eef0f3;\
            display:flex;align-items:center;justify-content:center}
            .gallery input{display:none}
            .gallery img{max-width:160px;max-height:160px;filter:blur(14px)}
            .gallery input:checked+img,#reveal-all:checked~.gallery img{filter:none}
            .unsafe{color:#b3261e;font-weight:600}.safe{color:#1b7f3b}
            h3{font-size:1.05em;margin-top:20px}
            .chart-grid{display:flex;flex-wrap:wrap;gap:12px}.chart-grid figure{margin:0}\
            .chart-grid figcaption{font-size:12px;font-weight:600}
            .preview{display:flex;width:80px;height:80px;overflow:hidden;cursor:pointer;background:#eef0f3;\
            align-items:center;justify-content:center}
            .preview input{display:none}
            .preview img{max-width:80px;max-height:80px;filter:blur(8px)}
            .preview input:checked+img{filter:none}
            """;

    private final StringBuilder body = new StringBuilder();
    private final String title;

    /** A page whose {@code <title>} and top heading are {@code title}. */
    public HtmlPage(String title) {
        this.title = title;
    }

    /** A line of grey text under the title. */
    public HtmlPage subtitle(String text) {
        body.append("<p class=\"subtitle\">").append(Html.escape(text)).append("</p>\n");
        return this;
    }

    /** A highlighted note, e.g. "this model has random weights". */
    public HtmlPage note(String text) {
        body.append("<p class=\"note\">").append(Html.escape(text)).append("</p>\n");
        return this;
    }

    /** A section heading with an id for in-page links and tests. */
    public HtmlPage section(String id, String heading) {
        body.append("<h2 id=\"")
                .append(Html.escape(id))
                .append("\">")
                .append(Html.escape(heading))
                .append("</h2>\n");
        return this;
    }

    public HtmlPage paragraph(String text) {
        body.append("<p>").append(Html.escape(text)).append("</p>\n");
        return this;
    }

    /**
     * A two-column key/value table; each value cell gets {@code id="<idPrefix><key>"} when an id
     * prefix is given, so a figure can be looked up by name.
     */
    public HtmlPage keyValues(String idPrefix, Map<String, String> rows) {
        body.append("<table class=\"kv\"><tbody>\n");
        rows.forEach((k, v) -> {
            body.append("<tr><th>").append(Html.escape(k)).append("</th><td");
            if (idPrefix != null) {
                body.append(" id=\"").append(Html.escape(idPrefix + slug(k))).append('"');
            }
            body.append('>').append(Html.escape(v)).append("</td></tr>\n");
        });
        body.append("</tbody></table>\n");
        return this;
    }

    /** A collapsed block with a one-line summary and preformatted text inside. */
    public HtmlPage details(String summary, String preformatted) {
        body.append("<details><summary>")
                .append(Html.escape(summary))
                .append("</summary><pre>")
                .append(Html.escape(preformatted))
                .append("</pre></details>\n");
        return this;
    }

    /** Markup the caller built from escaped parts ({@link HtmlTable}, {@link SvgBarChart}, ...). */
    public HtmlPage raw(String html) {
        body.append(html);
        return this;
    }

    /** The complete document. */
    public String render() {
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                + "<title>" + Html.escape(title) + "</title>\n<style>\n" + STYLE + "</style>\n</head>\n<body>\n"
                + "<h1>" + Html.escape(title) + "</h1>\n" + body + "</body>\n</html>\n";
    }

    /** Lower-case letters, digits and dashes: "Unsafe share" becomes "unsafe-share". */
    public static String slug(String key) {
        return key.toLowerCase(java.util.Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-")
                .replaceAll("(^-|-$)", "");
    }
}
