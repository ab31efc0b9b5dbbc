package dev.memaudit.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InfluenceAgreementTest {
    @Test
    void aMonotoneButNonLinearApproximationHasSpearmanOneAndPearsonBelow() {
        List<InfluenceAgreement.Pair> ps = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            ps.add(new InfluenceAgreement.Pair("w" + (i % 3), "b" + (i / 3), i, Math.exp(i / 3.0)));
        }
        InfluenceAgreement.Result r = InfluenceAgreement.of(ps, 1, 7);
        assertThat(r.pairs()).isEqualTo(30);
        assertThat(r.spearman()).isCloseTo(1.0, within(1e-12));
        assertThat(r.pearson()).isLessThan(0.9).isGreaterThan(0.5);
        assertThat(r.pearsonLow()).isLessThanOrEqualTo(r.pearson());
        assertThat(r.pearsonHigh()).isGreaterThanOrEqualTo(r.pearson());
        // within each behaviour the works are ranked alike: top-1 agreement is perfect
        assertThat(r.topKAgreement()).isEqualTo(1.0);
    }

    @Test
    void aReversedApproximationDisagreesEverywhere() {
        // behaviours with three works each; the approximation ranks them in reverse
        List<InfluenceAgreement.Pair> ps = new ArrayList<>();
        for (int b = 0; b < 5; b++) {
            for (int w = 0; w < 3; w++) {
                ps.add(new InfluenceAgreement.Pair("w" + w, "b" + b, w + 10 * b, -w - 10 * b));
            }
        }
        InfluenceAgreement.Result r = InfluenceAgreement.of(ps, 1, 7);
        assertThat(r.spearman()).isCloseTo(-1.0, within(1e-12));
        assertThat(r.topKAgreement()).isEqualTo(0.0);
        assertThat(r.topKBehaviours()).isEqualTo(5);
    }

    @Test
    void aConstantApproximationHasNoCorrelationRatherThanZero() {
        List<InfluenceAgreement.Pair> ps = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ps.add(new InfluenceAgreement.Pair("w", "b" + i, i, 3.0));
        }
        InfluenceAgreement.Result r = InfluenceAgreement.of(ps, 1, 7);
        assertThat(r.pearson()).isNull();
        assertThat(r.spearman()).isNull();
        assertThat(r.topKAgreement()).isNull();
    }
}
