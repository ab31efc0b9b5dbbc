package dev.memaudit.stats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memaudit.core.records.ppl.ChunkRecord;
import dev.memaudit.core.records.ppl.PplStatsSettings;
import dev.memaudit.stats.testing.SyntheticChunks;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CalibrationTest {
    @Test
    void separatesMembersAndCountsNonMemberFalsePositives() {
        List<Calibration.Run> runs = new ArrayList<>();
        for (long seed = 1; seed <= 3; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            List<ChunkRecord> chunks = new ArrayList<>(SyntheticChunks.controls(r, 4, 12));
            chunks.addAll(SyntheticChunks.text(ChunkRecord.WORK, "m1", 20, 1.0, 0.5, r));
            chunks.addAll(SyntheticChunks.text(ChunkRecord.WORK, "m2", 20, 1.0, 0.5, r));
            chunks.addAll(SyntheticChunks.text(ChunkRecord.WORK, "n1", 20, 0, 0.5, r));
            chunks.addAll(SyntheticChunks.text(ChunkRecord.WORK, "n2", 20, 0, 0.5, r));
            runs.add(
                    new Calibration.Run(
                            seed,
                            chunks,
                            Set.of("m1", "m2"),
                            MembershipStatistics.compute(chunks, PplStatsSettings.defaults())));
        }
        Calibration.Table t = Calibration.summarize(runs, 0.05);
        Calibration.FeatureRow nll =
                t.features().stream().filter(f -> f.feature().equals("nll")).findFirst().get();
        assertThat(nll.auc()).isGreaterThan(0.95);
        assertThat(nll.tprAtLowFpr()).isGreaterThan(0.3);
        assertThat(nll.nonMemberWelchTests()).isEqualTo(6);
        Calibration.TestRow members = t.tests().get(0);
        Calibration.TestRow non = t.tests().get(1);
        assertThat(members.tested()).isEqualTo(6);
        assertThat(members.rateHolm()).isEqualTo(1.0);
        assertThat(non.tested()).isEqualTo(6);
        assertThat(non.significantRaw()).isLessThanOrEqualTo(2);
        assertThat(Calibration.toMarkdown(t)).contains("| nll | lower_is_member |");
        assertThat(Calibration.toMap(t)).containsKey("aggregate_test");
    }
}
