package dev.memaudit.extractor.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.records.extract.AttemptsNeeded;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchemeTest {
    @Test
    void namesAreCanonical() {
        assertThat(Scheme.parse("greedy")).isEqualTo(Scheme.GREEDY);
        assertThat(Scheme.parse("t1.0")).isEqualTo(Scheme.T1);
        assertThat(Scheme.parse("t0")).isEqualTo(Scheme.GREEDY);
        Scheme s = Scheme.parse("t0.70_k40_p0.90");
        assertThat(s.name()).isEqualTo("t0.7_k40_p0.9");
        assertThat(s.temperature()).isEqualTo(0.7);
        assertThat(s.topK()).isEqualTo(40);
        assertThat(s.topP()).isEqualTo(0.9);
        assertThat(Scheme.parse("t1_p1").name()).isEqualTo("t1");
        assertThat(Scheme.parse("t1_k0").isPlain()).isTrue();
    }

    @Test
    void badSpecsAreUsageErrors() {
        for (String bad : List.of("", "t", "k40", "t0.7_p0", "t0.7_p1.5", "topk")) {
            assertThatThrownBy(() -> Scheme.parse(bad))
                    .as(bad)
                    .isInstanceOf(MemauditException.class);
        }
    }

    @Test
    void attemptsNeeded() {
        assertThat(needed(0, 0.99)).isEqualTo(1L);
        assertThat(needed(Math.log(0.5), 0.5)).isEqualTo(1L);
        assertThat(needed(Math.log(0.5), 0.99)).isEqualTo(7L);
        // p = 0.01: ⌈ln 0.5 / ln 0.99⌉ = 69, ⌈ln 0.01 / ln 0.99⌉ = 459
        assertThat(needed(Math.log(0.01), 0.5)).isEqualTo(69L);
        assertThat(needed(Math.log(0.01), 0.99)).isEqualTo(459L);
        // p = e^-40: about ln 2 · e^40 attempts, beyond a long's exact range: a decimal
        Object huge = needed(-40, 0.5);
        assertThat(huge).isInstanceOf(Double.class);
        assertThat((Double) huge / (Math.log(2) * Math.exp(40))).isBetween(0.999, 1.001);
    }

    @Test
    void aZeroPzIsUnreachableNotAHugeNumber() {
        AttemptsNeeded never = WindowScorer.attemptsNeeded(Double.NEGATIVE_INFINITY, 0.5);
        assertThat(never).isSameAs(AttemptsNeeded.UNREACHABLE);
        assertThat(never.reachable()).isFalse();
        assertThat(never.json()).isEqualTo("unreachable");
        assertThatThrownBy(() -> WindowScorer.attemptsNeeded(Double.NaN, 0.5))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPzBelowDoubleRangeGivesItsTrueCountNotTheLargestDouble() {
        // p = e^-800 underflows to 0 as a double, ln p does not: n = ln 2 · e^800 ≈ 1.88978e347
        AttemptsNeeded n = WindowScorer.attemptsNeeded(-800, 0.5);
        assertThat(n.reachable()).isTrue();
        assertThat(n.count()).isNull();
        assertThat(n.log10())
                .isCloseTo(Math.log10(Math.log(2)) + 800 / Math.log(10), within(1e-9))
                .isCloseTo(347.27641, within(1e-5));
        assertThat(n.json()).isEqualTo(java.util.Map.of("log10", n.log10()));
    }

    private static Object needed(double logP, double target) {
        return WindowScorer.attemptsNeeded(logP, target).json();
    }

    @Test
    void attemptSelection() {
        List<Integer> ws = List.of(0, 1, 2, 3, 4, 5);
        double[] lp = {-5, -1, Double.NEGATIVE_INFINITY, -0.5, -1, -9};
        assertThat(AttemptSelection.parse("all").choose(ws, lp, 1, "w")).isEqualTo(ws);
        assertThat(AttemptSelection.parse("top:3").choose(ws, lp, 1, "w")).containsExactly(1, 3, 4);
        List<Integer> r1 = AttemptSelection.parse("random:3").choose(ws, lp, 7, "w");
        assertThat(r1).hasSize(3).isSorted();
        assertThat(AttemptSelection.parse("random:3").choose(ws, lp, 7, "w")).isEqualTo(r1);
        assertThat(AttemptSelection.parse("random:10").choose(ws, lp, 7, "w")).isEqualTo(ws);
        assertThatThrownBy(() -> AttemptSelection.parse("top:0"))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining("got top:0");
    }
}
