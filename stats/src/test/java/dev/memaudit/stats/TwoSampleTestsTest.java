package dev.memaudit.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Golden values from SciPy: reports/src/test/golden/make_stats_golden.py. */
class TwoSampleTestsTest {
    static final double[] X = {2.1, 3.4, 1.9, 5.6, 4.4, 3.3, 2.8, 4.1};
    static final double[] Y = {1.2, 2.2, 0.8, 2.9, 1.7, 2.4, 1.1};

    @Test
    void welchMatchesScipyInBothDirections() {
        assertThat(TwoSampleTests.welchGreater(X, Y))
                .isCloseTo(0.0036509206035514725, within(1e-12));
        assertThat(TwoSampleTests.welchGreater(Y, X)).isCloseTo(0.9963490793964486, within(1e-12));
    }

    @Test
    void mannWhitneyMatchesScipyAsymptoticWithContinuity() {
        assertThat(TwoSampleTests.mannWhitneyGreater(X, Y))
                .isCloseTo(0.008836138193361215, within(1e-12));
        assertThat(TwoSampleTests.mannWhitneyGreater(Y, X))
                .isCloseTo(0.9935793688313902, within(1e-12));
    }

    @Test
    void mannWhitneyCorrectsForTies() {
        double[] a = {1, 2, 2, 3, 3, 3, 4, 5};
        double[] b = {1, 1, 2, 2, 3, 4};
        assertThat(TwoSampleTests.mannWhitneyU(a, b)).isEqualTo(32.0);
        assertThat(TwoSampleTests.mannWhitneyGreater(a, b))
                .isCloseTo(0.15962631485751094, within(1e-12));
    }

    @Test
    void cohensDMatchesScipy() {
        assertThat(TwoSampleTests.cohensD(X, Y)).isCloseTo(1.6199123270861273, within(1e-12));
        assertThat(TwoSampleTests.cohensD(Y, X)).isCloseTo(-1.6199123270861273, within(1e-12));
    }

    @Test
    void undefinedTestsAreNaNNotAPValue() {
        assertThat(TwoSampleTests.welchGreater(new double[] {1}, Y)).isNaN();
        assertThat(TwoSampleTests.welchGreater(new double[] {1, 1}, new double[] {2, 2})).isNaN();
        assertThat(TwoSampleTests.mannWhitneyGreater(new double[] {1, 1}, new double[] {1, 1}))
                .isNaN();
        assertThat(TwoSampleTests.mannWhitneyGreater(new double[0], Y)).isNaN();
    }

    @Test
    void bootstrapIsSeededAndCoversTheObservedGap() {
        double[] a = TwoSampleTests.bootstrapMeanGap(X, Y, 2000, 0.95, 7);
        double[] b = TwoSampleTests.bootstrapMeanGap(X, Y, 2000, 0.95, 7);
        double[] c = TwoSampleTests.bootstrapMeanGap(X, Y, 2000, 0.95, 8);
        assertThat(a).containsExactly(b);
        assertThat(a).isNotEqualTo(c);
        double gap = TwoSampleTests.mean(X) - TwoSampleTests.mean(Y);
        assertThat(a[0]).isLessThan(gap);
        assertThat(a[1]).isGreaterThan(gap);
        // the normal-theory 95% half-width here is about 1.05; the bootstrap should be close
        assertThat(a[1] - a[0]).isBetween(1.4, 2.6);
    }

    @Test
    void bootstrapCoverageIsNearNominalUnderRepetition() {
        // 200 experiments with a known gap of 1: the 90% interval should cover it ~90% of times
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        int covered = 0;
        for (int e = 0; e < 200; e++) {
            double[] a = new double[40];
            double[] b = new double[40];
            for (int i = 0; i < 40; i++) {
                a[i] = 1 + r.nextGaussian();
                b[i] = r.nextGaussian();
            }
            double[] ci = TwoSampleTests.bootstrapMeanGap(a, b, 400, 0.90, e);
            covered += ci[0] <= 1 && 1 <= ci[1] ? 1 : 0;
        }
        assertThat(covered).isBetween(160, 195);
    }

    @Test
    void quantileInterpolatesLikeType7() {
        double[] s = {1, 2, 3, 4};
        assertThat(Quantiles.ofSorted(s, 0.5)).isEqualTo(2.5);
        assertThat(Quantiles.ofSorted(s, 0)).isEqualTo(1);
        assertThat(Quantiles.ofSorted(s, 1)).isEqualTo(4);
    }
}
