package dev.memaudit.stats;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.hipparchus.distribution.continuous.NormalDistribution;
import org.hipparchus.distribution.continuous.TDistribution;
import org.hipparchus.stat.descriptive.StatisticalSummary;
import org.hipparchus.stat.descriptive.StreamingStatistics;
import org.hipparchus.stat.inference.TTest;
import org.hipparchus.stat.ranking.NaNStrategy;
import org.hipparchus.stat.ranking.NaturalRanking;
import org.hipparchus.stat.ranking.TiesStrategy;

/**
 * One-sided two-sample tests, effect size and a bootstrap interval, all of the form "is sample
 * {@code x} larger than sample {@code y}". Callers flip the arguments for "smaller". Inputs must be
 * finite; a test that is undefined for its input (fewer than two values in a sample, no variance at
 * all) returns {@code NaN}, never a made-up p-value.
 */
public final class TwoSampleTests {
    private static final NormalDistribution STANDARD_NORMAL = new NormalDistribution(0, 1);

    private TwoSampleTests() {}

    /**
     * One-sided Welch t-test (unequal variances, Welch–Satterthwaite degrees of freedom) of H1:
     * mean(x) &gt; mean(y).
     *
     * @return the p-value, or NaN when either sample has fewer than 2 values or both have zero
     *     variance
     */
    public static double welchGreater(double[] x, double[] y) {
        if (x.length < 2 || y.length < 2) {
            return Double.NaN;
        }
        StatisticalSummary sx = summary(x);
        StatisticalSummary sy = summary(y);
        double vx = sx.getVariance() / x.length;
        double vy = sy.getVariance() / y.length;
        if (!(vx + vy > 0)) {
            return Double.NaN;
        }
        double t = new TTest().t(sx, sy); // Welch's t: (mx - my) / sqrt(vx/nx + vy/ny)
        double df = (vx + vy) * (vx + vy) / (vx * vx / (x.length - 1) + vy * vy / (y.length - 1));
        // P(T ≥ t) = P(T ≤ -t): the lower tail keeps precision for large t
        return new TDistribution(df).cumulativeProbability(-t);
    }

    /**
     * One-sided prediction t-test of H1: a new value {@code x} is larger than the population the
     * sample {@code y} comes from: {@code t = (x − mean(y)) / (sd(y)·√(1 + 1/k))}, Student t with k
     * − 1 degrees of freedom (k = y.length). Used with y = per-text means of the control texts, so
     * the unit of the test is a text, not a chunk.
     *
     * @return the p-value, or NaN when y has fewer than 3 values or no spread
     */
    public static double predictionGreater(double x, double[] y) {
        if (y.length < 3 || !Double.isFinite(x)) {
            return Double.NaN;
        }
        StatisticalSummary sy = summary(y);
        double sd = Math.sqrt(sy.getVariance());
        if (!(sd > 0)) {
            return Double.NaN;
        }
        double t = (x - sy.getMean()) / (sd * Math.sqrt(1 + 1.0 / y.length));
        return new TDistribution(y.length - 1).cumulativeProbability(-t);
    }

