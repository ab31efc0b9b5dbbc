package dev.memaudit.extractor.extract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memaudit.core.records.extract.AttemptRecord;
import dev.memaudit.core.records.extract.ExtractWork;
import dev.memaudit.core.records.extract.WindowRecord;
import dev.memaudit.extractor.window.Window;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The extract section of works.json: coverage as docs/run-folders.md defines it (suffix tokens of
 * windows with p_z ≥ τ; prefixes given to the model are not counted), and a scheme some window
 * could not measure is "not measured" with its reason, never a share computed as if that window
 * covered nothing, and never averaged into the expected rate.
 */
class WorkSummaryTest {
    private static final String T1 = "t1";
    private static final String TOP_K = "t1_k40";

    /** A window over tokens [prefixStart, suffixEnd) whose suffix starts at suffixStart. */
    private static WindowRecord window(
            int index,
            int prefixStart,
            int suffixStart,
            int suffixEnd,
            double pzT1,
            Double pzTopK,
            String topKReason) {
        Map<String, Double> lp = new LinkedHashMap<>();
        lp.put(Scheme.GREEDY.name(), pzT1 >= 0.5 ? 0.0 : Double.NEGATIVE_INFINITY);
        lp.put(T1, Math.log(pzT1));
        lp.put(TOP_K, pzTopK == null ? Double.NaN : Math.log(pzTopK));
        Window w =
                new Window(
                        index,
                        prefixStart,
                        suffixStart,
                        suffixEnd,
                        prefixStart * 4,
                        suffixStart * 4,
                        suffixStart * 4,
                        suffixEnd * 4);
        return WindowScorer.record(
                "w",
                w,
                lp,
                topKReason == null ? Map.of() : Map.of(TOP_K, topKReason),
                pzT1 >= 0.5,
                0,
                new WindowScorer.Bits(10.0 + index, 0, null));
    }

    @Test
    void coverageCountsTheSuffixesOfWindowsAtOrAboveTauNotTheirPrefixes() {
        // 40 tokens; window 0: prefix [0, 10), suffix [10, 20); window 1: prefix [10, 20), suffix
        // [20, 30); window 2: prefix [20, 30), suffix [30, 40)
        List<WindowRecord> ws =
                List.of(
                        window(0, 0, 10, 20, 0.6, 0.7, null),
                        window(1, 10, 20, 30, 0.05, 0.06, null),
                        window(2, 20, 30, 40, 0.2, 0.3, null));
        ExtractWork e =
                WorkSummary.of(40, ws, 0, new WorkSummary.Attempts(), T1, null, "test", TEXT);
        // τ = 0.5: window 0 alone; its suffix, 10 of 40 tokens; its 10 prefix tokens do not count
        assertThat(e.coverage()).containsEntry("0.5", 0.25);
        // τ = 0.1: windows 0 and 2; window 2's prefix is window 1's suffix, which p_z 0.05 does not
        // cover: 20 of 40, not 30 (prefix included) or 40
        assertThat(e.coverage()).containsEntry("0.1", 0.5);
        // τ = 0.01: every suffix; the work's first prefix is never covered
        assertThat(e.coverage()).containsEntry("0.01", 0.75);
        assertThat(e.coverageByScheme().get(T1)).isEqualTo(e.coverage());
        assertThat(e.coverageByScheme().get(TOP_K))
                .containsEntry("0.5", 0.25)
                .containsEntry("0.1", 0.5)
                .containsEntry("0.01", 0.75);
        assertThat(e.coverageByScheme().get("greedy")).containsEntry("0.01", 0.25);
        assertThat(e.coverageNotMeasured()).isEmpty();
    }

