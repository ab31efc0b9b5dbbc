package dev.memaudit.reports.html;

import dev.memaudit.reports.run.WorkView;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Inline SVG charts: the p_z strip along a work and box plots of chunk features. */
final class Svg {
    static final int STRIP_WIDTH = 800;

    /** p_z below 10^-DECADES gets the lightest colour. */
    static final double DECADES = 12;

    private Svg() {}

    /**
     * The p_z map: the work's length (code points) across {@value #STRIP_WIDTH} columns; each
     * column takes the highest p_z of the windows whose suffix covers it, coloured on a log scale;
     * greedy-extractable windows get a black tick underneath. Windows are binned, so the strip has
     * the same size for ten windows or a million.
     */
    static String pzStrip(List<WorkView.Window> windows, int workChars, String scheme) {
        double[] best = new double[STRIP_WIDTH];
        boolean[] covered = new boolean[STRIP_WIDTH];
        boolean[] greedy = new boolean[STRIP_WIDTH];
        Arrays.fill(best, Double.NEGATIVE_INFINITY);
        double len = Math.max(1, workChars);
        for (WorkView.Window w : windows) {
            int a = (int) Math.floor(w.suffixCharStart() / len * STRIP_WIDTH);
            int b = (int) Math.ceil(w.suffixCharEnd() / len * STRIP_WIDTH);
            a = Math.max(0, Math.min(STRIP_WIDTH - 1, a));
            b = Math.max(a + 1, Math.min(STRIP_WIDTH, b));
            double l10 = log10(w);
            for (int x = a; x < b; x++) {
                covered[x] = true;
                best[x] = Math.max(best[x], l10);
                greedy[x] |= w.greedyExtractable();
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(
                        String.format(
                                Locale.ROOT,
                                "<svg class=\"strip\" viewBox=\"0 0 %d 46\" width=\"100%%\""
                                        + " preserveAspectRatio=\"none\" role=\"img\" aria-label=\"p_z"
                                        + " (%s) along the work\">",
                                STRIP_WIDTH,
                                Html.esc(scheme)))
                .append("<rect x=\"0\" y=\"0\" width=\"")
                .append(STRIP_WIDTH)
                .append("\" height=\"30\" fill=\"#fff\" stroke=\"#999\" stroke-width=\"0.5\"/>");
        int x = 0;
        while (x < STRIP_WIDTH) {
            int end = x + 1;
            String colour = covered[x] ? colour(best[x]) : null;
            while (end < STRIP_WIDTH
                    && covered[end] == covered[x]
                    && java.util.Objects.equals(covered[end] ? colour(best[end]) : null, colour)) {
                end++;
            }
            if (colour != null) {
                sb.append(
                        String.format(
                                Locale.ROOT,
                                "<rect x=\"%d\" y=\"0\" width=\"%d\" height=\"30\" fill=\"%s\">"
                                        + "<title>chars %d–%d: max p_z %s</title></rect>",
                                x,
                                end - x,
                                colour,
                                (long) (x * len / STRIP_WIDTH),
                                (long) (end * len / STRIP_WIDTH),
                                best[x] == Double.NEGATIVE_INFINITY
                                        ? "0"
                                        : Format.num(Math.pow(10, best[x]))));
            }
            x = end;
        }
        for (x = 0; x < STRIP_WIDTH; x++) {
            if (greedy[x]) {
                int end = x;
                while (end < STRIP_WIDTH && greedy[end]) {
                    end++;
                }
                sb.append(
                        String.format(
                                Locale.ROOT,
                                "<rect x=\"%d\" y=\"33\" width=\"%d\" height=\"6\" fill=\"#000\">"
                                        + "<title>greedy-extractable</title></rect>",
                                x,
                                end - x));
                x = end;
            }
        }
        sb.append("</svg>");
        return sb.toString();
    }

    /** The legend of {@link #pzStrip}: swatches for p_z = 1, 10^-3, …, 10^-12 and none. */
    static String pzLegend() {
        StringBuilder sb = new StringBuilder("<div class=\"legend\">p_z: ");
        for (int d = 0; d <= DECADES; d += 3) {
            sb.append("<span class=\"sw\"><svg width=\"14\" height=\"12\"><rect width=\"14\"")
                    .append(" height=\"12\" fill=\"")
                    .append(colour(-d))
                    .append("\"/></svg> ")
                    .append(d == 0 ? "1" : "10<sup>−" + d + "</sup>")
                    .append("</span> ");
        }
        sb.append("<span class=\"sw\"><svg width=\"14\" height=\"12\"><rect width=\"14\"")
                .append(" height=\"12\" fill=\"#fff\" stroke=\"#999\"/></svg> no window</span>")
                .append(" <span class=\"sw\"><svg width=\"14\" height=\"12\"><rect y=\"3\"")
                .append(" width=\"14\" height=\"6\" fill=\"#000\"/></svg> greedy-extractable")
                .append("</span></div>");
        return sb.toString();
    }

    private static double log10(WorkView.Window w) {
        if (w.logPz() != null) {
            return w.logPz() / Math.log(10);
        }
        if (w.pz() != null && w.pz() > 0) {
            return Math.log10(w.pz());
        }
        return Double.NEGATIVE_INFINITY;
    }

    /** Colour of log10 p_z: pale blue-grey (≤ 10^-12) through amber to dark red (1). */
    static String colour(double log10) {
        double t = log10 == Double.NEGATIVE_INFINITY ? 0 : 1 + log10 / DECADES;
        t = Math.max(0, Math.min(1, t));
        // quantized to 24 steps so that neighbouring columns merge into one rectangle
        t = Math.round(t * 24) / 24.0;
        int[] lo = {0xE6, 0xEC, 0xF2};
        int[] mid = {0xF4, 0xB1, 0x3A};
        int[] hi = {0xA5, 0x10, 0x10};
        int[] a = t < 0.5 ? lo : mid;
        int[] b = t < 0.5 ? mid : hi;
        double u = t < 0.5 ? t * 2 : (t - 0.5) * 2;
        return String.format(
                Locale.ROOT,
                "#%02x%02x%02x",
                (int) Math.round(a[0] + (b[0] - a[0]) * u),
                (int) Math.round(a[1] + (b[1] - a[1]) * u),
                (int) Math.round(a[2] + (b[2] - a[2]) * u));
    }

    /**
     * A box plot of one feature: the work's chunks above, the control chunks below, on one axis;
     * whiskers span min to max, the box the quartiles (linear interpolation), the bar the median.
     */
    static String boxPlot(String feature, double[] work, double[] control) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[] xs : new double[][] {work, control}) {
            for (double v : xs) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (lo == Double.POSITIVE_INFINITY) {
            return "";
        }
        if (hi == lo) {
            hi = lo + 1;
        }
        int left = 80;
        int width = 300;
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        Locale.ROOT,
                        "<svg class=\"box\" viewBox=\"0 0 %d 74\" width=\"%d\" height=\"74\""
                                + " role=\"img\" aria-label=\"%s: work vs control chunks\">",
                        left + width + 10,
                        left + width + 10,
                        Html.esc(feature)));
        sb.append(row("work (n=" + work.length + ")", work, 6, lo, hi, left, width, "#c0392b"));
        sb.append(
                row(
                        "controls (n=" + control.length + ")",
                        control,
                        32,
                        lo,
                        hi,
                        left,
                        width,
                        "#2c6fad"));
        sb.append(
                String.format(
                        Locale.ROOT,
                        "<line x1=\"%d\" y1=\"58\" x2=\"%d\" y2=\"58\" stroke=\"#666\"/>"
                                + "<text x=\"%d\" y=\"71\" font-size=\"10\">%s</text>"
                                + "<text x=\"%d\" y=\"71\" font-size=\"10\" text-anchor=\"end\">"
                                + "%s</text>",
                        left,
                        left + width,
                        left,
                        Html.esc(Format.num(lo)),
                        left + width,
                        Html.esc(Format.num(hi))));
        sb.append("</svg>");
        return sb.toString();
    }

    private static String row(
            String label,
            double[] values,
            int y,
            double lo,
            double hi,
            int left,
            int width,
            String colour) {
        double[] v = Arrays.stream(values).filter(Double::isFinite).sorted().toArray();
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"0\" y=\"%d\" font-size=\"10\">%s</text>",
                        y + 13,
                        Html.esc(label)));
        if (v.length == 0) {
            return sb.toString();
        }
        double scale = width / (hi - lo);
        double min = left + (v[0] - lo) * scale;
        double max = left + (v[v.length - 1] - lo) * scale;
        double q1 = left + (quantile(v, 0.25) - lo) * scale;
        double med = left + (quantile(v, 0.5) - lo) * scale;
        double q3 = left + (quantile(v, 0.75) - lo) * scale;
        sb.append(
                String.format(
                        Locale.ROOT,
                        "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\"/>"
                                + "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"18\""
                                + " fill=\"%s\" fill-opacity=\"0.25\" stroke=\"%s\"/>"
                                + "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\""
                                + " stroke-width=\"2\"/>",
                        min,
                        y + 9,
                        max,
                        y + 9,
                        colour,
                        q1,
                        y,
                        Math.max(1, q3 - q1),
                        colour,
                        colour,
                        med,
                        y,
                        med,
                        y + 18,
                        colour));
        return sb.toString();
    }

    /** Linear-interpolation quantile of sorted values (R type 7, numpy's default). */
    static double quantile(double[] sorted, double q) {
        double h = (sorted.length - 1) * q;
        int i = (int) Math.floor(h);
        int j = Math.min(sorted.length - 1, i + 1);
        return sorted[i] + (h - i) * (sorted[j] - sorted[i]);
    }
}
