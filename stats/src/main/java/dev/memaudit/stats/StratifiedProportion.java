package dev.memaudit.stats;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.hipparchus.distribution.continuous.BetaDistribution;

/**
 * The share of a finite population that has a property, estimated from a stratified simple random
 * sample without replacement (a census is the case n_h = N_h in every stratum).
 *
 * <p>Estimator: {@code p̂ = Σ W_h p_h} with {@code W_h = N_h / N} and {@code p_h = k_h / n_h}; its
 * variance {@code v = Σ W_h² (1 − f_h) p_h (1 − p_h) / (n_h − 1)} with the finite-population
 * correction {@code f_h = n_h / N_h} (a stratum of one sampled unit adds no variance term).
 *
 * <p>Interval: Korn and Graubard's (1998) Clopper–Pearson interval at the effective sample size
 * {@code n* = p̂ (1 − p̂) / v}: the beta quantiles of {@link ClopperPearson} with {@code x* = n*
 * p̂} successes in {@code n*} trials (non-integer). When {@code v = 0} with sampling left (every
 * sampled stratum all 0 or all 1, or {@code p̂} at 0 or 1), {@code n*} is the number sampled, so
 * that a share of 0 still gets the exact upper bound {@code 1 − (α/2)^(1/n)}. It keeps its coverage
 * near p = 0 where a Wald interval collapses. A census ({@code f_h = 1} in every stratum) has no
 * sampling error: its interval is the point {@code [p̂, p̂]}.
 *
 * <p>Per stratum, {@link #stratum} gives the exact Clopper–Pearson interval of {@code k_h} in
 * {@code n_h} (no finite-population correction, so it is conservative), the point for a stratum
 * sampled in full.
 */
public final class StratifiedProportion {
    private StratifiedProportion() {}

    /**
     * One stratum.
     *
     * @param population N_h, units in the stratum (≥ 1)
     * @param sampled n_h, units sampled from it (1 ≤ n_h ≤ N_h)
     * @param hits k_h, sampled units with the property (0 ≤ k_h ≤ n_h)
     */
    public record Stratum(long population, long sampled, long hits) {
        public Stratum {
            if (population < 1 || sampled < 1 || sampled > population) {
                throw new IllegalArgumentException(
                        "need 1 ≤ sampled ≤ population, got sampled="
                                + sampled
                                + " population="
                                + population);
            }
            if (hits < 0 || hits > sampled) {
                throw new IllegalArgumentException(
                        "need 0 ≤ hits ≤ sampled, got hits=" + hits + " sampled=" + sampled);
            }
        }

        boolean census() {
            return sampled == population;
        }
    }

    /**
     * An estimate.
     *
     * @param share the estimated share p̂
     * @param low lower bound of the interval
     * @param high upper bound
     * @param variance the estimator's variance v
     * @param effectiveSampleSize n* of the interval; null for a census (no interval is computed)
     * @param sampled units sampled, Σ n_h
     * @param population units in the population, Σ N_h
     */
    public record Estimate(
            double share,
            double low,
            double high,
            double variance,
            Double effectiveSampleSize,
            long sampled,
            long population) {}

