package dev.memaudit.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.memaudit.core.records.ppl.ChunkRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ladder calibration's figures against values computed by hand. */
class DoseCalibrationTest {
    private static final double EPS = 1e-9;

    @Test
    void leastSquaresOnLogDoseMatchesTheHandComputedLine() {
        // x = log10 of doses 1, 10, 100; mean x 1, mean y 0.4; Sxy 0.7, Sxx 2
        double[] fit =
                DoseCalibration.leastSquares(new double[] {0, 1, 2}, new double[] {0.1, 0.3, 0.8});
        assertThat(fit[0]).isCloseTo(0.35, within(EPS));
        assertThat(fit[1]).isCloseTo(0.05, within(EPS));
        assertThat(DoseCalibration.leastSquares(new double[] {1, 1}, new double[] {0, 1})[0])
                .isNaN();
    }

    @Test
    void extractionIsPooledOverCanaryAndWorkPairsAndTheSlopeIsPerTenfoldDose() {
        // seed 1: dose 4 works a (0.2), b (0.4); seed 2: dose 4 work c (0.6). Pooled over the
        // three works the mean is 0.4, not the mean of the canaries' means (0.45).
        Run r1 = new Run(1);
        r1.work("z1", 0, 0.0).work("a", 4, 0.2).work("b", 4, 0.4).work("e", 1, 0.1);
        Run r2 = new Run(2);
        r2.work("z2", 0, 0.0).work("c", 4, 0.6).work("f", 1, 0.1);
        DoseCalibration.Table t = DoseCalibration.summarize(List.of(r1.run(), r2.run()), 0.05, 9);

        assertThat(t.doses()).containsExactly(0, 1, 4);
        DoseCalibration.ExtractionDose d4 = t.extraction().get(2);
        assertThat(d4.works()).isEqualTo(3);
        assertThat(d4.greedyShare().value()).isCloseTo(0.4, within(EPS));
        assertThat(d4.greedyShare().units()).isEqualTo(3);
        // a resampled mean of values in [0.2, 0.6]
        assertThat(d4.greedyShare().low()).isBetween(0.2, 0.4);
        assertThat(d4.greedyShare().high()).isBetween(0.4, 0.6);
        assertThat(t.extraction().get(1).greedyShare().value()).isCloseTo(0.1, within(EPS));
        // dose 1 has the same value in both canaries: no spread to resample
        assertThat(t.extraction().get(1).greedyShare().low()).isCloseTo(0.1, within(EPS));
        assertThat(t.extraction().get(1).greedyShare().high()).isCloseTo(0.1, within(EPS));
        assertThat(t.extraction().get(0).coverage().value()).isZero();

        // points (0, 0.1) ×2 and (log10 4, 0.2), (log10 4, 0.4), (log10 4, 0.6):
        // x̄ = 3·L/5, ȳ = 1.4/5 = 0.28, Sxy = 3·L·0.4 − 5·(3L/5)·0.28 = 0.36·L,
        // Sxx = 3L² − 9L²/5 = 1.2·L², slope = 0.3 / L with L = log10 4
        double l = Math.log10(4);
        assertThat(t.greedySlope().slope().value()).isCloseTo(0.3 / l, within(EPS));
        assertThat(t.greedySlope().intercept()).isCloseTo(0.1, within(EPS));
        assertThat(t.greedySlope().slope().low()).isLessThanOrEqualTo(0.3 / l);
        assertThat(t.greedySlope().slope().high()).isGreaterThanOrEqualTo(0.3 / l);
        assertThat(t.greedySlope().slope().units()).isEqualTo(5);
    }

    @Test
    void anExactlyLogLinearLadderHasItsSlopeAndAZeroWidthInterval() {
        Run r = new Run(3);
        for (int dose : new int[] {1, 4, 16, 64}) {
            double y = 0.1 + 0.2 * Math.log10(dose);
            r.work("w" + dose + "a", dose, y).work("w" + dose + "b", dose, y);
        }
        r.work("z", 0, 0);
        DoseCalibration.Table t = DoseCalibration.summarize(List.of(r.run()), 0.05, 1);
        assertThat(t.greedySlope().slope().value()).isCloseTo(0.2, within(EPS));
        assertThat(t.greedySlope().slope().low()).isCloseTo(0.2, within(EPS));
        assertThat(t.greedySlope().slope().high()).isCloseTo(0.2, within(EPS));
        assertThat(t.greedySlope().intercept()).isCloseTo(0.1, within(EPS));
        assertThat(DoseCalibration.toMarkdown(t))
                .contains("greedy share: +0.200 per tenfold dose [95 % CI 0.200, 0.200]")
                .contains("zero width means every work at a dose had the same value");
    }

    @Test
    void figuresThatCannotBeComputedAreNotMeasuredWithTheReasonNeverZero() {
        Run r = new Run(1);
        r.work("z", 0, 0.0).work("a", 4, 0.5);
        r.extraction.put("b", new DoseCalibration.Extraction(0, 0, 0));
        r.doses.put("b", 16);
        DoseCalibration.Table t = DoseCalibration.summarize(List.of(r.run()), 0.05, 1);
        DoseCalibration.Estimate d16 = t.extraction().get(2).greedyShare();
        assertThat(d16.measured()).isFalse();
        assertThat(d16.value()).isNaN();
        assertThat(d16.notMeasured()).contains("none of the 1 dose-16 works");
        assertThat(t.greedySlope().slope().measured()).isFalse();
        assertThat(t.greedySlope().slope().notMeasured()).contains("two or more doses");
        assertThat(DoseCalibration.format(d16)).startsWith("not measured (");
        assertThat(DoseCalibration.toMap(d16)).containsEntry("value", null);
        // the works have no p-values: the test is not measured either
        assertThat(t.tests().get(0).rate().measured()).isFalse();
    }

