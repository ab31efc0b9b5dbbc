package dev.memaudit.extractor.extract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.core.io.Json;
import dev.memaudit.extractor.testing.SampleCanary;
import dev.memaudit.index.scan.NgramIndex;
import dev.memaudit.model.runtime.DjlLanguageModel;
import dev.memaudit.model.runtime.ModelLoader;
import dev.memaudit.stats.ClopperPearson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Extraction figures on the shared canary, asserted with margins against its known membership.
 * Canary: {@code SampleCanary}, member-only (non-members out of distribution): a pipeline check,
 * not evidence of a method's power in a real audit.
 */
class ExtractCanaryIT {
    @TempDir Path tmp;

    static final List<String> MEMBERS = List.of("kiln-weather", "tin-roof-hymns");
    static final List<String> NON_MEMBERS = List.of("the-salt-ledger", "brass-and-birch");

    @Test
    void membersAreExtractableAndNonMembersAreNot() throws Exception {
        List<String> works = new ArrayList<>(MEMBERS);
        works.addAll(NON_MEMBERS);
        ExtractService.Options o =
                new ExtractService.Options(
                        32,
                        32,
                        32,
                        List.of(Scheme.parse("t1_k5")),
                        16,
                        4,
                        Scheme.T1,
                        AttemptSelection.parse("top:3"),
                        1,
                        256,
                        12,
                        0.8,
                        works);
        Path out = tmp.resolve("run");
        try (DjlLanguageModel m = ModelLoader.load(SampleCanary.modelDir());
                NgramIndex idx = NgramIndex.open(SampleCanary.indexDir())) {
            new ExtractService(Clock.systemUTC(), quiet(), false)
                    .run(m, idx, o, out, false, List.of());
        }
        JsonNode w = Json.MAPPER.readTree(out.resolve("works.json").toFile()).path("works");
        for (String id : MEMBERS) {
            JsonNode e = w.path(id).path("extract");
            System.err.println(id + " " + e);
            assertThat(e.path("greedy_extractable_share").asDouble()).as(id).isGreaterThan(0.8);
            assertThat(e.path("p_z").path("median").asDouble()).as(id).isGreaterThan(0.5);
            assertThat(e.path("coverage").path("0.5").asDouble()).as(id).isGreaterThan(0.6);
            assertThat(e.path("coverage").path("0.01").asDouble()).as(id).isGreaterThan(0.8);
            assertThat(e.path("longest_extractable").path("tokens").asInt()).isGreaterThan(200);
            assertThat(e.path("attempts").path("greedy_exact").asInt()).isEqualTo(3);
            assertThat(e.path("attempts").path("empirical").path("rate").asDouble())
                    .isGreaterThan(0.5);
            assertThat(e.path("reconstruction").path("tokens_in_order").asInt()).isGreaterThan(64);
        }
        for (String id : NON_MEMBERS) {
            JsonNode e = w.path(id).path("extract");
            System.err.println(id + " " + e);
            assertThat(e.path("greedy_extractable_windows").asInt()).as(id).isZero();
            assertThat(e.path("p_z").path("max").asDouble()).as(id).isLessThan(1e-6);
            assertThat(e.path("coverage").path("0.01").asDouble()).as(id).isZero();
            assertThat(e.path("attempts").path("exact").asInt()).as(id).isZero();
            assertThat(e.path("reconstruction").path("tokens_in_order").asInt()).isLessThan(16);
        }
        // a member's greedy continuation is found verbatim in that member by the index scan
        boolean found = false;
        for (String line : java.nio.file.Files.readAllLines(out.resolve("attempts.jsonl"))) {
            JsonNode a = Json.MAPPER.readTree(line);
            if (a.path("exact").asBoolean() && MEMBERS.contains(a.path("work_id").asText())) {
                for (JsonNode s : a.path("spans")) {
                    found |= s.path("work_id").asText().equals(a.path("work_id").asText());
                }
            }
        }
        assertThat(found).isTrue();
    }

    /**
     * p_z from the teacher-forced pass agrees with the share of exact extractions among seeded
     * samples: for every window with attempts, p_z lies in the 99.9% Clopper–Pearson interval of k
     * exact samples out of n (with 10 windows, a false alarm has probability about 1%).
     */
    @Test
    void pzAgreesWithTheEmpiricalFrequencyOfSeededSamples() throws Exception {
        ExtractService.Options o =
                new ExtractService.Options(
                        16,
                        12,
                        16,
                        List.of(Scheme.parse("t1.6")),
                        16,
                        60,
                        Scheme.parse("t1.6"),
                        AttemptSelection.parse("random:5"),
                        17,
                        0,
                        12,
                        0.8,
                        MEMBERS);
        Path out = tmp.resolve("calibration");
        try (DjlLanguageModel m = ModelLoader.load(SampleCanary.modelDir());
                NgramIndex idx = NgramIndex.open(SampleCanary.indexDir())) {
            new ExtractService(Clock.systemUTC(), quiet(), false)
                    .run(m, idx, o, out, false, List.of());
        }
        Map<String, Double> pz = new TreeMap<>();
        for (String line : java.nio.file.Files.readAllLines(out.resolve("windows.jsonl"))) {
            JsonNode r = Json.MAPPER.readTree(line);
            pz.put(
                    r.path("work_id").asText() + "/" + r.path("window").asInt(),
                    r.path("p_z").path("t1.6").asDouble());
        }
        Map<String, int[]> kn = new TreeMap<>();
        for (String line : java.nio.file.Files.readAllLines(out.resolve("attempts.jsonl"))) {
            JsonNode a = Json.MAPPER.readTree(line);
            if (a.path("attempt").asInt() == 0) {
                continue;
            }
            int[] c =
                    kn.computeIfAbsent(
                            a.path("work_id").asText() + "/" + a.path("window").asInt(),
                            k -> new int[2]);
            c[0] += a.path("exact").asBoolean() ? 1 : 0;
            c[1]++;
        }
        assertThat(kn).hasSize(10);
        int midRange = 0;
        for (Map.Entry<String, int[]> e : kn.entrySet()) {
            double p = pz.get(e.getKey());
            int k = e.getValue()[0];
            int n = e.getValue()[1];
            ClopperPearson.Interval ci = ClopperPearson.interval(k, n, 0.999);
            System.err.printf(
                    Locale.ROOT,
                    "%s: p_z %.4f, %d/%d exact, 99.9%% CI [%.4f, %.4f]%n",
                    e.getKey(),
                    p,
                    k,
                    n,
                    ci.low(),
                    ci.high());
            assertThat(n).isEqualTo(60);
            assertThat(ci.contains(p)).as(e.getKey()).isTrue();
            if (p > 0.05 && p < 0.95) {
                midRange++;
            }
        }
        // the check has teeth only where p_z is neither 0 nor 1
        assertThat(midRange).isGreaterThanOrEqualTo(3);
    }

    private static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }
}
