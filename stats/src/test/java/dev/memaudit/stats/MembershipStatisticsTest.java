package dev.memaudit.stats;

import static dev.memaudit.stats.testing.SyntheticChunks.controls;
import static dev.memaudit.stats.testing.SyntheticChunks.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.memaudit.core.records.ppl.ChunkRecord;
import dev.memaudit.core.records.ppl.PplStatsSettings;
import dev.memaudit.stats.MembershipStatistics.Result;
import dev.memaudit.stats.MembershipStatistics.WorkStats;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MembershipStatisticsTest {
    @Test
    void memberWorkIsSignificantAndNonMemberIsNot() {
        SplittableRandom r = new SplittableRandom(1);
        List<ChunkRecord> chunks = new ArrayList<>(controls(r, 5, 12));
        chunks.addAll(text(ChunkRecord.WORK, "member", 20, 1.5, 0.5, r));
        chunks.addAll(text(ChunkRecord.WORK, "stranger", 20, 0, 0.5, r));
        Result res = MembershipStatistics.compute(chunks, PplStatsSettings.defaults());
        WorkStats member = res.works().get(0);
        WorkStats stranger = res.works().get(1);
        assertThat(member.workId()).isEqualTo("member");
        assertThat(member.status()).isEqualTo("ok");
        // the chunk-level test is very sure; the text-level test (5 control texts) less so
        assertThat(member.aggregate().pChunks()).isLessThan(1e-3);
        assertThat(member.aggregate().pTexts()).isLessThan(0.05);
        assertThat(member.aggregate().p()).isEqualTo(member.aggregate().pTexts());
        assertThat(member.aggregate().pHolm()).isLessThan(0.05);
        assertThat(stranger.aggregate().p()).isGreaterThan(0.05);
        var nll = member.features().stream().filter(f -> f.name().equals("nll")).findFirst().get();
        assertThat(nll.orientation()).isEqualTo(Orientation.LOWER_IS_MEMBER);
        assertThat(nll.gap()).isLessThan(-0.4);
        assertThat(nll.gapCiLow()).isLessThan(nll.gap());
        assertThat(nll.gapCiHigh()).isGreaterThan(nll.gap()).isLessThan(0);
        assertThat(nll.welchP()).isLessThan(1e-6);
        assertThat(nll.mannWhitneyP()).isLessThan(1e-4);
        assertThat(nll.effectSize()).isLessThan(-1);
        var mink =
                member.features().stream()
                        .filter(f -> f.name().equals("min_k_20"))
                        .findFirst()
                        .get();
        assertThat(mink.orientation()).isEqualTo(Orientation.HIGHER_IS_MEMBER);
        assertThat(mink.welchP()).isLessThan(1e-6);
        assertThat(res.controlSplit().status()).isEqualTo("ok");
        assertThat(res.controlSplit().method()).isEqualTo("by_text");
        assertThat(res.controlSplit().suspectTexts()).hasSize(2);
        assertThat(res.controlSplit().controlTexts()).hasSize(3);
        assertThat(res.controlSplit().significant()).isFalse();
        assertThat(res.controlLeaveOneOut().tested()).isEqualTo(5);
        assertThat(res.warnings()).isEmpty();
    }

    @Test
    void tooFewControlsSayNotEnoughControlTextInsteadOfAPValue() {
        SplittableRandom r = new SplittableRandom(2);
        List<ChunkRecord> chunks = new ArrayList<>(controls(r, 2, 3));
        chunks.addAll(text(ChunkRecord.WORK, "member", 20, 1.5, 0.5, r));
        Result res = MembershipStatistics.compute(chunks, PplStatsSettings.defaults());
        assertThat(res.works().get(0).status()).isEqualTo("not enough control text");
        assertThat(res.controlSplit().status()).isEqualTo("not enough control text");
        assertThat(res.warnings()).anyMatch(w -> w.startsWith("not enough control text"));
    }

    @Test
    void oneLongControlTextIsNotAControlSet() {
        SplittableRandom r = new SplittableRandom(3);
        List<ChunkRecord> chunks = new ArrayList<>(controls(r, 1, 40));
        chunks.addAll(text(ChunkRecord.WORK, "w", 20, 0, 0.5, r));
        Result res = MembershipStatistics.compute(chunks, PplStatsSettings.defaults());
        assertThat(res.works().get(0).status()).isEqualTo("not enough control text");
    }

    @Test
    void worksThatCompressDifferentlyFromTheControlsAreWarnedAbout() {
        SplittableRandom r = new SplittableRandom(4);
        List<ChunkRecord> chunks = new ArrayList<>(controls(r, 4, 10));
        chunks.addAll(text(ChunkRecord.WORK, "repetitive", 20, 0, 0.3, r));
        Result res = MembershipStatistics.compute(chunks, PplStatsSettings.defaults());
        assertThat(res.works().get(0).warnings())
                .singleElement()
                .asString()
                .contains("repetitive and the controls differ in zlib compression ratio");
        assertThat(res.warnings()).anyMatch(w -> w.contains("the works and the controls differ"));
    }

    @Test
    void aControlTextUnlikeTheOthersIsReportedByTheLeaveOneOutCheck() {
        SplittableRandom r = new SplittableRandom(5);
        List<ChunkRecord> chunks = new ArrayList<>(controls(r, 5, 15));
        chunks.addAll(text(ChunkRecord.CONTROL, "c-odd", 15, 1.5, 0.5, r));
        chunks.addAll(text(ChunkRecord.WORK, "w", 20, 0, 0.5, r));
        Result res = MembershipStatistics.compute(chunks, PplStatsSettings.defaults());
        assertThat(res.controlLeaveOneOut().tested()).isEqualTo(6);
        assertThat(res.controlLeaveOneOut().p().get("c-odd")).isLessThan(0.05);
        assertThat(res.controlLeaveOneOut().p().get("control-0")).isGreaterThan(0.05);
        assertThat(res.warnings()).anyMatch(w -> w.contains("control text c-odd"));
    }

    @Test
    void heterogeneousControlsWidenTheTextLevelNullInsteadOfCryingWolf() {
        SplittableRandom r = new SplittableRandom(6);
        List<ChunkRecord> chunks = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            // every control text has its own level, as texts of different authors do
            chunks.addAll(text(ChunkRecord.CONTROL, "c" + t, 15, (t - 2.5) * 0.3, 0.5, r));
        }
        // a work inside the controls' spread but far from their pooled chunks
        chunks.addAll(text(ChunkRecord.WORK, "w", 20, 0.6, 0.5, r));
        Result res = MembershipStatistics.compute(chunks, PplStatsSettings.defaults());
        var agg = res.works().get(0).aggregate();
        // Since the dataset-inference halves are cut by text, the chunk-level p is no longer
        // inflated by control texts shared between the fitting and the tested half (it was < 0.01
        // with halves cut by chunk); the text-level p is still what decides.
        assertThat(agg.pChunks()).isLessThan(agg.pTexts());
        assertThat(agg.pTexts()).isGreaterThan(0.05);
        assertThat(agg.p()).isGreaterThan(0.05);
        // chunk-level, several control texts would be "significant" against the others
        long chunkLevel =
                res.controlLeaveOneOut().pChunks().values().stream()
                        .filter(p -> p != null && p < 0.05)
                        .count();
        assertThat(chunkLevel).isGreaterThanOrEqualTo(2);
    }
}