    /** The stratified estimate and its Korn–Graubard interval at {@code confidence} (e.g. 0.95). */
    public static Estimate estimate(List<Stratum> strata, double confidence) {
        if (strata.isEmpty()) {
            throw new IllegalArgumentException("no strata");
        }
        if (!(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("confidence must be in (0, 1), got " + confidence);
        }
        long population = 0;
        long sampled = 0;
        boolean census = true;
        for (Stratum s : strata) {
            population += s.population();
            sampled += s.sampled();
            census &= s.census();
        }
        double share = 0;
        double variance = 0;
        for (Stratum s : strata) {
            double w = (double) s.population() / population;
            double p = (double) s.hits() / s.sampled();
            share += w * p;
            if (s.sampled() > 1) {
                double f = (double) s.sampled() / s.population();
                variance += w * w * (1 - f) * p * (1 - p) / (s.sampled() - 1);
            }
        }
        share = Math.min(1.0, Math.max(0.0, share));
        if (census) {
            return new Estimate(share, share, share, 0.0, null, sampled, population);
        }
        double nStar =
                variance > 0 && share > 0 && share < 1
                        ? share * (1 - share) / variance
                        : (double) sampled;
        double alpha = 1 - confidence;
        double x = nStar * share;
        double low =
                x <= 0
                        ? 0
                        : new BetaDistribution(x, nStar - x + 1)
                                .inverseCumulativeProbability(alpha / 2);
        double high =
                x >= nStar
                        ? 1
                        : new BetaDistribution(x + 1, nStar - x)
                                .inverseCumulativeProbability(1 - alpha / 2);
        return new Estimate(share, low, high, variance, nStar, sampled, population);
    }

    /**
     * The share of one stratum with its exact Clopper–Pearson interval (the point when the stratum
     * was sampled in full).
     */
    public static Estimate stratum(Stratum s, double confidence) {
        double p = (double) s.hits() / s.sampled();
        if (s.census()) {
            return new Estimate(p, p, p, 0.0, null, s.sampled(), s.population());
        }
        ClopperPearson.Interval ci = ClopperPearson.interval(s.hits(), s.sampled(), confidence);
        double f = (double) s.sampled() / s.population();
        double v = s.sampled() > 1 ? (1 - f) * p * (1 - p) / (s.sampled() - 1) : 0.0;
        return new Estimate(
                p, ci.low(), ci.high(), v, (double) s.sampled(), s.sampled(), s.population());
    }

    /**
     * Proportional allocation of a sample of {@code n} over strata of the given sizes: each stratum
     * gets {@code min(2, N_h)} first (so its variance can be estimated), the rest in proportion to
     * {@code N_h} by largest remainder (ties to the lower index), never more than {@code N_h}.
     *
     * @throws IllegalArgumentException when {@code n} is below the minimum Σ min(2, N_h) or above Σ
     *     N_h
     */
    public static long[] allocate(long[] sizes, long n) {
        long total = 0;
        long minimum = 0;
        for (long s : sizes) {
            if (s < 1) {
                throw new IllegalArgumentException("stratum sizes must be ≥ 1, got " + s);
            }
            total += s;
            minimum += Math.min(2, s);
        }
        if (n < minimum || n > total) {
            throw new IllegalArgumentException(
                    "a sample of "
                            + n
                            + " cannot cover "
                            + sizes.length
                            + " strata of "
                            + total
                            + " units: it must be between "
                            + minimum
                            + " (2 per stratum) and "
                            + total);
        }
        long[] out = new long[sizes.length];
        double[] quota = new double[sizes.length];
        long given = 0;
        for (int h = 0; h < sizes.length; h++) {
            quota[h] = (double) n * sizes[h] / total;
            out[h] =
                    Math.min(
                            sizes[h], Math.max(Math.min(2, sizes[h]), (long) Math.floor(quota[h])));
            given += out[h];
        }
        // Hand out (or take back) one unit at a time where the quota is furthest from the count.
        while (given != n) {
            int best = -1;
            double bestGap = 0;
            for (int h = 0; h < sizes.length; h++) {
                double gap = quota[h] - out[h];
                boolean can = given < n ? out[h] < sizes[h] : out[h] > Math.min(2, sizes[h]);
                double score = given < n ? gap : -gap;
                if (can && (best < 0 || score > bestGap)) {
                    best = h;
                    bestGap = score;
                }
            }
            out[best] += given < n ? 1 : -1;
            given += given < n ? 1 : -1;
        }
        return out;
    }

    /**
     * {@code k} distinct positions of {@code 0 .. size-1}, sorted, drawn uniformly (Floyd's
     * algorithm) from {@code random}.
     */
    public static long[] choose(long size, int k, java.util.SplittableRandom random) {
        if (k < 0 || k > size) {
            throw new IllegalArgumentException("need 0 ≤ k ≤ size, got k=" + k + " size=" + size);
        }
        java.util.HashSet<Long> picked = new java.util.HashSet<>(Math.max(16, 2 * k));
        for (long j = size - k; j < size; j++) {
            long t = random.nextLong(j + 1);
            if (!picked.add(t)) {
                picked.add(j);
            }
        }
        List<Long> list = new ArrayList<>(picked);
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i);
        }
        Arrays.sort(out);
        return out;
    }
}
