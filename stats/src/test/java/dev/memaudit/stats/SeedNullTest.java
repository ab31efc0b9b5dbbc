package dev.memaudit.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SeedNullTest {
    @Test
    void zIsTheDeltaOverRootTwoSeedDeviationsAndPFollowsStudentT() {
        // values -10, -12: mean -11, s = sqrt(2); z = 4 / (sqrt 2 * sqrt 2) = 2
        double[] zp = SeedNull.test(4, new double[] {-10, -12});
        assertThat(zp[0]).isCloseTo(2.0, within(1e-12));
        // t with 1 df: P(|T| > 2) = 1 - 2 atan(2) / pi
        assertThat(zp[1]).isCloseTo(1 - 2 * Math.atan(2) / Math.PI, within(1e-9));
    }

    @Test
    void withoutTwoVaryingSeedsThereIsNoNull() {
        assertThat(SeedNull.test(1, new double[] {-3})).isNull();
        assertThat(SeedNull.test(1, new double[] {-3, -3})).isNull();
    }
}
