package dev.memaudit.reports.html;

import dev.memaudit.core.records.extract.AttemptsNeeded;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
    /** A share as a percentage with 2 decimals (prevalence: shares of a percent or less). */
    public static String percent2(Double share) {
        return share == null || share.isNaN()
                ? NA
                : String.format(Locale.ROOT, "%.2f%%", share * 100);
    }

    public static String percent(Double share) {
        return share == null || share.isNaN()
                ? NA
                : String.format(Locale.ROOT, "%.1f%%", share * 100);
    }

    /** The thresholds of a coverage map (threshold → share), highest first: "0.5 / 0.1 / 0.01". */
    public static String thresholds(Map<String, Double> byThreshold) {
        return String.join(" / ", byThresholdDescending(byThreshold));
    }

    /** The shares of a coverage map in the order of {@link #thresholds}: "80.0% / 90.0% / …". */
    public static String percents(Map<String, Double> byThreshold) {
        List<String> out = new ArrayList<>();
        for (String t : byThresholdDescending(byThreshold)) {
            out.add(percent(byThreshold.get(t)));
        }
        return String.join(" / ", out);
    }

    private static List<String> byThresholdDescending(Map<String, Double> byThreshold) {
        List<String> keys = new ArrayList<>(byThreshold.keySet());
        keys.sort(Comparator.comparingDouble((String k) -> Double.parseDouble(k)).reversed());
        return keys;
    }

    /**
     * Attempts needed: "unreachable" (p_z = 0), an integer below a million ("1,234"), else three
     * significant digits and the power of ten ("2.35e17", also beyond a double's range).
     */
    public static String attempts(AttemptsNeeded a) {
        if (a == null) {
            return NA;
        }
        if (!a.reachable()) {
            return AttemptsNeeded.UNREACHABLE_TEXT;
        }
        if (a.count() != null && a.count().compareTo(java.math.BigDecimal.valueOf(1_000_000)) < 0) {
            return integer(a.count().longValue());
        }
        double log10 = a.log10();
        double exponent = Math.floor(log10);
        double mantissa = Math.pow(10, log10 - exponent);
        if (mantissa >= 9.995) {
            // rounds up to the next power of ten
            mantissa = 1;
            exponent++;
        }
        return String.format(Locale.ROOT, "%.2fe%d", mantissa, (long) exponent);
    }

    /** p_z: 4 significant digits; "exp(ln p_z)" where it underflows to 0; "0" when exactly 0. */
    public static String pz(double pz, Double logPz) {
        if (pz > 0 || logPz == null) {
            return pz == 0 ? "0" : num(pz);
        }
        return "exp(" + num(logPz) + ")";
    }

    /** A significance level as written in the run's settings (0.05, 0.01, 0.001): no rounding. */
    public static String level(Double alpha) {
        return alpha == null
                ? NA
                : java.math.BigDecimal.valueOf(alpha).stripTrailingZeros().toPlainString();
    }

    /**
     * A chance score (log10 of the expected outputs holding the passage by chance): "10^−23.4", "≥
     * 1" when capped at 0.
     */
    public static String chance(Double log10) {
        if (log10 == null || log10.isNaN()) {
            return NA;
        }
        return log10 >= 0
                ? "≥ 1 expected by chance (10^0)"
                : String.format(Locale.ROOT, "10^%.1f", log10).replace('-', '−');
    }

    /** A real number with 4 significant digits. */
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
