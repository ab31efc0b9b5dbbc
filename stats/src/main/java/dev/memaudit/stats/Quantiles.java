package dev.memaudit.stats;

/**
 * The one quantile definition of every figure memaudit reports (medians and p90 of p_z, box plots,
 * bootstrap intervals): linear interpolation between order statistics, Hyndman and Fan's type 7
 * (R's default, numpy's {@code linear}): {@code h = q·(n−1)}, value {@code x[⌊h⌋] +
 * (h−⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋])} over the sorted values, 0-based.
 */
public final class Quantiles {
    private Quantiles() {}

    /**
     * The q-quantile of {@code sorted} (ascending, at least one value, no NaN).
     *
     * @param q in [0, 1]
     */
    public static double ofSorted(double[] sorted, double q) {
        if (sorted.length == 0) {
            throw new IllegalArgumentException("quantile of no values");
        }
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("quantile q must be in [0, 1], got " + q);
        }
        double h = q * (sorted.length - 1);
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