    /**
     * One-sided Mann–Whitney U test of H1: x tends to be larger than y. Normal approximation with
     * the tie correction of the variance and a continuity correction of 0.5 (as {@code
     * scipy.stats.mannwhitneyu(x, y, alternative="greater", method="asymptotic")}); ties get
     * average ranks.
     *
     * @return the p-value, or NaN when a sample is empty or every value is tied
     */
    public static double mannWhitneyGreater(double[] x, double[] y) {
        int n1 = x.length;
        int n2 = y.length;
        if (n1 == 0 || n2 == 0) {
            return Double.NaN;
        }
        double[] all = new double[n1 + n2];
        System.arraycopy(x, 0, all, 0, n1);
        System.arraycopy(y, 0, all, n1, n2);
        double[] ranks = new NaturalRanking(NaNStrategy.FAILED, TiesStrategy.AVERAGE).rank(all);
        double r1 = 0;
        for (int i = 0; i < n1; i++) {
            r1 += ranks[i];
        }
        double u1 = r1 - n1 * (n1 + 1) / 2.0;
        double n = n1 + n2;
        double[] sorted = all.clone();
        Arrays.sort(sorted);
        double ties = 0;
        for (int i = 0; i < sorted.length; ) {
            int j = i;
            while (j < sorted.length && sorted[j] == sorted[i]) {
                j++;
            }
            double t = j - i;
            ties += t * t * t - t;
            i = j;
        }
        double variance = (double) n1 * n2 / 12.0 * ((n + 1) - ties / (n * (n - 1)));
        if (!(variance > 0)) {
            return Double.NaN;
        }
        double z = (u1 - n1 * (double) n2 / 2.0 - 0.5) / Math.sqrt(variance);
        return STANDARD_NORMAL.cumulativeProbability(-z);
    }

    /**
     * The Mann–Whitney statistic of x: the number of pairs (x_i, y_j) with x_i &gt; y_j, ties
     * counted one half.
     */
    public static double mannWhitneyU(double[] x, double[] y) {
        double u = 0;
        for (double a : x) {
            for (double b : y) {
                u += a > b ? 1 : a == b ? 0.5 : 0;
            }
        }
        return u;
    }

    /**
     * Cohen's d: (mean(x) − mean(y)) / pooled standard deviation (n−1 denominators). NaN when the
     * pooled deviation is 0 or a sample has fewer than 2 values.
     */
    public static double cohensD(double[] x, double[] y) {
        if (x.length < 2 || y.length < 2) {
            return Double.NaN;
        }
        StatisticalSummary sx = summary(x);
        StatisticalSummary sy = summary(y);
        double pooled =
                Math.sqrt(
                        ((x.length - 1) * sx.getVariance() + (y.length - 1) * sy.getVariance())
                                / (x.length + y.length - 2));
        return pooled > 0 ? (sx.getMean() - sy.getMean()) / pooled : Double.NaN;
    }

    /** The arithmetic mean (NaN for an empty sample). */
    public static double mean(double[] x) {
        return x.length == 0 ? Double.NaN : summary(x).getMean();
    }

    /**
     * Percentile bootstrap confidence interval of mean(x) − mean(y): {@code resamples} times, each
     * sample is resampled with replacement to its own size, independently; the interval is the
     * (1−level)/2 and (1+level)/2 quantiles of the resampled differences (order statistics at
     * {@code floor(q·(B−1))} and the next, linearly interpolated). Reproducible from {@code seed}.
     *
     * @return {low, high}, or {NaN, NaN} when a sample is empty
     */
    public static double[] bootstrapMeanGap(
            double[] x, double[] y, int resamples, double level, long seed) {
        if (x.length == 0 || y.length == 0) {
            return new double[] {Double.NaN, Double.NaN};
        }
        if (resamples < 2 || !(level > 0 && level < 1)) {
            throw new IllegalArgumentException(
                    "bootstrap needs ≥ 2 resamples and a level in (0, 1), got "
                            + resamples
                            + " and "
                            + level);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        double[] gaps = new double[resamples];
        for (int b = 0; b < resamples; b++) {
            gaps[b] = resampledMean(x, rng) - resampledMean(y, rng);
        }
        Arrays.sort(gaps);
        return new double[] {
            Quantiles.ofSorted(gaps, (1 - level) / 2), Quantiles.ofSorted(gaps, (1 + level) / 2)
        };
    }

    private static double resampledMean(double[] v, SplittableRandom rng) {
        double s = 0;
        for (int i = 0; i < v.length; i++) {
            s += v[rng.nextInt(v.length)];
        }
        return s / v.length;
    }

    static StatisticalSummary summary(double[] x) {
        StreamingStatistics s = new StreamingStatistics();
        for (double v : x) {
            s.addValue(v);
        }
        return s;
    }
}
