package dev.memaudit.extractor.stats;

/**
 * The Clopper–Pearson ("exact") confidence interval of a binomial proportion: the interval of every
 * p for which k successes in n trials is not in either tail beyond {@code α/2}. Bounds come from
 * quantiles of the beta distribution, found by bisection on the regularized incomplete beta
 * function (evaluated by its continued fraction).
 */
public final class ClopperPearson {
    private ClopperPearson() {}

    /** A two-sided interval. */
    public record Interval(double low, double high) {
        public boolean contains(double p) {
            return p >= low && p <= high;
        }
    }

    /**
     * @param k successes, 0 ≤ k ≤ n
     * @param n trials, ≥ 1
     * @param confidence e.g. 0.95
     */
    public static Interval interval(long k, long n, double confidence) {
        if (n < 1 || k < 0 || k > n) {
            throw new IllegalArgumentException("need 0 ≤ k ≤ n and n ≥ 1, got k=" + k + " n=" + n);
        }
        if (!(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("confidence must be in (0, 1), got " + confidence);
        }
        double alpha = 1 - confidence;
        double low = k == 0 ? 0 : betaQuantile(alpha / 2, k, n - k + 1);
        double high = k == n ? 1 : betaQuantile(1 - alpha / 2, k + 1, n - k);
        return new Interval(low, high);
    }

    /** The q-quantile of Beta(a, b). */
    public static double betaQuantile(double q, double a, double b) {
        double lo = 0;
        double hi = 1;
        for (int i = 0; i < 200 && hi - lo > 1e-15; i++) {
            double mid = (lo + hi) / 2;
            if (regularizedBeta(mid, a, b) < q) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }

    /** I_x(a, b), the regularized incomplete beta function. */
    public static double regularizedBeta(double x, double a, double b) {
        if (x <= 0) {
            return 0;
        }
        if (x >= 1) {
            return 1;
        }
        double lnFront =
                logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
        // the continued fraction converges fast for x < (a+1)/(a+b+2); use the symmetry otherwise
        if (x < (a + 1) / (a + b + 2)) {
            return Math.exp(lnFront) * fraction(x, a, b) / a;
        }
        return 1 - Math.exp(lnFront) * fraction(1 - x, b, a) / b;
    }

    /** Lentz's evaluation of the incomplete beta continued fraction. */
    private static double fraction(double x, double a, double b) {
        final double tiny = 1e-300;
        double c = 1;
        double d = 1 - (a + b) * x / (a + 1);
        d = Math.abs(d) < tiny ? tiny : d;
        d = 1 / d;
        double h = d;
        for (int m = 1; m <= 10_000; m++) {
            int m2 = 2 * m;
            double num = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
            d = 1 + num * d;
            d = Math.abs(d) < tiny ? tiny : d;
            c = 1 + num / c;
            c = Math.abs(c) < tiny ? tiny : c;
            d = 1 / d;
            h *= d * c;
            num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
            d = 1 + num * d;
            d = Math.abs(d) < tiny ? tiny : d;
            c = 1 + num / c;
            c = Math.abs(c) < tiny ? tiny : c;
            d = 1 / d;
            double step = d * c;
            h *= step;
            if (Math.abs(step - 1) < 1e-15) {
                break;
            }
        }
        return h;
    }

    /** ln Γ(x) for x > 0 (Lanczos approximation, g = 7, 9 terms; relative error below 1e-13). */
    static double logGamma(double x) {
        final double[] c = {
            0.99999999999980993,
            676.5203681218851,
            -1259.1392167224028,
            771.32342877765313,
            -176.61502916214059,
            12.507343278686905,
            -0.13857109526572012,
            9.9843695780195716e-6,
            1.5056327351493116e-7
        };
        if (x < 0.5) {
            return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
        }
        x -= 1;
        double s = c[0];
        for (int i = 1; i < 9; i++) {
            s += c[i] / (x + i);
        }
        double t = x + 7.5;
        return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(s);
    }
}
