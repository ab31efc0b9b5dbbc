package dev.memaudit.reports.html;

import dev.memaudit.reports.run.WorkView;
import dev.memaudit.stats.Quantiles;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Inline SVG charts: the p_z strip along a work and box plots of chunk features. Each comes back as
 * {@link SafeSvg}: markup built here from numbers, with every label escaped by {@link Html#esc}.
 */
final class Svg {
    static final int STRIP_WIDTH = 400;

    /** p_z below 10^-DECADES gets the lightest colour. */
    static final double DECADES = 12;

    private Svg() {}

    /**
     * The p_z map: the work's length (code points) across {@value #STRIP_WIDTH} columns; each
     * column takes the highest p_z of the windows whose suffix covers it, coloured on a log scale;
     * greedy-extractable windows get a black tick underneath. Windows are binned, so the strip has
     * the same size for ten windows or a million.
     */
    static SafeSvg pzStrip(List<WorkView.Window> windows, int workChars, String scheme) {
        return strip(windows, workChars, "p_z (" + scheme + ")");
    }

    /**
     * The same map for the near-verbatim bound ({@code near.jsonl}): each window's {@code pz} and
     * {@code logPz} hold its bound.
     */
    static SafeSvg nearStrip(List<WorkView.Window> windows, int workChars, String scheme) {
        return strip(windows, workChars, "near-verbatim bound (" + scheme + ")");
    }

    private static SafeSvg strip(List<WorkView.Window> windows, int workChars, String what) {
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
        // colour step per column, -1 where no window lies
        int[] step = new int[STRIP_WIDTH];
        for (int x = 0; x < STRIP_WIDTH; x++) {
            step[x] = covered[x] ? step(best[x]) : -1;
        }
        StringBuilder sb = new StringBuilder(4096);
        sb.append("<svg class=\"strip\" viewBox=\"0 0 ")
                .append(STRIP_WIDTH)
                .append(" 46\" width=\"100%\" preserveAspectRatio=\"none\" role=\"img\"")
                .append(" aria-label=\"")
                .append(Html.esc(what))
                .append(" along the work\"><rect x=\"0\" y=\"0\" width=\"")
                .append(STRIP_WIDTH)
                .append("\" height=\"30\" fill=\"#fff\" stroke=\"#999\" stroke-width=\"0.5\"/>");
        for (int x = 0; x < STRIP_WIDTH; ) {
            int end = x + 1;
            double max = best[x];
            while (end < STRIP_WIDTH && step[end] == step[x]) {
                max = Math.max(max, best[end]);
                end++;
            }
            if (step[x] >= 0) {
                sb.append("<rect x=\"")
                        .append(x)
                        .append("\" y=\"0\" width=\"")
                        .append(end - x)
                        .append("\" height=\"30\" fill=\"")
                        .append(COLOURS[step[x]])
                        .append("\"><title>chars ")
                        .append((long) (x * len / STRIP_WIDTH))
                        .append("–")
                        .append((long) (end * len / STRIP_WIDTH))
                        .append(": max p_z ")
                        .append(
                                max == Double.NEGATIVE_INFINITY
                                        ? "0"
                                        : Format.num(Math.pow(10, max)))
                        .append("</title></rect>");
            }
            x = end;
        }
        for (int x = 0; x < STRIP_WIDTH; x++) {
            if (greedy[x]) {
                int end = x;
                while (end < STRIP_WIDTH && greedy[end]) {
                    end++;
                }
                sb.append("<rect x=\"")
                        .append(x)
                        .append("\" y=\"33\" width=\"")
                        .append(end - x)
                        .append(
                                "\" height=\"6\" fill=\"#000\"><title>greedy-extractable</title></rect>");
                x = end;
            }
        }
        sb.append("</svg>");
        return new SafeSvg(sb.toString());
    }

    /** The legend of {@link #pzStrip}: swatches for p_z = 1, 10^-3, …, 10^-12 and none. */
    static SafeSvg pzLegend() {
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
        return new SafeSvg(sb.toString());
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

    /** Colour steps of the p_z scale, from none (≤ 10^-12) to p_z = 1. */
    static final int STEPS = 16;

    private static final String[] COLOURS = new String[STEPS + 1];

    static {
        for (int i = 0; i <= STEPS; i++) {
            COLOURS[i] = mix((double) i / STEPS);
        }
    }

    /**
     * The colour step of log10 p_z; quantized so that neighbouring columns merge into one
     * rectangle.
     */
    static int step(double log10) {
        double t = log10 == Double.NEGATIVE_INFINITY ? 0 : 1 + log10 / DECADES;
        t = Math.max(0, Math.min(1, t));
        return (int) Math.round(t * STEPS);
    }

    /** Colour of log10 p_z: pale blue-grey (≤ 10^-12) through amber to dark red (1). */
    static String colour(double log10) {
        return COLOURS[step(log10)];
    }

    private static String mix(double t) {
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
    static SafeSvg boxPlot(String feature, double[] work, double[] control) {
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
            return SafeSvg.EMPTY;
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
        return new SafeSvg(sb.toString());
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
        double q1 = left + (Quantiles.ofSorted(v, 0.25) - lo) * scale;
        double med = left + (Quantiles.ofSorted(v, 0.5) - lo) * scale;
        double q3 = left + (Quantiles.ofSorted(v, 0.75) - lo) * scale;
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

    /**
     * One dose of {@link #doseResponse}: the greedy share and the coverage at p_z ≥ 0.5 with their
     * intervals; an array is null when the figure was not measured.
     *
     * @param greedy {value, low, high}, or null
     * @param coverage {value, low, high}, or null
     */
    record DosePoint(int dose, double[] greedy, double[] coverage) {}

    /**
     * The dose–response chart of a calibration, redrawn from calibration.json's numbers (never from
     * the SVG file beside it): greedy share and coverage (0 to 1) against dose on a log axis, dose
     * 0 apart on the left, whiskers for the intervals.
     */
    static SafeSvg doseResponse(List<DosePoint> points) {
        if (points.isEmpty()) {
            return SafeSvg.EMPTY;
        }
        int left = 44;
        int width = 300;
        int top = 10;
        int height = 120;
        double maxLog = 0;
        for (DosePoint p : points) {
            if (p.dose() > 0) {
                maxLog = Math.max(maxLog, Math.log10(p.dose()));
            }
        }
        double span = Math.max(maxLog, 1);
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        Locale.ROOT,
                        "<svg class=\"dose\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\""
                                + " role=\"img\" aria-label=\"greedy share and coverage by"
                                + " dose\">",
                        left + width + 20,
                        top + height + 44,
                        left + width + 20,
                        top + height + 44));
        for (double y : new double[] {0, 0.5, 1}) {
            double py = top + height * (1 - y);
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                                    + "<text x=\"%d\" y=\"%.1f\" font-size=\"10\""
                                    + " text-anchor=\"end\">%s</text>",
                            left,
                            py,
                            left + width,
                            py,
                            left - 4,
                            py + 3,
                            Html.esc(Format.num(y))));
        }
        for (DosePoint p : points) {
            double x = doseX(p.dose(), span, left, width);
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"%.1f\" y=\"%d\" font-size=\"10\""
                                    + " text-anchor=\"middle\">%d</text>",
                            x,
                            top + height + 14,
                            p.dose()));
            mark(sb, x - 4, p.greedy(), top, height, "#c0392b", "greedy share", p.dose());
            mark(sb, x + 4, p.coverage(), top, height, "#2c6fad", "coverage", p.dose());
        }
        sb.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"%d\" y=\"%d\" font-size=\"10\">dose (copies seen; log axis, 0"
                                + " apart)</text><rect x=\"%d\" y=\"%d\" width=\"8\" height=\"8\""
                                + " fill=\"#c0392b\"/><text x=\"%d\" y=\"%d\" font-size=\"10\">greedy"
                                + " share</text><rect x=\"%d\" y=\"%d\" width=\"8\" height=\"8\""
                                + " fill=\"#2c6fad\"/><text x=\"%d\" y=\"%d\""
                                + " font-size=\"10\">coverage p_z ≥ 0.5</text>",
                        left,
                        top + height + 28,
                        left,
                        top + height + 34,
                        left + 12,
                        top + height + 42,
                        left + 100,
                        top + height + 34,
                        left + 112,
                        top + height + 42));
        sb.append("</svg>");
        return new SafeSvg(sb.toString());
    }

    private static double doseX(int dose, double span, int left, int width) {
        // dose 0 sits apart on the left; doses ≥ 1 on log10 from 1 to the largest
        if (dose <= 0) {
            return left + 12;
        }
        return left + 40 + (width - 52) * Math.log10(dose) / span;
    }

    private static void mark(
            StringBuilder sb,
            double x,
            double[] v,
            int top,
            int height,
            String colour,
            String what,
            int dose) {
        if (v == null) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"%.1f\" y=\"%d\" font-size=\"9\" fill=\"%s\""
                                    + " text-anchor=\"middle\">n/m<title>%s at dose %d: not"
                                    + " measured</title></text>",
                            x,
                            top + height - 2,
                            colour,
                            Html.esc(what),
                            dose));
            return;
        }
        double y = top + height * (1 - clamp(v[0]));
        double lo = top + height * (1 - clamp(v[1]));
        double hi = top + height * (1 - clamp(v[2]));
        sb.append(
                String.format(
                        Locale.ROOT,
                        "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>"
                                + "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>%s"
                                + " at dose %d: %s [%s, %s]</title></circle>",
                        x,
                        lo,
                        x,
                        hi,
                        colour,
                        x,
                        y,
                        colour,
                        Html.esc(what),
                        dose,
                        Html.esc(Format.num(v[0])),
                        Html.esc(Format.num(v[1])),
                        Html.esc(Format.num(v[2]))));
    }

    private static double clamp(double v) {
        return Double.isFinite(v) ? Math.max(0, Math.min(1, v)) : 0;
    }
}
