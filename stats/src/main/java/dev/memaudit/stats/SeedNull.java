package dev.memaudit.stats;

import org.hipparchus.distribution.continuous.TDistribution;

/**
 * A difference between two trained models' log-probabilities, against how much the same quantity
 * varies between models trained from different seeds (the seed-variation null of influence
 * metering).
 *
 * <p>With {@code k} seeds' values {@code v_1..v_k} of log p(b), {@code s} their sample standard
 * deviation: two independently seeded models differ by a variable of standard deviation {@code √2
 * s}, so {@code z = Δ / (√2 s)}; the two-sided p-value takes Student's t with {@code k − 1} degrees
 * of freedom, since {@code s} is itself estimated from {@code k} values. A paired counterfactual
 * (same seed, one work withheld) varies less than two seeds do, so this null is conservative: it
 * asks whether the work moved b by more than retraining with another seed would.
 */
public final class SeedNull {
    private SeedNull() {}

    /**
     * {z, p} of {@code delta} against the seeds' values, or null when there are fewer than 2 values
     * or they do not vary.
     */
    public static double[] test(double delta, double[] seedValues) {
        int k = seedValues.length;
        if (k < 2) {
            return null;
        }
        double mean = 0;
        for (double v : seedValues) {
            mean += v;
        }
        mean /= k;
        double ss = 0;
        for (double v : seedValues) {
            ss += (v - mean) * (v - mean);
        }
        double sd = Math.sqrt(ss / (k - 1));
        if (!(sd > 0) || !Double.isFinite(delta)) {
            return null;
        }
        double z = delta / (Math.sqrt(2) * sd);
        double p = 2 * new TDistribution(k - 1).cumulativeProbability(-Math.abs(z));
        return new double[] {z, Math.min(1, p)};
    }
}