    @Test
    void aSchemeOneWindowCouldNotMeasureHasNoCoverageButItsReason() {
        String why = "the backend's top-5 log-prob list does not determine suffix token 3";
        List<WindowRecord> ws =
                List.of(
                        window(0, 0, 10, 20, 0.6, 0.7, null),
                        window(1, 10, 20, 30, 0.05, null, why),
                        window(2, 20, 30, 40, 0.2, 0.3, null));
        assertThat(ws.get(1).pZ()).doesNotContainKey(TOP_K);
        assertThat(ws.get(1).attemptsNeeded()).doesNotContainKey(TOP_K);
        assertThat(ws.get(1).notMeasured()).containsEntry(TOP_K, why);
        assertThat(ws.get(0).notMeasured()).isNull();

        WorkSummary.Attempts attempts = new WorkSummary.Attempts();
        for (int window : new int[] {0, 1}) {
            attempts.add(attempt(window, 1, false));
            attempts.add(attempt(window, 2, window == 0));
        }
        ExtractWork e = WorkSummary.of(40, ws, 0, attempts, TOP_K, null, "test", TEXT);
        assertThat(e.coverageByScheme()).containsOnlyKeys("greedy", T1);
        assertThat(e.coverageNotMeasured()).containsOnlyKeys(TOP_K);
        assertThat(e.coverageNotMeasured().get(TOP_K))
                .contains("not measured for 1 of 3 windows")
                .contains("window 1: " + why);
        // t1 is unaffected
        assertThat(e.coverage()).containsEntry("0.1", 0.5);

        ExtractWork.Empirical emp = e.attempts().empirical();
        assertThat(emp.n()).isEqualTo(4);
        assertThat(emp.k()).isEqualTo(1);
        assertThat(emp.rate()).isEqualTo(0.25);
        // (0.7 + 0.7 + unknown + unknown) / 4 is unknown, not 0.35
        assertThat(emp.expectedRate()).isNull();
        assertThat(emp.notMeasured().get("expected_rate")).contains("window 1").contains(why);
    }

    @Test
    void theExpectedRateAveragesTheMeasuredPzOfEachAttempt() {
        List<WindowRecord> ws =
                List.of(
                        window(0, 0, 10, 20, 0.6, 0.7, null),
                        window(1, 10, 20, 30, 0.05, 0.1, null));
        WorkSummary.Attempts attempts = new WorkSummary.Attempts();
        attempts.add(attempt(0, 1, true));
        attempts.add(attempt(1, 1, false));
        attempts.add(attempt(1, 2, false));
        ExtractWork.Empirical emp =
                WorkSummary.of(30, ws, 0, attempts, TOP_K, null, "test", TEXT)
                        .attempts()
                        .empirical();
        assertThat(emp.expectedRate()).isCloseTo((0.7 + 0.1 + 0.1) / 3, within());
        assertThat(emp.notMeasured()).isNull();
    }

