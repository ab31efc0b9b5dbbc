package dev.memaudit.stats;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Adjustments of a family of p-values for multiple testing. NaN entries (tests that were not run)
 * are left NaN and do not count towards the family size.
 */
public final class MultipleTesting {
    private MultipleTesting() {}

    /**
     * Holm's step-down adjustment (controls the family-wise error rate): the i-th smallest of m
     * p-values becomes max over j ≤ i of min(1, (m − j + 1)·p_(j)).
     */
    public static double[] holm(double[] p) {
        Integer[] order = order(p);
        int m = order.length;
        double[] out = nanArray(p.length);
        double running = 0;
        for (int i = 0; i < m; i++) {
            double adjusted = Math.min(1, (m - i) * p[order[i]]);
            running = Math.max(running, adjusted);
            out[order[i]] = running;
        }
        return out;
    }

    /**
     * Benjamini–Hochberg step-up adjustment (controls the false discovery rate): the i-th smallest
     * of m p-values becomes min over j ≥ i of min(1, m·p_(j)/j).
     */
    public static double[] benjaminiHochberg(double[] p) {
        Integer[] order = order(p);
        int m = order.length;
        double[] out = nanArray(p.length);
        double running = 1;
        for (int i = m - 1; i >= 0; i--) {
            double adjusted = Math.min(1, m * p[order[i]] / (i + 1));
            running = Math.min(running, adjusted);
            out[order[i]] = running;
        }
        return out;
    }

    /** Indices of the non-NaN p-values, by increasing p (ties by index). */
    private static Integer[] order(double[] p) {
        return java.util.stream.IntStream.range(0, p.length)
                .filter(i -> !Double.isNaN(p[i]))
                .boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> p[i]).thenComparing(i -> i))
                .toArray(Integer[]::new);
    }

    private static double[] nanArray(int n) {
        double[] out = new double[n];
        Arrays.fill(out, Double.NaN);
        return out;
    }
}
