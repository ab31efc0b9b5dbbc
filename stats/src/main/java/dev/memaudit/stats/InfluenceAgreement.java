package dev.memaudit.stats;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.hipparchus.stat.correlation.PearsonsCorrelation;
import org.hipparchus.stat.correlation.SpearmansCorrelation;

/**
 * How well an approximate influence agrees with the exact one over (work, behaviour) pairs: Pearson
 * and Spearman correlation with percentile-bootstrap intervals (pairs resampled with replacement,
 * seeded), and top-k agreement per behaviour (the share of the k works with the largest exact
 * influence on it that are also among the approximation's k largest, averaged over behaviours with
 * at least k + 1 works).
 */
public final class InfluenceAgreement {
    /** Bootstrap resamples. */
    public static final int RESAMPLES = 1000;

    /** Interval level. */
    public static final double LEVEL = 0.95;

    private InfluenceAgreement() {}

    /**
     * One pair.
     *
     * @param exact the exact delta
     * @param approx the approximation's value
     */
    public record Pair(String work, String behaviour, double exact, double approx) {}

    /**
     * @param pairs pairs compared
     * @param pearson Pearson r, or null when either side does not vary
     * @param spearman Spearman ρ, or null when either side does not vary
     * @param topK the k of top-k agreement
     * @param topKAgreement mean top-k agreement, or null when no behaviour has more than k works
     * @param topKBehaviours behaviours it averages over
     */
    public record Result(
            int pairs,
            Double pearson,
            Double pearsonLow,
            Double pearsonHigh,
            Double spearman,
            Double spearmanLow,
            Double spearmanHigh,
            int topK,
            Double topKAgreement,
            int topKBehaviours) {}

    /** Agreement of {@code pairs} (at least 3), bootstrap seeded with {@code seed}. */
    public static Result of(List<Pair> pairs, int k, long seed) {
        int n = pairs.size();
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = pairs.get(i).exact();
            y[i] = pairs.get(i).approx();
        }
        Double r = n < 3 ? null : corr(x, y, false);
        Double rho = n < 3 ? null : corr(x, y, true);
        double[] rs = new double[RESAMPLES];
        double[] rhos = new double[RESAMPLES];
        int ok = 0;
        SplittableRandom rng = new SplittableRandom(seed);
        double[] bx = new double[n];
        double[] by = new double[n];
        for (int b = 0; b < RESAMPLES && r != null && rho != null; b++) {
            for (int i = 0; i < n; i++) {
                int j = rng.nextInt(n);
                bx[i] = x[j];
                by[i] = y[j];
            }
            Double br = corr(bx, by, false);
            Double brho = corr(bx, by, true);
            if (br != null && brho != null) {
                rs[ok] = br;
                rhos[ok] = brho;
                ok++;
            }
        }
        Double[] rCi = interval(rs, ok);
        Double[] rhoCi = interval(rhos, ok);

        Map<String, List<Pair>> byBehaviour = new LinkedHashMap<>();
        pairs.forEach(
                p -> byBehaviour.computeIfAbsent(p.behaviour(), q -> new ArrayList<>()).add(p));
        double sum = 0;
        int counted = 0;
        for (List<Pair> ps : byBehaviour.values()) {
            if (ps.size() <= k) {
                continue;
            }
            Set<String> e = top(ps, k, true);
            Set<String> a = top(ps, k, false);
            e.retainAll(a);
            sum += (double) e.size() / k;
            counted++;
        }
        return new Result(
                n,
                r,
                rCi[0],
                rCi[1],
                rho,
                rhoCi[0],
                rhoCi[1],
                k,
                counted == 0 ? null : sum / counted,
                counted);
    }

    private static Set<String> top(List<Pair> ps, int k, boolean exact) {
        List<Pair> sorted = new ArrayList<>(ps);
        sorted.sort(
                (p, q) ->
                        exact
                                ? Double.compare(q.exact(), p.exact())
                                : Double.compare(q.approx(), p.approx()));
        Set<String> out = new HashSet<>();
        for (int i = 0; i < k; i++) {
            out.add(sorted.get(i).work());
        }
        return out;
    }

    private static Double corr(double[] x, double[] y, boolean ranks) {
        if (!varies(x) || !varies(y)) {
            return null;
        }
        double c =
                ranks
                        ? new SpearmansCorrelation().correlation(x, y)
                        : new PearsonsCorrelation().correlation(x, y);
        return Double.isFinite(c) ? c : null;
    }

    private static boolean varies(double[] v) {
        for (double d : v) {
            if (d != v[0]) {
                return true;
            }
        }
        return false;
    }

    private static Double[] interval(double[] v, int n) {
        if (n < 10) {
            return new Double[] {null, null};
        }
        double[] s = java.util.Arrays.copyOf(v, n);
        java.util.Arrays.sort(s);
        double a = (1 - LEVEL) / 2;
        return new Double[] {Quantiles.ofSorted(s, a), Quantiles.ofSorted(s, 1 - a)};
    }
}
