package dev.memaudit.reports.html;

import java.util.Locale;

/** Numbers as reports print them (Locale.ROOT); null prints as an em dash. */
public final class Format {
    public static final String NA = "—";

    private Format() {}

    public static String integer(Number n) {
        return n == null ? NA : String.format(Locale.ROOT, "%,d", n.longValue());
    }

    /** A p-value: 4 decimals, or scientific below 0.0001. */
    public static String p(Double p) {
        if (p == null || p.isNaN()) {
            return NA;
        }
        return p != 0 && p < 1e-4
                ? String.format(Locale.ROOT, "%.2e", p)
                : String.format(Locale.ROOT, "%.4f", p);
    }

    /** A share in [0, 1] as a percentage with one decimal. */
    public static String percent(Double share) {
        return share == null || share.isNaN()
                ? NA
                : String.format(Locale.ROOT, "%.1f%%", share * 100);
    }

    /** A real number with 4 significant digits. */
    /** A significance level as written in the run's settings (0.05, 0.01, 0.001): no rounding. */
    public static String level(Double alpha) {
        return alpha == null
                ? NA
                : java.math.BigDecimal.valueOf(alpha).stripTrailingZeros().toPlainString();
    }

    public static String num(Double v) {
        if (v == null || v.isNaN()) {
            return NA;
        }
        if (v.isInfinite()) {
            return v > 0 ? "∞" : "−∞";
        }
        double a = Math.abs(v);
        return a != 0 && (a < 1e-3 || a >= 1e6)
                ? String.format(Locale.ROOT, "%.3e", v)
                : String.format(Locale.ROOT, "%.4g", v);
    }
}
