package dev.memaudit.stats;

import java.util.Arrays;

/**
 * How well a score separates positives (members) from negatives (non-members), higher score = more
 * positive. Callers negate a score whose orientation is "lower is member".
 */
public final class Roc {
    private Roc() {}

    /**
     * Area under the ROC curve: the probability that a random positive scores above a random
     * negative, ties counted one half (= U / (n_pos · n_neg)). NaN when a class is empty.
     */
    public static double auc(double[] positives, double[] negatives) {
        if (positives.length == 0 || negatives.length == 0) {
            return Double.NaN;
        }
        // rank-based U: O(n log n) instead of all pairs
        double[] all = new double[positives.length + negatives.length];
        System.arraycopy(positives, 0, all, 0, positives.length);
        System.arraycopy(negatives, 0, all, positives.length, negatives.length);
        double[] ranks =
                new org.hipparchus.stat.ranking.NaturalRanking(
                                org.hipparchus.stat.ranking.NaNStrategy.FAILED,
                                org.hipparchus.stat.ranking.TiesStrategy.AVERAGE)
                        .rank(all);
        double r = 0;
        for (int i = 0; i < positives.length; i++) {
            r += ranks[i];
        }
        double u = r - positives.length * (positives.length + 1) / 2.0;
        return u / ((double) positives.length * negatives.length);
    }

    /**
     * True-positive rate at a false-positive rate of at most {@code maxFpr}: the share of positives
     * scoring strictly above a threshold that at most {@code floor(maxFpr · n_neg)} negatives
     * exceed. With fewer than {@code 1/maxFpr} negatives the threshold is the highest negative
     * score (zero false positives allowed). NaN when a class is empty.
     */
    public static double tprAtFpr(double[] positives, double[] negatives, double maxFpr) {
        if (positives.length == 0 || negatives.length == 0) {
            return Double.NaN;
        }
        double[] neg = negatives.clone();
        Arrays.sort(neg);
        int allowed = (int) Math.floor(maxFpr * neg.length + 1e-9);
        // the threshold is the (allowed+1)-th highest negative: scores strictly above it are
        // exceeded by at most `allowed` negatives
        double threshold = neg[neg.length - 1 - allowed];
        int hits = 0;
        for (double p : positives) {
            if (p > threshold) {
                hits++;
            }
        }
        return hits / (double) positives.length;
    }
}