    @Test
    void thePerWorkTestUsesAlphaOverTheCanarysDoseZeroWorksAndClopperPearson() {
        // seed 1: n₀ = 2, threshold 0.025: z1 (0.01) and a (0.02) significant, z2 and b not.
        // seed 2: z4 untested, n₀ = 1, threshold 0.05: c (0.04) significant, z3 not.
        Run r1 = new Run(1);
        r1.test("z1", 0, 0.01).test("z2", 0, 0.5).test("a", 4, 0.02).test("b", 4, 0.03);
        Run r2 = new Run(2);
        r2.test("z3", 0, 0.3).test("z4", 0, Double.NaN).test("c", 4, 0.04);
        DoseCalibration.Table t = DoseCalibration.summarize(List.of(r1.run(), r2.run()), 0.05, 1);

        DoseCalibration.TestDose fpr = t.tests().get(0);
        assertThat(fpr.tested()).isEqualTo(3);
        assertThat(fpr.untested()).isEqualTo(1);
        assertThat(fpr.significant()).isEqualTo(1);
        assertThat(fpr.rate().value()).isCloseTo(1 / 3.0, within(EPS));
        // Clopper–Pearson for 1 of 3: the low end solves Beta(1, 3)'s CDF 1 − (1 − x)³ = 0.025,
        // the high end Beta(2, 2)'s CDF 3x² − 2x³ = 0.975
        double high = fpr.rate().high();
        assertThat(fpr.rate().low()).isCloseTo(1 - Math.pow(0.975, 1 / 3.0), within(1e-6));
        assertThat(3 * high * high - 2 * high * high * high).isCloseTo(0.975, within(1e-6));
        DoseCalibration.TestDose power = t.tests().get(1);
        assertThat(power.dose()).isEqualTo(4);
        assertThat(power.significant()).isEqualTo(2);
        assertThat(power.rate().value()).isCloseTo(2 / 3.0, within(EPS));
        // 2 of 3 mirrors 1 of 3
        assertThat(power.rate().low()).isCloseTo(1 - high, within(1e-6));
        assertThat(power.rate().high()).isCloseTo(Math.pow(0.975, 1 / 3.0), within(1e-6));
        String md = DoseCalibration.toMarkdown(t);
        assertThat(md).contains("| 0 (held out) | 4 | 1 / 3 | FPR 0.333 [0.008, 0.906] |");
        assertThat(md).contains("| 4 | 3 | 2 / 3 | power 0.667 [0.094, 0.992] |");
    }

    @Test
    void featureAucIsDoseDChunksAgainstDoseZeroChunksInTheMemberDirection() {
        // nll is lower for members: memberward −nll. Dose 4 chunks {1, 2} vs dose 0 {3, 1.5}:
        // pairs (1,3) (1,1.5) (2,3) are member-like, (2,1.5) is not: AUC 3/4
        Run r = new Run(1);
        r.chunk("a", 4, 1).chunk("a", 4, 2).chunk("z", 0, 3).chunk("z", 0, 1.5);
        DoseCalibration.Table t = DoseCalibration.summarize(List.of(r.run()), 0.05, 1);
        DoseCalibration.FeatureDose f = t.features().get(0);
        assertThat(f.feature()).isEqualTo("nll");
        assertThat(f.dose()).isEqualTo(4);
        assertThat(f.auc().value()).isCloseTo(0.75, within(EPS));
        // one work a side: every resample is the same
        assertThat(f.auc().low()).isCloseTo(0.75, within(EPS));
        assertThat(f.auc().high()).isCloseTo(0.75, within(EPS));
        // fewer than 100 negatives: the threshold is the top negative (−1.5); only −1 is above
        assertThat(f.tpr().value()).isCloseTo(0.5, within(EPS));
        assertThat(DoseCalibration.toMarkdown(t))
                .contains("| nll | lower_is_member | 0.750 [0.750, 0.750] |");
    }

    /** A canary built by hand. */
    private static final class Run {
        final long seed;
        final Map<String, Integer> doses = new java.util.TreeMap<>();
        final Map<String, DoseCalibration.Extraction> extraction = new java.util.TreeMap<>();
        final List<ChunkRecord> chunks = new ArrayList<>();
        final List<MembershipStatistics.WorkStats> works = new ArrayList<>();

        Run(long seed) {
            this.seed = seed;
        }

        Run work(String id, int dose, double share) {
            doses.put(id, dose);
            extraction.put(id, new DoseCalibration.Extraction(10, share / 2, share));
            return this;
        }

        Run test(String id, int dose, double p) {
            doses.put(id, dose);
            works.add(
                    new MembershipStatistics.WorkStats(
                            id,
                            4,
                            Double.isNaN(p) ? MembershipStatistics.NOT_ENOUGH_WORK : "ok",
                            List.of(),
                            new MembershipStatistics.Aggregate(
                                    p, p, p, 0, p, p, 4, 4, List.of(), Map.of()),
                            List.of()));
            return this;
        }

        Run chunk(String id, int dose, double nll) {
            doses.put(id, dose);
            chunks.add(
                    new ChunkRecord(
                            ChunkRecord.SCHEMA_VERSION,
                            ChunkRecord.WORK,
                            id,
                            chunks.size(),
                            0,
                            10,
                            4,
                            10,
                            10,
                            8,
                            Map.of("nll", nll)));
            return this;
        }

        DoseCalibration.Run run() {
            MembershipStatistics.Result stats =
                    new MembershipStatistics.Result(
                            null, 0, 0, List.of(), List.of(), works, null, null, List.of());
            return new DoseCalibration.Run(seed, chunks, doses, stats, extraction);
        }
    }
}
