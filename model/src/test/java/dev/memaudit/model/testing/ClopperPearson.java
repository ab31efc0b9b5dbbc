package dev.memaudit.model.testing;

import org.hipparchus.distribution.continuous.BetaDistribution;

/**
 * The exact (Clopper–Pearson) binomial confidence interval from Hipparchus's beta quantiles, for
 * sampling-frequency tests: a correct sampler's frequency falls outside it with probability at most
 * {@code 1 − confidence}.
 */
public final class ClopperPearson {
    private ClopperPearson() {}

    /**
     * @return {lower, upper} bounds for the success probability after {@code successes} of {@code
     *     trials}
     */
    public static double[] interval(int trials, int successes, double confidence) {
        double alpha = 1 - confidence;
        double lower =
                successes == 0
                        ? 0
                        : new BetaDistribution(successes, trials - successes + 1)
                                .inverseCumulativeProbability(alpha / 2);
        double upper =
                successes == trials
                        ? 1
                        : new BetaDistribution(successes + 1, trials - successes)
                                .inverseCumulativeProbability(1 - alpha / 2);
        return new double[] {lower, upper};
    }
}
