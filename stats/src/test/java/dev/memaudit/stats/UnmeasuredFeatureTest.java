package dev.memaudit.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.memaudit.core.records.ppl.ChunkRecord;
import dev.memaudit.core.records.ppl.PplStatsSettings;
import dev.memaudit.stats.testing.SyntheticChunks;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A feature the backend could not measure for a chunk (absent from its record, or NaN in memory) is
 * left out of that feature's statistics: never averaged in as 0, never tested as a number, and the
 * combined test uses only features every chunk has.
 */
class UnmeasuredFeatureTest {
    private static final String F = "min_k_pp_20";

    /** {@code chunks} with F set to {@code value(i)} (null: absent; NaN kept as NaN). */
    private static List<ChunkRecord> withF(
            List<ChunkRecord> chunks, java.util.function.IntFunction<Double> value) {
        List<ChunkRecord> out = new ArrayList<>();
        for (int i = 0; i < chunks.size(); i++) {
            ChunkRecord c = chunks.get(i);
            Map<String, Double> f = new LinkedHashMap<>(c.features());
            Double v = value.apply(i);
            if (v != null) {
                f.put(F, v);
            }
            out.add(
                    new ChunkRecord(
                            c.schemaVersion(),
                            c.set(),
                            c.workId(),
                            c.chunk(),
                            c.charStart(),
                            c.charEnd(),
                            c.tokens(),
                            c.chars(),
                            c.bytes(),
                            c.zlibBytes(),
                            f));
        }
        return out;
    }

    private static MembershipStatistics.FeatureStats feature(
            MembershipStatistics.WorkStats w, String name) {
        return w.features().stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void chunksWithoutTheFeatureAreLeftOutOfItsMeanAndTests() {
        SplittableRandom r = new SplittableRandom(5);
        List<ChunkRecord> chunks =
                new ArrayList<>(
                        withF(SyntheticChunks.controls(r, 5, 12), i -> -1.0 - (i % 3) * 0.1));
        // 20 work chunks: F measured for the even ones (value 2), absent for every third odd one
        // and NaN for the others
        chunks.addAll(
                withF(
                        SyntheticChunks.text(ChunkRecord.WORK, "w", 20, 0, 0.5, r),
                        i ->
                                i % 2 == 0
                                        ? Double.valueOf(2.0)
                                        : i % 3 == 0 ? null : Double.valueOf(Double.NaN)));
        MembershipStatistics.Result res =
                MembershipStatistics.compute(chunks, PplStatsSettings.defaults());
        MembershipStatistics.WorkStats w = res.works().get(0);
        MembershipStatistics.FeatureStats f = feature(w, F);
        assertThat(f.workChunks()).isEqualTo(10);
        assertThat(f.controlChunks()).isEqualTo(60);
        // the mean of the 10 measured values, not 20 / 20 = 1 (the others counted as 0) nor NaN
        assertThat(f.workMean()).isEqualTo(2.0);
        assertThat(f.controlMean()).isCloseTo(-1.1, within(1e-12));
        assertThat(f.welchP()).isBetween(0.0, 1.0);
        // the combined test needs the feature in every chunk: F is left out of it
        assertThat(w.aggregate().features()).doesNotContain(F).contains("nll");
        assertThat(feature(w, "nll").workChunks()).isEqualTo(20);
    }

    @Test
    void aFeatureNoWorkChunkHasIsNotANumber() {
        SplittableRandom r = new SplittableRandom(6);
        List<ChunkRecord> chunks =
                new ArrayList<>(withF(SyntheticChunks.controls(r, 5, 12), i -> -1.0));
        chunks.addAll(
                withF(SyntheticChunks.text(ChunkRecord.WORK, "w", 20, 0, 0.5, r), i -> Double.NaN));
        MembershipStatistics.FeatureStats f =
                feature(
                        MembershipStatistics.compute(chunks, PplStatsSettings.defaults())
                                .works()
                                .get(0),
                        F);
        assertThat(f.workChunks()).isZero();
        assertThat(f.workMean()).isNaN();
        assertThat(f.gap()).isNaN();
        assertThat(f.welchP()).isNaN();
        assertThat(f.mannWhitneyP()).isNaN();
        // written as null (not measured), never as a number
        assertThat(MembershipStatistics.finite(f.welchP())).isNull();
    }
}
