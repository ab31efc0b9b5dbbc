package dev.memaudit.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ClopperPearsonTest {

    @Test
    void knownIntervals() {
        // closed forms: k = 0 → [0, 1 − (α/2)^(1/n)], k = n → [(α/2)^(1/n), 1]
        ClopperPearson.Interval zero = ClopperPearson.interval(0, 10, 0.95);
        assertThat(zero.low()).isZero();
        assertThat(zero.high()).isCloseTo(1 - Math.pow(0.025, 0.1), within(1e-9));
        ClopperPearson.Interval all = ClopperPearson.interval(20, 20, 0.95);
        assertThat(all.low()).isCloseTo(Math.pow(0.025, 1.0 / 20), within(1e-9));
        assertThat(all.high()).isEqualTo(1);
        // 5 of 10 at 95%: [0.187086, 0.812914] (standard tables)
        ClopperPearson.Interval half = ClopperPearson.interval(5, 10, 0.95);
        assertThat(half.low()).isCloseTo(0.187086, within(1e-6));
        assertThat(half.high()).isCloseTo(0.812914, within(1e-6));
        // 1 of 100 at 95%: [0.000253, 0.054460]
        ClopperPearson.Interval rare = ClopperPearson.interval(1, 100, 0.95);
        assertThat(rare.low()).isCloseTo(0.000253, within(1e-6));
        assertThat(rare.high()).isCloseTo(0.054460, within(1e-6));
    }

    @Test
    void coverageIsAtLeastNominal() {
        // exact coverage of the 95% interval for n = 25 over a grid of p
        int n = 25;
        ClopperPearson.Interval[] ci = new ClopperPearson.Interval[n + 1];
        for (int k = 0; k <= n; k++) {
            ci[k] = ClopperPearson.interval(k, n, 0.95);
        }
        for (double p = 0.01; p < 1; p += 0.01) {
            double cover = 0;
            for (int k = 0; k <= n; k++) {
                if (ci[k].contains(p)) {
                    cover += binom(n, k) * Math.pow(p, k) * Math.pow(1 - p, n - k);
                }
            }
            assertThat(cover).as("p=%f", p).isGreaterThanOrEqualTo(0.95 - 1e-9);
        }
    }

    private static double binom(int n, int k) {
        double r = 1;
        for (int i = 1; i <= k; i++) {
            r = r * (n - k + i) / i;
        }
        return r;
    }
}
