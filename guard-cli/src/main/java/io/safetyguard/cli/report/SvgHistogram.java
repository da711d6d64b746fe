package io.safetyguard.cli.report;

import java.util.Locale;

/**
 * A {@link UnitHistogram} as inline SVG: one bar ({@code rect.bin}) per bin that holds values, the
 * marked share of it drawn over its foot in a second colour ({@code rect.bin-marked}), an x axis from
 * 0 to 1, and optionally a vertical line at a value ({@code line.marker}, e.g. a threshold) and a
 * shaded band around it ({@code rect.band}). Bars, not points, so a million values draw as fast as
 * ten. Like {@link SvgBarChart}: no script, no {@code xmlns}, nothing outside the page.
 *
 * <p>Bar heights are proportional to log(1 + count): scores are usually piled up near 0 and 1, and
 * on a linear scale the few values in between (the ones worth a look) would be invisible. Each bar
 * is labelled with its count where there is room and carries {@code data-from}, {@code data-to},
 * {@code data-count}, {@code data-marked} and a tooltip.
 */
public final class SvgHistogram {
    private static final int LEFT = 52;
    private static final int RIGHT = 16;
    private static final int TOP = 46;
    private static final int BOTTOM = 40;
    private static final String AXIS = "#5a6270";
    private static final String MARKER = "#1d2330";
    private static final String BAND = "#f5d76e";

    private final String title;
    private final UnitHistogram histogram;
    private final String[] names;
    private final String[] colors;
    private String cssClass = "histogram";
    private int width = 720;
    private int height = 260;
    private String axisLabel = "";
    private double markerAt = Double.NaN;
    private String markerLabel = "";
    private double bandFrom = Double.NaN;
    private double bandTo = Double.NaN;
    private String bandLabel = "";

    /**
     * @param title        read by screen readers and shown as a tooltip
     * @param unmarkedName legend entry of the values not marked, e.g. "rated Safe"
     * @param markedName   legend entry of the marked values, e.g. "rated Unsafe"
     * @param colors       CSS colours: unmarked, marked
     */
    public SvgHistogram(
            String title, UnitHistogram histogram, String unmarkedName, String markedName, String... colors) {
        if (colors.length != 2) {
            throw new IllegalArgumentException("two colours (unmarked, marked), got " + colors.length);
        }
        this.title = title;
        this.histogram = histogram;
        this.names = new String[] {unmarkedName, markedName};
        this.colors = colors.clone();
    }

    /** Extra CSS classes after {@code chart histogram}, e.g. to tell charts apart. */
    public SvgHistogram cssClass(String value) {
        this.cssClass = "histogram " + value;
        return this;
    }

    /** Size in CSS pixels; a narrow chart drops the per-bar counts (the tooltips keep them). */
    public SvgHistogram size(int widthPx, int heightPx) {
        if (widthPx < LEFT + RIGHT + 40 || heightPx < TOP + BOTTOM + 40) {
            throw new IllegalArgumentException("too small for a histogram: " + widthPx + "x" + heightPx);
        }
        this.width = widthPx;
        this.height = heightPx;
        return this;
    }

    /** The x axis' caption, e.g. "P(Unsafe)". */
    public SvgHistogram axisLabel(String value) {
        this.axisLabel = value;
        return this;
    }

    /** A vertical line at {@code value} in [0, 1], captioned {@code label}. */
    public SvgHistogram marker(double value, String label) {
        if (!UnitHistogram.isProbability(value)) {
            throw new IllegalArgumentException("marker outside [0, 1]: " + value);
        }
        this.markerAt = value;
        this.markerLabel = label;
        return this;
    }

    /** A shaded band from {@code from} to {@code to} (clipped to [0, 1]), named in the legend. */
    public SvgHistogram band(double from, double to, String label) {
        this.bandFrom = Math.max(0, from);
        this.bandTo = Math.min(1, to);
        this.bandLabel = label;
        return this;
    }

