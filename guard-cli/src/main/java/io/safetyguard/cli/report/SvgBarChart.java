package io.safetyguard.cli.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A horizontal bar chart as inline SVG: one group of bars per row (e.g. per category), one bar per
 * series (e.g. "detections" and "unsafe"), each labelled with its value. No scripts, fonts or
 * external references: the SVG sits inside the HTML page and draws offline.
 *
 * <p>Without an {@code xmlns} attribute on purpose: inline SVG in HTML5 does not need it, and the
 * reports promise that they contain no http(s) URL at all.
 */
public final class SvgBarChart {
    private static final int LABEL_WIDTH = 260;
    private static final int BAR_AREA = 380;
    private static final int VALUE_WIDTH = 90;
    private static final int BAR_HEIGHT = 14;
    private static final int GROUP_GAP = 8;
    private static final int LEGEND_HEIGHT = 24;

    private final String title;
    private final List<String> seriesNames;
    private final List<String> seriesColors;
    private final List<String> rowLabels = new ArrayList<>();
    private final List<double[]> rowValues = new ArrayList<>();
    private String valueSuffix = "";
    private double fixedMax = Double.NaN;

    /**
     * @param title        read by screen readers and shown as a tooltip
     * @param seriesNames  legend entries, one per bar in a group
     * @param seriesColors CSS colours, one per series
     */
    public SvgBarChart(String title, List<String> seriesNames, List<String> seriesColors) {
        if (seriesNames.isEmpty() || seriesNames.size() != seriesColors.size()) {
            throw new IllegalArgumentException("one colour per series: " + seriesNames + " / " + seriesColors);
        }
        this.title = title;
        this.seriesNames = List.copyOf(seriesNames);
        this.seriesColors = List.copyOf(seriesColors);
    }

    /** Adds a group; {@code values} has one entry per series. NaN draws no bar and prints "n/a". */
    public SvgBarChart row(String label, double... values) {
        if (values.length != seriesNames.size()) {
            throw new IllegalArgumentException(
                    label + ": " + values.length + " values for " + seriesNames.size() + " series");
        }
        rowLabels.add(label);
        rowValues.add(values.clone());
        return this;
    }

    /** Printed after each value, e.g. "%". */
    public SvgBarChart valueSuffix(String suffix) {
        this.valueSuffix = suffix;
        return this;
    }

    /** Fixes the scale (e.g. 100 for percentages) instead of scaling to the largest value. */
    public SvgBarChart maxValue(double max) {
        this.fixedMax = max;
        return this;
    }

    /** The chart as an {@code <svg>} element. */
    public String toSvg() {
        int series = seriesNames.size();
        int groupHeight = series * BAR_HEIGHT + GROUP_GAP;
        int width = LABEL_WIDTH + BAR_AREA + VALUE_WIDTH;
        int height = LEGEND_HEIGHT + Math.max(1, rowLabels.size()) * groupHeight + 4;
        double max = Double.isNaN(fixedMax) ? largestValue() : fixedMax;
        StringBuilder svg = new StringBuilder();
        svg.append("<svg class=\"chart\" role=\"img\" width=\"")
                .append(width)
                .append("\" height=\"")
                .append(height)
                .append("\" viewBox=\"0 0 ")
                .append(width)
                .append(' ')
                .append(height)
                .append("\" aria-label=\"")
                .append(Html.escape(title))
                .append("\">")
                .append("<title>")
                .append(Html.escape(title))
                .append("</title>\n");
        legend(svg);
        if (rowLabels.isEmpty()) {
            svg.append(text(LABEL_WIDTH, LEGEND_HEIGHT + 12, "start", "no data"));
        }
        for (int r = 0; r < rowLabels.size(); r++) {
            int top = LEGEND_HEIGHT + r * groupHeight;
            svg.append(text(LABEL_WIDTH - 6, top + series * BAR_HEIGHT / 2 + 4, "end", rowLabels.get(r)));
            double[] values = rowValues.get(r);
            for (int s = 0; s < series; s++) {
                int y = top + s * BAR_HEIGHT;
                double v = values[s];
                int barWidth = Double.isNaN(v) || max <= 0
                        ? 0
                        : (int) Math.round(BAR_AREA * Math.min(1.0, Math.max(0, v) / max));
                svg.append("<rect x=\"")
                        .append(LABEL_WIDTH)
                        .append("\" y=\"")
                        .append(y + 1)
                        .append("\" width=\"")
                        .append(barWidth)
                        .append("\" height=\"")
                        .append(BAR_HEIGHT - 2)
                        .append("\" fill=\"")
                        .append(Html.escape(seriesColors.get(s)))
                        .append("\"><title>")
                        .append(Html.escape(rowLabels.get(r) + " / " + seriesNames.get(s) + ": " + format(v)))
                        .append("</title></rect>");
                svg.append(text(LABEL_WIDTH + barWidth + 4, y + BAR_HEIGHT - 3, "start", format(v)));
            }
            svg.append('\n');
        }
        return svg.append("</svg>\n").toString();
    }

    private void legend(StringBuilder svg) {
        int x = LABEL_WIDTH;
        for (int s = 0; s < seriesNames.size(); s++) {
            svg.append("<rect x=\"")
                    .append(x)
                    .append("\" y=\"4\" width=\"12\" height=\"12\" fill=\"")
                    .append(Html.escape(seriesColors.get(s)))
                    .append("\"/>");
            svg.append(text(x + 16, 14, "start", seriesNames.get(s)));
            x += 24 + 8 * seriesNames.get(s).length();
        }
        svg.append('\n');
    }

    private double largestValue() {
        double max = 0;
        for (double[] values : rowValues) {
            for (double v : values) {
                if (!Double.isNaN(v)) {
                    max = Math.max(max, v);
                }
            }
        }
        return max;
    }

    private String format(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        String number = v == Math.rint(v) && Math.abs(v) < 1e15
                ? Long.toString((long) v)
                : String.format(Locale.ROOT, "%.1f", v);
        return number + valueSuffix;
    }

    private static String text(int x, int y, String anchor, String content) {
        return "<text x=\"" + x + "\" y=\"" + y + "\" text-anchor=\"" + anchor + "\">" + Html.escape(content)
                + "</text>";
    }
}
