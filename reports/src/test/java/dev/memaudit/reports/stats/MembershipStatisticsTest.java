package dev.memaudit.reports.stats;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.core.io.Json;
import dev.memaudit.reports.stats.MembershipStatistics.Result;
import dev.memaudit.reports.stats.MembershipStatistics.WorkStats;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MembershipStatisticsTest {
    /**
     * Chunks of one text; {@code shift} &gt; 0 makes them member-like (lower NLL, higher Min-K).
     */
    static List<PplChunk> text(
            String set, String id, int n, double shift, double zlibShare, SplittableRandom r) {
        List<PplChunk> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double nll = 3.0 - shift + r.nextGaussian() * 0.3;
            Map<String, Double> f = new LinkedHashMap<>();
            f.put("nll", nll);
            f.put("ppl", Math.exp(nll));
            f.put("min_k_20", -2 * nll + r.nextGaussian() * 0.2);
            int bytes = 500;
            out.add(
                    new PplChunk(
                            set,
                            id,
                            i,
                            128,
                            500,
                            bytes,
                            (int) (bytes * (zlibShare + r.nextGaussian() * 0.01)),
                            f));
        }
        return out;
    }

    static List<PplChunk> controls(SplittableRandom r, int texts, int chunksEach) {
        List<PplChunk> c = new ArrayList<>();
        for (int t = 0; t < texts; t++) {
            c.addAll(text(PplChunk.CONTROL, "control-" + t, chunksEach, 0, 0.5, r));
        }
        return c;
    }

    @Test
    void memberWorkIsSignificantAndNonMemberIsNot() {
        SplittableRandom r = new SplittableRandom(1);
        List<PplChunk> chunks = new ArrayList<>(controls(r, 5, 12));
        chunks.addAll(text(PplChunk.WORK, "member", 20, 1.5, 0.5, r));
        chunks.addAll(text(PplChunk.WORK, "stranger", 20, 0, 0.5, r));
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
    void tooFewControlsSayNotEnoughControlTextInsteadOfAPValue(@TempDir Path dir) {
        SplittableRandom r = new SplittableRandom(2);
        List<PplChunk> chunks = new ArrayList<>(controls(r, 2, 3));
        chunks.addAll(text(PplChunk.WORK, "member", 20, 1.5, 0.5, r));
        Result res = MembershipStatistics.compute(chunks, PplStatsSettings.defaults());
        assertThat(res.works().get(0).status()).isEqualTo("not enough control text");
        assertThat(res.controlSplit().status()).isEqualTo("not enough control text");
        assertThat(res.warnings()).anyMatch(w -> w.startsWith("not enough control text"));
        PplStatsFiles.write(dir, res, Map.of("member", "A Member"), Map.of("chunk_tokens", 128));
        JsonNode works = read(dir.resolve("works.json"));
        JsonNode ppl = works.path("works").path("member").path("ppl");
        assertThat(works.path("works").path("member").path("title").asText()).isEqualTo("A Member");
        assertThat(ppl.path("status").asText()).isEqualTo("not enough control text");
        assertThat(ppl.path("aggregate").path("p").isNull()).isTrue();
        assertThat(ppl.path("features").path("nll").path("welch_p").isNull()).isTrue();
        assertThat(ppl.path("features").path("nll").path("work_mean").isNumber()).isTrue();
    }

    @Test
    void oneLongControlTextIsNotAControlSet() {
        SplittableRandom r = new SplittableRandom(3);
        List<PplChunk> chunks = new ArrayList<>(controls(r, 1, 40));
        chunks.addAll(text(PplChunk.WORK, "w", 20, 0, 0.5, r));
        Result res = MembershipStatistics.compute(chunks, PplStatsSettings.defaults());
        assertThat(res.works().get(0).status()).isEqualTo("not enough control text");
    }

    @Test
    void worksThatCompressDifferentlyFromTheControlsAreWarnedAbout() {
        SplittableRandom r = new SplittableRandom(4);
        List<PplChunk> chunks = new ArrayList<>(controls(r, 4, 10));
        chunks.addAll(text(PplChunk.WORK, "repetitive", 20, 0, 0.3, r));
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
        List<PplChunk> chunks = new ArrayList<>(controls(r, 5, 15));
        chunks.addAll(text(PplChunk.CONTROL, "c-odd", 15, 1.5, 0.5, r));
        chunks.addAll(text(PplChunk.WORK, "w", 20, 0, 0.5, r));
        Result res = MembershipStatistics.compute(chunks, PplStatsSettings.defaults());
        assertThat(res.controlLeaveOneOut().tested()).isEqualTo(6);
        assertThat(res.controlLeaveOneOut().p().get("c-odd")).isLessThan(0.05);
        assertThat(res.controlLeaveOneOut().p().get("control-0")).isGreaterThan(0.05);
        assertThat(res.warnings()).anyMatch(w -> w.contains("control text c-odd"));
    }

    @Test
    void heterogeneousControlsWidenTheTextLevelNullInsteadOfCryingWolf() {
        SplittableRandom r = new SplittableRandom(6);
        List<PplChunk> chunks = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            // every control text has its own level, as texts of different authors do
            chunks.addAll(text(PplChunk.CONTROL, "c" + t, 15, (t - 2.5) * 0.3, 0.5, r));
        }
        // a work inside the controls' spread but far from their pooled chunks
        chunks.addAll(text(PplChunk.WORK, "w", 20, 0.6, 0.5, r));
        Result res = MembershipStatistics.compute(chunks, PplStatsSettings.defaults());
        var agg = res.works().get(0).aggregate();
        assertThat(agg.pChunks()).isLessThan(0.01);
        assertThat(agg.p()).isGreaterThan(0.05);
        // chunk-level, several control texts would be "significant" against the others
        long chunkLevel =
                res.controlLeaveOneOut().pChunks().values().stream()
                        .filter(p -> p != null && p < 0.05)
                        .count();
        assertThat(chunkLevel).isGreaterThanOrEqualTo(2);
    }

    @Test
    void filesFollowTheRunFolderContract(@TempDir Path dir) {
        SplittableRandom r = new SplittableRandom(6);
        List<PplChunk> chunks = new ArrayList<>(controls(r, 4, 10));
        chunks.addAll(text(PplChunk.WORK, "member", 20, 1.5, 0.5, r));
        Result res = MembershipStatistics.compute(chunks, PplStatsSettings.defaults());
        PplStatsFiles.write(dir, res, Map.of(), Map.of("chunk_tokens", 128));
        JsonNode w = read(dir.resolve("works.json"));
        assertThat(w.path("schema_version").asInt()).isEqualTo(1);
        JsonNode ppl = w.path("works").path("member").path("ppl");
        assertThat(ppl.path("chunks").asInt()).isEqualTo(20);
        assertThat(ppl.path("status").asText()).isEqualTo("ok");
        JsonNode nll = ppl.path("features").path("nll");
        for (String k :
                List.of(
                        "orientation",
                        "work_mean",
                        "control_mean",
                        "gap",
                        "gap_ci_low",
                        "gap_ci_high",
                        "effect_size",
                        "welch_p",
                        "mannwhitney_p")) {
            assertThat(nll.has(k)).as(k).isTrue();
        }
        assertThat(nll.path("orientation").asText()).isEqualTo("lower_is_member");
        JsonNode agg = ppl.path("aggregate");
        assertThat(agg.path("p").asDouble()).isLessThan(0.01);
        assertThat(agg.path("p_holm").isNumber()).isTrue();
        assertThat(agg.path("p_bh").isNumber()).isTrue();
        assertThat(agg.path("test_chunks").asInt()).isEqualTo(10);
        JsonNode p = read(dir.resolve("ppl.json"));
        assertThat(p.path("control_split").path("significant").isBoolean()).isTrue();
        assertThat(p.path("control_split").path("p").isNumber()).isTrue();
        assertThat(p.path("warnings").isArray()).isTrue();
        assertThat(p.path("alpha").asDouble()).isEqualTo(0.05);
        assertThat(p.path("seeds").path("statistics").asLong()).isEqualTo(0);
        assertThat(p.path("chunk_tokens").asInt()).isEqualTo(128);
        assertThat(p.path("conventions").path("zlib_ratio").asText()).contains("level 6");
    }

    static JsonNode read(Path f) {
        try {
            return Json.MAPPER.readTree(f.toFile());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