    /** The chart as an {@code <svg>} element. */
    public String toSvg() {
        double plotWidth = width - LEFT - RIGHT;
        int plotHeight = height - TOP - BOTTOM;
        int baseline = TOP + plotHeight;
        int bins = histogram.bins();
        double binWidth = plotWidth / bins;
        long max = histogram.largestCount();
        StringBuilder svg = new StringBuilder();
        svg.append("<svg class=\"chart ")
                .append(Html.escape(cssClass))
                .append("\" role=\"img\" width=\"")
                .append(width)
                .append("\" height=\"")
                .append(height)
                .append("\" viewBox=\"0 0 ")
                .append(width)
                .append(' ')
                .append(height)
                .append("\" data-bins=\"")
                .append(bins)
                .append("\" data-bins-with-data=\"")
                .append(histogram.binsWithData())
                .append("\" aria-label=\"")
                .append(Html.escape(title))
                .append("\"><title>")
                .append(Html.escape(title))
                .append("</title>\n");
        legend(svg);
        if (!Double.isNaN(bandFrom) && bandTo > bandFrom) {
            svg.append("<rect class=\"band\" x=\"")
                    .append(num(LEFT + bandFrom * plotWidth))
                    .append("\" y=\"")
                    .append(TOP)
                    .append("\" width=\"")
                    .append(num((bandTo - bandFrom) * plotWidth))
                    .append("\" height=\"")
                    .append(plotHeight)
                    .append("\" fill=\"")
                    .append(BAND)
                    .append("\" fill-opacity=\"0.45\"/>\n");
        }
        boolean roomForCounts = binWidth >= 24;
        for (int i = 0; i < bins; i++) {
            long count = histogram.count(i);
            if (count == 0) {
                continue;
            }
            double x = LEFT + i * binWidth + 1;
            double w = Math.max(1, binWidth - 2);
            double h = Math.max(1, Math.log1p(count) / Math.log1p(max) * plotHeight);
            long marked = histogram.marked(i);
            String tip = range(i) + ": " + count + " (" + names[1] + ": " + marked + ")";
            svg.append("<rect class=\"bin\" x=\"")
                    .append(num(x))
                    .append("\" y=\"")
                    .append(num(baseline - h))
                    .append("\" width=\"")
                    .append(num(w))
                    .append("\" height=\"")
                    .append(num(h))
                    .append("\" fill=\"")
                    .append(Html.escape(colors[0]))
                    .append("\" data-from=\"")
                    .append(num(histogram.from(i)))
                    .append("\" data-to=\"")
                    .append(num(histogram.to(i)))
                    .append("\" data-count=\"")
                    .append(count)
                    .append("\" data-marked=\"")
                    .append(marked)
                    .append("\"><title>")
                    .append(Html.escape(tip))
                    .append("</title></rect>");
            if (marked > 0) {
                double hm = Math.max(1, h * marked / count);
                svg.append("<rect class=\"bin-marked\" x=\"")
                        .append(num(x))
                        .append("\" y=\"")
                        .append(num(baseline - hm))
                        .append("\" width=\"")
                        .append(num(w))
                        .append("\" height=\"")
                        .append(num(hm))
                        .append("\" fill=\"")
                        .append(Html.escape(colors[1]))
                        .append("\"><title>")
                        .append(Html.escape(tip))
                        .append("</title></rect>");
            }
            if (roomForCounts) {
                svg.append(text(x + w / 2, baseline - h - 3, "middle", Long.toString(count)));
            }
            svg.append('\n');
        }
        if (histogram.total() == 0) {
            svg.append(text(LEFT + plotWidth / 2, TOP + plotHeight / 2.0, "middle", "no data"));
        }
        axes(svg, plotWidth, baseline, max);
        if (!Double.isNaN(markerAt)) {
            double x = LEFT + markerAt * plotWidth;
            svg.append("<line class=\"marker\" x1=\"")
                    .append(num(x))
                    .append("\" y1=\"")
                    .append(TOP - 8)
                    .append("\" x2=\"")
                    .append(num(x))
                    .append("\" y2=\"")
                    .append(baseline)
                    .append("\" stroke=\"")
                    .append(MARKER)
                    .append("\" stroke-width=\"2\" stroke-dasharray=\"6 3\" data-value=\"")
                    .append(markerAt)
                    .append("\"/>");
            // the caption sits on the side of the line with more room
            boolean left = markerAt > 0.5;
            svg.append(text(x + (left ? -4 : 4), TOP - 10, left ? "end" : "start", markerLabel));
            svg.append('\n');
        }
        return svg.append("</svg>\n").toString();
    }

    private void legend(StringBuilder svg) {
        double x = LEFT;
        x = swatch(svg, x, colors[0], names[0], "1");
        x = swatch(svg, x, colors[1], names[1], "1");
        if (!Double.isNaN(bandFrom)) {
            swatch(svg, x, BAND, bandLabel, "0.45");
        }
        svg.append('\n');
    }

    private static double swatch(StringBuilder svg, double x, String color, String name, String opacity) {
        svg.append("<rect x=\"")
                .append(num(x))
                .append("\" y=\"4\" width=\"12\" height=\"12\" fill=\"")
                .append(Html.escape(color))
                .append("\" fill-opacity=\"")
                .append(opacity)
                .append("\"/>");
        svg.append(text(x + 16, 14, "start", name));
        return x + 28 + 7 * name.length();
    }

    private void axes(StringBuilder svg, double plotWidth, int baseline, long max) {
        svg.append("<line x1=\"")
                .append(LEFT)
                .append("\" y1=\"")
                .append(baseline)
                .append("\" x2=\"")
                .append(num(LEFT + plotWidth))
                .append("\" y2=\"")
                .append(baseline)
                .append("\" stroke=\"")
                .append(AXIS)
                .append("\"/>");
        int step = plotWidth >= 400 ? 1 : 2; // tenths, or fifths on a narrow chart
        for (int t = 0; t <= 10; t += step) {
            double x = LEFT + t / 10.0 * plotWidth;
            svg.append("<line x1=\"")
                    .append(num(x))
                    .append("\" y1=\"")
                    .append(baseline)
                    .append("\" x2=\"")
                    .append(num(x))
                    .append("\" y2=\"")
                    .append(baseline + 4)
                    .append("\" stroke=\"")
                    .append(AXIS)
                    .append("\"/>");
            svg.append(text(x, baseline + 16, "middle", String.format(Locale.ROOT, "%.1f", t / 10.0)));
        }
        svg.append(text(LEFT + plotWidth / 2, baseline + 34, "middle", axisLabel));
        svg.append(text(LEFT - 6, baseline, "end", "0"));
        svg.append(text(LEFT - 6, TOP + 4, "end", Long.toString(max)));
        svg.append(text(LEFT - 6, TOP + 18, "end", "(log)"));
        svg.append('\n');
    }

    private String range(int bin) {
        return String.format(Locale.ROOT, "%.2f–%.2f", histogram.from(bin), histogram.to(bin));
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String text(double x, double y, String anchor, String content) {
        return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + anchor + "\">" + Html.escape(content)
                + "</text>";
    }
}