    @Test
    void nearRatesAndCoverageByAttemptsOnAHandMadeLedger() {
        // 40 tokens, suffixes [10, 20), [20, 30), [30, 40)
        List<WindowRecord> ws =
                List.of(
                        window(0, 0, 10, 20, 0.6, 0.7, null),
                        window(1, 10, 20, 30, 0.05, 0.1, null),
                        window(2, 20, 30, 40, 0.2, 0.3, null));
        WorkSummary.Attempts attempts = new WorkSummary.Attempts();
        // window 0: greedy exact, samples exact and near (0.85); window 1: greedy near (0.8, at the
        // threshold), samples 0.5 and 0.79 (neither); window 2: no attempts
        attempts.add(attempt(0, 0, true, 1.0));
        attempts.add(attempt(0, 1, true, 1.0));
        attempts.add(attempt(0, 2, false, 0.85));
        attempts.add(attempt(1, 0, false, 0.8));
        attempts.add(attempt(1, 1, false, 0.5));
        attempts.add(attempt(1, 2, false, 0.79));
        ExtractWork.Attempts a =
                WorkSummary.of(40, ws, 0, attempts, TOP_K, null, "test", TEXT).attempts();
        assertThat(a.total()).isEqualTo(6);
        assertThat(a.exact()).isEqualTo(2);
        assertThat(a.near()).isEqualTo(4);
        assertThat(a.greedyExact()).isEqualTo(1);
        assertThat(a.greedyNear()).isEqualTo(2);
        // sampled: 4 attempts, exact 1, near 2 (the exact one and 0.85)
        assertThat(a.empirical().k()).isEqualTo(1);
        assertThat(a.empirical().n()).isEqualTo(4);
        ExtractWork.Empirical near = a.empiricalNear();
        assertThat(near.k()).isEqualTo(2);
        assertThat(near.n()).isEqualTo(4);
        assertThat(near.rate()).isEqualTo(0.5);
        // Clopper-Pearson 95% for 2 of 4: [0.0676, 0.9324]
        assertThat(near.ciLow()).isCloseTo(0.067586, org.assertj.core.data.Offset.offset(1e-5));
        assertThat(near.ciHigh()).isCloseTo(0.932414, org.assertj.core.data.Offset.offset(1e-5));
        assertThat(near.expectedRate()).isNull();
        assertThat(near.notMeasured().get("expected_rate")).contains("exact suffix");
        // exact: window 0's suffix, 10 of 40; near: windows 0 and 1, 20 of 40; window 2 had none
        ExtractWork.AttemptCoverage c = a.coverage();
        assertThat(c.windowsWithAttempts()).isEqualTo(2);
        assertThat(c.exactTokens()).isEqualTo(10);
        assertThat(c.nearTokens()).isEqualTo(20);
        assertThat(c.exact()).isEqualTo(0.25);
        assertThat(c.near()).isEqualTo(0.5);

        // the run pools k and n over works: this work and one of 1 near of 2 sampled
        ExtractWork.Empirical other =
                WorkSummary.empirical(TOP_K, 1, 2, null, Map.of("expected_rate", "x"));
        ExtractWork.Empirical run = WorkSummary.pooled(TOP_K, List.of(near, other), true);
        assertThat(run.k()).isEqualTo(3);
        assertThat(run.n()).isEqualTo(6);
        assertThat(run.rate()).isEqualTo(0.5);
        assertThat(run.expectedRate()).isNull();
        ExtractWork.Empirical exactRun =
                WorkSummary.pooled(
                        TOP_K,
                        List.of(a.empirical(), WorkSummary.empirical(TOP_K, 2, 2, 0.4, null)),
                        false);
        // (0.7 + 0.7 + 0.1 + 0.1) / 4 = 0.4 over 4 attempts, 0.4 over 2: 0.4
        assertThat(exactRun.expectedRate()).isCloseTo(0.4, within());
        assertThat(exactRun.k()).isEqualTo(3);
        ExtractWork.AttemptCoverage runCov =
                WorkSummary.pooledCoverage(
                        List.of(c, new ExtractWork.AttemptCoverage(1, 0, 60, 60, 0.0, 1.0)));
        assertThat(runCov.near()).isEqualTo(80.0 / 100);
        assertThat(runCov.exact()).isEqualTo(10.0 / 100);
    }

    @Test
    void withoutAttemptsTheCoverageByAttemptsIsNotMeasuredNotZero() {
        List<WindowRecord> ws = List.of(window(0, 0, 10, 20, 0.6, 0.7, null));
        ExtractWork.Attempts a =
                WorkSummary.of(20, ws, 0, new WorkSummary.Attempts(), TOP_K, null, "test", TEXT)
                        .attempts();
        assertThat(a.coverage().windowsWithAttempts()).isZero();
        assertThat(a.coverage().exact()).isNull();
        assertThat(a.coverage().near()).isNull();
        assertThat(a.empiricalNear().rate()).isNull();
        ExtractWork.AttemptCoverage run = WorkSummary.pooledCoverage(List.of(a.coverage()));
        assertThat(run.near()).isNull();
    }

    /** 160 code points, so every window's suffix [4 · start, 4 · end) lies inside it. */
    private static final String TEXT = "abcd".repeat(40);

    private static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(1e-12);
    }

    private static AttemptRecord attempt(int window, int attempt, boolean exact) {
        return attempt(window, attempt, exact, exact ? 1.0 : 0.1);
    }

    /** An attempt of word similarity {@code similarity}, near as the run decides at 0.8. */
    private static AttemptRecord attempt(
            int window, int attempt, boolean exact, double similarity) {
        WordMatch m = new WordMatch(10, 10, 0, 0, similarity, similarity);
        return new AttemptRecord(
                AttemptRecord.SCHEMA_VERSION,
                "w",
                window,
                attempt,
                TOP_K,
                attempt,
                new AttemptRecord.Settings(1.0, 40, 1.0, 10),
                "prefix",
                "generated",
                new int[] {1, 2},
                exact,
                exact ? 10 : 1,
                exact ? 1.0 : 0.1,
                exact ? 0 : 9,
                similarity,
                similarity,
                m.near(exact, 0.8),
                List.of(),
                null);
    }
}
