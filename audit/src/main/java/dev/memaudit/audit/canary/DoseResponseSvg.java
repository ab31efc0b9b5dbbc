package dev.memaudit.audit.canary;

import dev.memaudit.stats.DoseCalibration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code dose-response.svg}: a self-contained SVG of the ladder calibration's extraction figures
 * per dose, greedy share and coverage at p_z ≥ 0.5, each point with its interval as a whisker. The
 * dose axis is log-scaled for doses ≥ 1; dose 0 (held out) has its own place left of an axis break,
 * since log 0 does not exist. A figure that was not measured has no point: the dose gets the words
 * "not measured" with the reason as its tooltip ({@code <title>}), never a point at 0.
 *
 * <p>Every point is a {@code <circle>} (greedy share) or {@code <rect>} (coverage) with class
 * {@code point} and the series name, and a {@code data-dose} attribute.
 */
final class DoseResponseSvg {
    static final int WIDTH = 700;
    static final int HEIGHT = 450;
    private static final int LEFT = 70;
    private static final int RIGHT = 680;
    private static final int TOP = 50;
    private static final int BOTTOM = 330;

    /** Where dose 0 is drawn. */
    private static final int ZERO_X = 100;

    /** Where the log axis of doses ≥ 1 starts and ends. */
    private static final int LOG_FROM = 170;

    private static final int LOG_TO = 640;

    private DoseResponseSvg() {}

    private record Series(String name, String label, String colour, int offset) {}

    private static final Series GREEDY = new Series("greedy", "greedy share", "#1f5fa8", -5);
    private static final Series COVERAGE =
            new Series("coverage", "coverage at p_z ≥ 0.5", "#c0501a", 5);

