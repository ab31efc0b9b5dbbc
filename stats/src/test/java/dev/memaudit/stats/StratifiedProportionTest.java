package dev.memaudit.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The stratified estimator on synthetic finite populations with a known share per stratum: a
 * simulation over 200 seeds checks that the 95 % intervals cover the truth at least 93 % of the
 * time, overall and in every stratum, also with shares near 0.
 */
class StratifiedProportionTest {
    private static final int SEEDS = 200;

    /** Units 0 .. hits-1 of each stratum have the property. */
    private record Population(long[] sizes, long[] hits) {
        double truth() {
            long n = 0;
            long k = 0;
            for (int h = 0; h < sizes.length; h++) {
                n += sizes[h];
                k += hits[h];
            }
            return (double) k / n;
        }
    }

    /** Coverage of the overall interval and of each stratum's, over {@link #SEEDS} samples. */
    private static double[] coverage(Population pop, long n) {
        long[] alloc = StratifiedProportion.allocate(pop.sizes(), n);
        int strata = pop.sizes().length;
        int[] covered = new int[strata + 1];
        for (int seed = 0; seed < SEEDS; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            List<StratifiedProportion.Stratum> list = new ArrayList<>();
            for (int h = 0; h < strata; h++) {
                long[] pick = StratifiedProportion.choose(pop.sizes()[h], (int) alloc[h], random);
                long k = 0;
                for (long p : pick) {
                    if (p < pop.hits()[h]) {
                        k++;
                    }
                }
                var s = new StratifiedProportion.Stratum(pop.sizes()[h], alloc[h], k);
                list.add(s);
                var e = StratifiedProportion.stratum(s, 0.95);
                double truth = (double) pop.hits()[h] / pop.sizes()[h];
                if (e.low() <= truth && truth <= e.high()) {
                    covered[h + 1]++;
                }
            }
            var e = StratifiedProportion.estimate(list, 0.95);
            if (e.low() <= pop.truth() && pop.truth() <= e.high()) {
                covered[0]++;
            }
        }
        double[] out = new double[strata + 1];
        for (int i = 0; i <= strata; i++) {
            out[i] = (double) covered[i] / SEEDS;
        }
        return out;
    }

    @Test
    void intervalsCoverKnownSharesPerStratum() {
        Population pop = new Population(new long[] {4000, 1500, 300}, new long[] {40, 150, 90});
        double[] c = coverage(pop, 400);
        for (double v : c) {
            assertThat(v).isGreaterThanOrEqualTo(0.93);
        }
    }

    @Test
    void intervalsCoverSharesNearZero() {
        // 0.1 %, 0.5 % and 0 % in the strata: a Wald interval would collapse to a point here
        Population pop = new Population(new long[] {10_000, 6000, 2000}, new long[] {10, 30, 0});
        double[] c = coverage(pop, 1500);
        for (double v : c) {
            assertThat(v).isGreaterThanOrEqualTo(0.93);
        }
    }

    @Test
    void theFinitePopulationCorrectionNarrowsTheInterval() {
        var small = new StratifiedProportion.Stratum(200, 150, 30);
        var large = new StratifiedProportion.Stratum(1_000_000, 150, 30);
        var a = StratifiedProportion.estimate(List.of(small), 0.95);
        var b = StratifiedProportion.estimate(List.of(large), 0.95);
        assertThat(a.share()).isEqualTo(0.2);
        assertThat(a.high() - a.low()).isLessThan(0.6 * (b.high() - b.low()));
        // without correction n* = n - 1 (the unbiased variance), close to the exact interval
        var cp = ClopperPearson.interval(30, 150, 0.95);
        assertThat(b.low()).isCloseTo(cp.low(), within(0.01));
        assertThat(b.high()).isCloseTo(cp.high(), within(0.01));
    }

    @Test
    void aCensusHasNoSamplingError() {
        var e =
                StratifiedProportion.estimate(
                        List.of(
                                new StratifiedProportion.Stratum(10, 10, 3),
                                new StratifiedProportion.Stratum(30, 30, 1)),
                        0.95);
        assertThat(e.share()).isEqualTo(0.1);
        assertThat(e.low()).isEqualTo(0.1);
        assertThat(e.high()).isEqualTo(0.1);
        assertThat(e.effectiveSampleSize()).isNull();
    }

    @Test
    void aShareOfZeroGetsTheExactUpperBound() {
        var e =
                StratifiedProportion.estimate(
                        List.of(
                                new StratifiedProportion.Stratum(1000, 50, 0),
                                new StratifiedProportion.Stratum(1000, 50, 0)),
                        0.95);
        assertThat(e.low()).isEqualTo(0.0);
        assertThat(e.high()).isCloseTo(1 - Math.pow(0.025, 1.0 / 100), within(1e-9));
    }

    @Test
    void allocationIsProportionalWithTwoPerStratum() {
        assertThat(StratifiedProportion.allocate(new long[] {700, 200, 100}, 100))
                .containsExactly(70, 20, 10);
        assertThat(StratifiedProportion.allocate(new long[] {997, 2, 1}, 10))
                .containsExactly(7, 2, 1);
        long[] a = StratifiedProportion.allocate(new long[] {5, 5, 5}, 14);
        assertThat(a[0] + a[1] + a[2]).isEqualTo(14);
        assertThatThrownBy(() -> StratifiedProportion.allocate(new long[] {5, 5, 5}, 5))
                .hasMessageContaining("between 6 (2 per stratum) and 15");
    }

    @Test
    void choiceIsDistinctSortedAndSeeded() {
        long[] a = StratifiedProportion.choose(1000, 50, new SplittableRandom(7));
        long[] b = StratifiedProportion.choose(1000, 50, new SplittableRandom(7));
        assertThat(a).containsExactly(b).hasSize(50).isSorted();
        assertThat(a).doesNotHaveDuplicates();
        assertThat(StratifiedProportion.choose(5, 5, new SplittableRandom(1)))
                .containsExactly(0, 1, 2, 3, 4);
    }
}
