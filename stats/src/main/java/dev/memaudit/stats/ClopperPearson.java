package dev.memaudit.stats;

import org.hipparchus.distribution.continuous.BetaDistribution;

/**
 * The Clopper–Pearson ("exact") confidence interval of a binomial proportion: the interval of every
 * p for which k successes in n trials is not in either tail beyond {@code α/2}. The bounds are beta
 * quantiles, {@code Beta(k, n−k+1)} at α/2 and {@code Beta(k+1, n−k)} at 1−α/2, with the closed
 * ends 0 (k = 0) and 1 (k = n); the quantiles come from Hipparchus's {@link BetaDistribution}.
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
        double low =
                k == 0
                        ? 0
                        : new BetaDistribution(k, n - k + 1)
                                .inverseCumulativeProbability(alpha / 2);
        double high =
                k == n
                        ? 1
                        : new BetaDistribution(k + 1, n - k)
                                .inverseCumulativeProbability(1 - alpha / 2);
        return new Interval(low, high);
    }
}