    /** The figure of {@code t}. */
    static String of(DoseCalibration.Table t) {
        List<Integer> doses = t.doses();
        List<Integer> positive = doses.stream().filter(d -> d > 0).toList();
        StringBuilder b = new StringBuilder(8192);
        b.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        b.append(
                String.format(
                        Locale.ROOT,
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                                + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\""
                                + " font-size=\"12\">%n",
                        WIDTH,
                        HEIGHT,
                        WIDTH,
                        HEIGHT));
        b.append("<title>Dose–response of the ladder canaries</title>\n");
        b.append("<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n");
        b.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"%d\" y=\"24\" font-size=\"14\" font-weight=\"bold\">"
                                + "Extraction by dose (seeds %s; %s intervals)</text>%n",
                        LEFT,
                        esc(t.seeds().toString()),
                        "95 %"));
        // y axis: shares 0..1
        for (int i = 0; i <= 5; i++) {
            double v = i / 5.0;
            double y = y(v);
            b.append(
                    String.format(
                            Locale.ROOT,
                            "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.1f</text>%n",
                            LEFT,
                            y,
                            RIGHT,
                            y,
                            LEFT - 6,
                            y + 4,
                            v));
        }
        b.append(
                String.format(
                        Locale.ROOT,
                        "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>%n",
                        LEFT,
                        TOP,
                        LEFT,
                        BOTTOM));
        // x axis with a break between dose 0 and the log axis
        b.append(
                String.format(
                        Locale.ROOT,
                        "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>"
                                + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>"
                                + "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">//</text>%n",
                        LEFT,
                        BOTTOM,
                        ZERO_X + 30,
                        BOTTOM,
                        LOG_FROM - 30,
                        BOTTOM,
                        RIGHT,
                        BOTTOM,
                        (ZERO_X + LOG_FROM) / 2,
                        BOTTOM + 4));
        for (int d : doses) {
            double x = x(d, positive);
            b.append(
                    String.format(
                            Locale.ROOT,
                            "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#000\"/>"
                                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                            x,
                            BOTTOM,
                            x,
                            BOTTOM + 5,
                            x,
                            BOTTOM + 18,
                            d == 0 ? "0 (held out)" : Integer.toString(d)));
        }
        b.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">dose: copies of the work in"
                                + " training (log scale; 0 = held out)</text>%n",
                        (LEFT + RIGHT) / 2,
                        BOTTOM + 38));
        b.append(
                String.format(
                        Locale.ROOT,
                        "<text x=\"18\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 18"
                                + " %d)\">share (mean over works)</text>%n",
                        (TOP + BOTTOM) / 2,
                        (TOP + BOTTOM) / 2));
        int notMeasuredRow = 0;
        for (Series s : List.of(GREEDY, COVERAGE)) {
            List<String> line = new ArrayList<>();
            for (int i = 0; i < doses.size(); i++) {
                int d = doses.get(i);
                DoseCalibration.ExtractionDose x = t.extraction().get(i);
                DoseCalibration.Estimate e = s == GREEDY ? x.greedyShare() : x.coverage();
                double px = x(d, positive) + s.offset();
                if (!e.measured()) {
                    b.append(
                            String.format(
                                    Locale.ROOT,
                                    "<text class=\"not-measured %s\" data-dose=\"%d\" x=\"%.1f\""
                                            + " y=\"%d\" text-anchor=\"middle\" fill=\"%s\">not"
                                            + " measured<title>%s at dose %d not measured: %s"
                                            + "</title></text>%n",
                                    s.name(),
                                    d,
                                    px,
                                    TOP + 14 + 14 * notMeasuredRow++,
                                    s.colour(),
                                    esc(s.label()),
                                    d,
                                    esc(e.notMeasured())));
                    continue;
                }
                double py = y(e.value());
                b.append(
                        String.format(
                                Locale.ROOT,
                                "<g class=\"whisker %s\" stroke=\"%s\"><line x1=\"%.1f\""
                                        + " y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/><line x1=\"%.1f\""
                                        + " y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/><line x1=\"%.1f\""
                                        + " y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/></g>%n",
                                s.name(),
                                s.colour(),
                                px,
                                y(e.low()),
                                px,
                                y(e.high()),
                                px - 3,
                                y(e.low()),
                                px + 3,
                                y(e.low()),
                                px - 3,
                                y(e.high()),
                                px + 3,
                                y(e.high())));
                String title =
                        String.format(
                                Locale.ROOT,
                                "<title>%s at dose %d: %s (%d works)</title>",
                                esc(s.label()),
                                d,
                                DoseCalibration.format(e),
                                e.units());
                if (s == GREEDY) {
                    b.append(
                            String.format(
                                    Locale.ROOT,
                                    "<circle class=\"point %s\" data-dose=\"%d\" cx=\"%.1f\""
                                            + " cy=\"%.1f\" r=\"4\" fill=\"%s\">%s</circle>%n",
                                    s.name(),
                                    d,
                                    px,
                                    py,
                                    s.colour(),
                                    title));
                } else {
                    b.append(
                            String.format(
                                    Locale.ROOT,
                                    "<rect class=\"point %s\" data-dose=\"%d\" x=\"%.1f\""
                                            + " y=\"%.1f\" width=\"8\" height=\"8\""
                                            + " fill=\"%s\">%s</rect>%n",
                                    s.name(),
                                    d,
                                    px - 4,
                                    py - 4,
                                    s.colour(),
                                    title));
                }
                if (d > 0) {
                    line.add(String.format(Locale.ROOT, "%.1f,%.1f", px, py));
                }
            }
            if (line.size() > 1) {
                b.append(
                        String.format(
                                Locale.ROOT,
                                "<polyline class=\"line %s\" points=\"%s\" fill=\"none\""
                                        + " stroke=\"%s\" stroke-opacity=\"0.6\"/>%n",
                                s.name(),
                                String.join(" ", line),
                                s.colour()));
            }
        }
        // legend and slopes
        int ly = BOTTOM + 58;
        for (Series s : List.of(GREEDY, COVERAGE)) {
            DoseCalibration.LogLinearFit f = s == GREEDY ? t.greedySlope() : t.coverageSlope();
            String slope =
                    f.slope().measured()
                            ? String.format(
                                    Locale.ROOT,
                                    "log-linear slope %+.3f per tenfold dose [%.3f, %.3f]",
                                    f.slope().value(),
                                    f.slope().low(),
                                    f.slope().high())
                            : "log-linear slope not measured: " + f.slope().notMeasured();
            // a long reason is cut on the figure; the tooltip and calibration.md have it whole
            String shown = slope.length() > 80 ? slope.substring(0, 79) + "…" : slope;
            b.append(
                    String.format(
                            Locale.ROOT,
                            "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                                    + "<text x=\"%d\" y=\"%d\">%s: %s<title>%s</title></text>%n",
                            LEFT,
                            ly - 9,
                            s.colour(),
                            LEFT + 16,
                            ly,
                            esc(s.label()),
                            esc(shown),
                            esc(slope)));
            ly += 16;
        }
        // the finding the slope is read against, on two lines
        int colon = DoseCalibration.CARLINI.indexOf(": ");
        for (String part :
                List.of(
                        DoseCalibration.CARLINI.substring(0, colon + 1),
                        DoseCalibration.CARLINI.substring(colon + 2))) {
            b.append(
                    String.format(
                            Locale.ROOT,
                            "<text class=\"reference\" x=\"%d\" y=\"%d\" fill=\"#555\">%s</text>%n",
                            LEFT,
                            ly,
                            esc(part)));
            ly += 15;
        }
        b.append("</svg>\n");
        return b.toString();
    }

    private static double y(double share) {
        double v = Math.max(0, Math.min(1, share));
        return BOTTOM - v * (BOTTOM - TOP);
    }

    /** Dose 0 at its own place; doses ≥ 1 on a log10 axis over the ladder's positive doses. */
    private static double x(int dose, List<Integer> positive) {
        if (dose == 0) {
            return ZERO_X;
        }
        double lo = Math.log10(positive.get(0));
        double hi = Math.log10(positive.get(positive.size() - 1));
        if (hi == lo) {
            return (LOG_FROM + LOG_TO) / 2.0;
        }
        return LOG_FROM + (Math.log10(dose) - lo) / (hi - lo) * (LOG_TO - LOG_FROM);
    }

    /** Text escaped for XML content and attributes. */
    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
