package dev.memaudit.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class MultipleTestingTest {
    static final double[] P = {0.01, 0.04, 0.03, 0.005, 0.2};

    @Test
    void holmByHand() {
        // sorted 0.005·5 = .025; 0.01·4 = .04; 0.03·3 = .09; 0.04·2 = .08 → .09 (monotone); 0.2
        assertThat(MultipleTesting.holm(P))
                .containsExactly(new double[] {0.04, 0.09, 0.09, 0.025, 0.2}, within(1e-12));
    }

    @Test
    void benjaminiHochbergMatchesScipy() {
        // scipy.stats.false_discovery_control(P, method="bh")
        assertThat(MultipleTesting.benjaminiHochberg(P))
                .containsExactly(new double[] {0.025, 0.05, 0.05, 0.025, 0.2}, within(1e-12));
    }

    @Test
    void nanIsSkippedAndDoesNotCountInTheFamily() {
        double[] p = {0.01, Double.NaN, 0.04};
        double[] holm = MultipleTesting.holm(p);
        assertThat(holm[0]).isCloseTo(0.02, within(1e-12));
        assertThat(holm[1]).isNaN();
        assertThat(holm[2]).isCloseTo(0.04, within(1e-12));
        double[] bh = MultipleTesting.benjaminiHochberg(p);
        assertThat(bh[0]).isCloseTo(0.02, within(1e-12));
        assertThat(bh[2]).isCloseTo(0.04, within(1e-12));
    }

    @Test
    void adjustedValuesCapAtOne() {
        assertThat(MultipleTesting.holm(new double[] {0.6, 0.7})).containsExactly(1.0, 1.0);
    }
}
