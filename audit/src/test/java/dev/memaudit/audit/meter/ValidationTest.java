package dev.memaudit.audit.meter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.records.meter.InfluenceRecord;
import dev.memaudit.core.records.meter.ValidationSummary;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How an approximation's lines are paired with the exact ones and their agreement summarized. */
class ValidationTest {
    static InfluenceRecord r(String method, String work, String b, String kind, double d) {
        return new InfluenceRecord(
                InfluenceRecord.SCHEMA_VERSION,
                method,
                work,
                b,
                kind,
                10,
                d,
                d / 10,
                null,
                null,
                null,
                null);
    }

    static Map<String, InfluenceRecord> truth(List<InfluenceRecord> rs) {
        Map<String, InfluenceRecord> m = new HashMap<>();
        rs.forEach(x -> m.put(x.workId() + "\u0000" + x.behaviourId(), x));
        return m;
    }

    @Test
    void anApproximationProportionalToTheTruthAgreesFullyAndOnlyCommonPairsCount() {
        List<InfluenceRecord> exact = new ArrayList<>();
        List<InfluenceRecord> approx = new ArrayList<>();
        String[] works = {"a", "b", "c"};
        for (String w : works) {
            for (String b : works) {
                for (int k = 0; k < 2; k++) {
                    String id = b + "#own-" + k;
                    double d = w.equals(b) ? 50 + k : -1 + (w.charAt(0) - 'a') * 0.5 + k * 0.1;
                    exact.add(r("exact", w, id, w.equals(b) ? "own" : "other", d));
                    approx.add(r("gradient", w, id, w.equals(b) ? "own" : "other", 0.01 * d));
                }
            }
        }
        // a pair the exact run did not measure (e.g. skipped) is left out
        approx.add(r("gradient", "a", "given-9", "given", 1e6));
        ValidationSummary.MethodAgreement m =
                Validation.agreement("gradient", approx, truth(exact), 1, 42, 1.5);
        assertThat(m.pairs()).isEqualTo(18);
        assertThat(m.works()).isEqualTo(3);
        assertThat(m.behaviours()).isEqualTo(6);
        assertThat(m.pearson().value()).isCloseTo(1.0, within(1e-9));
        assertThat(m.spearman().value()).isCloseTo(1.0, within(1e-9));
        assertThat(m.topKAgreement()).isEqualTo(1.0);
        assertThat(m.topKBehaviours()).isEqualTo(6);
        assertThat(m.ownSignAgreement()).isEqualTo(1.0);

        // signs flipped on own text: the sign share says so, the correlation turns negative
        List<InfluenceRecord> flipped =
                approx.stream()
                        .map(
                                x ->
                                        r(
                                                "unlearn",
                                                x.workId(),
                                                x.behaviourId(),
                                                x.behaviourKind(),
                                                -x.deltaLogprob()))
                        .toList();
        ValidationSummary.MethodAgreement f =
                Validation.agreement("unlearn", flipped, truth(exact), 1, 42, 1.5);
        assertThat(f.ownSignAgreement()).isEqualTo(0.0);
        assertThat(f.spearman().value()).isLessThan(-0.9);
        assertThat(f.topKAgreement()).isEqualTo(0.0);
    }

    @Test
    void fewerThanThreeCommonPairsIsAnErrorNotAFigure() {
        List<InfluenceRecord> exact = List.of(r("exact", "a", "a#own-0", "own", 5));
        assertThatThrownBy(
                        () ->
                                Validation.agreement(
                                        "unlearn",
                                        List.of(r("unlearn", "a", "a#own-0", "own", 1)),
                                        truth(exact),
                                        1,
                                        42,
                                        1))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining("1 (work, behaviour) pairs in common");
    }
}
