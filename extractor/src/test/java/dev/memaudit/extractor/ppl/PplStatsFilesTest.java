package dev.memaudit.extractor.ppl;

import static dev.memaudit.stats.testing.SyntheticChunks.controls;
import static dev.memaudit.stats.testing.SyntheticChunks.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.core.io.Json;
import dev.memaudit.core.records.ppl.ChunkRecord;
import dev.memaudit.core.records.ppl.PplStatsSettings;
import dev.memaudit.core.records.ppl.PplSummary;
import dev.memaudit.stats.MembershipStatistics;
import dev.memaudit.stats.MembershipStatistics.Result;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ppl statistics as written into a run folder (docs/run-folders.md). */
class PplStatsFilesTest {
    static final PplStatsFiles.RunInfo INFO =
            new PplStatsFiles.RunInfo(
                    "toy",
                    null,
                    128,
                    false,
                    Map.of(),
                    new PplSummary.Run(0, 0, 0, 0, List.of(), List.of()));

    @Test
    void notEnoughControlTextIsWrittenAsNullPValues(@TempDir Path dir) {
        SplittableRandom r = new SplittableRandom(2);
        List<ChunkRecord> chunks = new ArrayList<>(controls(r, 2, 3));
        chunks.addAll(text(ChunkRecord.WORK, "member", 20, 1.5, 0.5, r));
        Result res = MembershipStatistics.compute(chunks, PplStatsSettings.defaults());
        PplStatsFiles.write(dir, res, Map.of("member", "A Member"), INFO);
        JsonNode works = read(dir.resolve("works.json"));
        JsonNode ppl = works.path("works").path("member").path("ppl");
        assertThat(works.path("works").path("member").path("title").asText()).isEqualTo("A Member");
        assertThat(ppl.path("status").asText()).isEqualTo("not enough control text");
        assertThat(ppl.path("aggregate").path("p").isNull()).isTrue();
        assertThat(ppl.path("features").path("nll").path("welch_p").isNull()).isTrue();
        assertThat(ppl.path("features").path("nll").path("work_mean").isNumber()).isTrue();
    }

    @Test
    void filesFollowTheRunFolderContract(@TempDir Path dir) {
        SplittableRandom r = new SplittableRandom(6);
        List<ChunkRecord> chunks = new ArrayList<>(controls(r, 4, 10));
        chunks.addAll(text(ChunkRecord.WORK, "member", 20, 1.5, 0.5, r));
        Result res = MembershipStatistics.compute(chunks, PplStatsSettings.defaults());
        PplStatsFiles.write(dir, res, Map.of(), INFO);
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
