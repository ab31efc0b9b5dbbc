package dev.memaudit.extractor.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.Json;
import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.extract.AttemptsNeeded;
import dev.memaudit.core.records.extract.NearRecord;
import dev.memaudit.core.records.extract.NearSummary;
import dev.memaudit.core.records.extract.WindowRecord;
import dev.memaudit.extractor.testing.Ledgers;
import dev.memaudit.extractor.window.TokenizedWork;
import dev.memaudit.extractor.window.Window;
import dev.memaudit.extractor.window.WindowPlanner;
import dev.memaudit.index.build.IndexBuilder;
import dev.memaudit.index.scan.NgramIndex;
import dev.memaudit.model.LanguageModel;
import dev.memaudit.model.ScoredSequence;
import dev.memaudit.model.canary.CanaryConfig;
import dev.memaudit.model.canary.CanaryTrainer;
import dev.memaudit.model.canary.CorpusText;
import dev.memaudit.model.runtime.ModelLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The extract stage end to end on a tiny canary (trains in seconds). */
class ExtractServiceTest {
    @TempDir static Path tmp;
    static LanguageModel model;
    static NgramIndex index;
    static List<CorpusText> texts = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        Path corpus = Files.createDirectories(tmp.resolve("corpus"));
        String[] vocab = {
            "lantern", "harbour", "quiet", "ferry", "salt", "rope", "gull", "tide", "the", "a",
            "over", "under", "keeps", "sings", "old", "new", "night", "morning", "and", "with"
        };
        for (int w = 0; w < 3; w++) {
            SplittableRandom r = new SplittableRandom(100 + w);
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < 260; i++) {
                b.append(vocab[r.nextInt(vocab.length)]).append(i % 13 == 12 ? ".\n" : " ");
            }
            Files.writeString(corpus.resolve("work" + w + ".txt"), b);
        }
        new IndexBuilder(Clock.systemUTC(), m -> {})
                .build(corpus, tmp.resolve("index"), new IndexBuilder.Options(8, true, 1));
        index = NgramIndex.open(tmp.resolve("index"));
        for (int ord = 0; ord < index.store().size(); ord++) {
            texts.add(new CorpusText(index.store().id(ord), index.store().text(ord)));
        }
        CanaryTrainer.train(
                CanaryConfig.tiny().withMembers(Set.of(texts.get(0).id())),
                texts,
                tmp.resolve("model"),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        model = ModelLoader.load(tmp.resolve("model"));
    }

    @AfterAll
    static void tearDown() throws Exception {
        model.close();
        index.close();
    }

    static ExtractService.Options options(List<Scheme> schemes, int attempts) {
        return new ExtractService.Options(
                8,
                4,
                6,
                schemes,
                5,
                attempts,
                Scheme.T1,
                AttemptSelection.parse("random:2"),
                3,
                40,
                8,
                0.8,
                null);
    }

    static ExtractService.Summary run(ExtractService.Options o, Path out, boolean resume) {
        return new ExtractService(
                        Clock.systemUTC(),
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                        false)
                .run(model, index, o, out, resume, List.of("extract"));
    }

    @Test
    void writesTheRunFolderWithOneRecordPerWindowAndAttempt() throws Exception {
        Path out = tmp.resolve("run");
        ExtractService.Summary s = run(options(List.of(), 3), out, false);
        int windows = 0;
        for (CorpusText t : texts) {
            windows +=
                    new WindowPlanner(8, 4, 6)
                            .windows(WindowPlanner.tokenize(model.tokenizer(), t.id(), t.text()))
                            .size();
        }
        assertThat(s.windows()).isEqualTo(windows);
        assertThat(s.attempts()).isEqualTo(3 * 2 * 4); // 3 works × 2 windows × (greedy + 3)
        for (String f :
                List.of(
                        "windows.jsonl",
                        "attempts.jsonl",
                        "reconstruction.jsonl",
                        "works.json",
                        "extract.json",
                        "manifest.json")) {
            assertThat(out.resolve(f)).isRegularFile();
        }
        assertThat(Ledgers.byKey(out.resolve("windows.jsonl"))).hasSize(windows);
        // Field names are the contract of docs/run-folders.md (the report reads them).
        JsonNode first =
                Json.MAPPER.readTree(Files.readAllLines(out.resolve("windows.jsonl")).get(0));
        List<String> names = new java.util.ArrayList<>();
        first.fieldNames().forEachRemaining(names::add);
        assertThat(names)
                .contains(
                        "schema_version",
                        "work_id",
                        "window",
                        "prefix_char_start",
                        "prefix_char_end",
                        "suffix_char_start",
                        "suffix_char_end",
                        "prefix_tokens",
                        "suffix_tokens",
                        "p_z",
                        "log_p_z",
                        "greedy_extractable",
                        "longest_rank1_run",
                        "attempts_needed");
        assertThat(first.path("log_p_z").path("t1").isNumber()).isTrue();
        Map<String, JsonNode> attempts = Ledgers.byKey(out.resolve("attempts.jsonl"));
        assertThat(attempts).hasSize(24);
        Map<String, Integer> nearByWork = new java.util.HashMap<>();
        for (JsonNode a : attempts.values()) {
            int n = a.path("attempt").asInt();
            // near = exact or word similarity ≥ 0.8; an exact attempt has similarity 1
            double sim = a.path("word_similarity").asDouble(Double.NaN);
            assertThat(sim).as(a.toString()).isBetween(0.0, 1.0);
            assertThat(a.path("rouge_l").asDouble(Double.NaN)).isBetween(0.0, 1.0);
            if (a.path("exact").asBoolean()) {
                assertThat(sim).isEqualTo(1.0);
            }
            assertThat(a.path("near").asBoolean())
                    .as(a.toString())
                    .isEqualTo(a.path("exact").asBoolean() || sim >= 0.8);
            if (a.path("near").asBoolean()) {
                nearByWork.merge(a.path("work_id").asText(), 1, Integer::sum);
            }
            assertThat(a.path("scheme").asText()).isEqualTo(n == 0 ? "greedy" : "t1");
            assertThat(a.path("prefix_text").asText()).isNotEmpty();
            assertThat(a.has("generated_text")).isTrue();
            assertThat(a.path("token_match_share").asDouble()).isBetween(0.0, 1.0);
            assertThat(a.path("spans").isArray()).isTrue();
            assertThat(a.path("seed").asLong())
                    .isEqualTo(
                            n == 0
                                    ? 0
                                    : ExtractService.attemptSeed(
                                            3,
                                            a.path("work_id").asText(),
                                            a.path("window").asInt(),
                                            n));
        }
        JsonNode works = Json.MAPPER.readTree(out.resolve("works.json").toFile());
        assertThat(works.path("schema_version").asInt()).isEqualTo(1);
        for (CorpusText t : texts) {
            JsonNode e = works.path("works").path(t.id()).path("extract");
            assertThat(e.path("coverage").path("0.01").asDouble()).isBetween(0.0, 1.0);
            assertThat(e.path("attempts").path("total").asInt()).isEqualTo(8);
            assertThat(e.path("attempts").path("empirical").path("n").asInt()).isEqualTo(6);
            assertThat(e.path("attempts").path("near").asInt())
                    .isEqualTo(nearByWork.getOrDefault(t.id(), 0))
                    .isGreaterThanOrEqualTo(e.path("attempts").path("exact").asInt());
            assertThat(e.path("attempts").path("empirical_near").path("n").asInt()).isEqualTo(6);
            JsonNode cov = e.path("attempts").path("coverage");
            assertThat(cov.path("windows_with_attempts").asInt()).isEqualTo(2);
            assertThat(cov.path("near").asDouble())
                    .isBetween(0.0, 1.0)
                    .isGreaterThanOrEqualTo(cov.path("exact").asDouble());
            assertThat(e.path("reconstruction").path("tokens_generated").asInt()).isPositive();
        }
        // a local model gives every rank: every window has its bits, and the easiest window of
        // the work and of the run is the one with the fewest
        double fewest = Double.POSITIVE_INFINITY;
        Map<String, Double> fewestByWork = new java.util.HashMap<>();
        for (String line : Files.readAllLines(out.resolve("windows.jsonl"))) {
            JsonNode w = Json.MAPPER.readTree(line);
            assertThat(w.has("bits_not_measured")).as(line).isFalse();
            double b = w.path("bits_to_extract").asDouble(Double.NaN);
            assertThat(b).as(line).isGreaterThanOrEqualTo(0.0);
            assertThat(w.path("bits_ranks_beyond_m").asInt(-1))
                    .isBetween(0, w.path("suffix_tokens").asInt());
            fewest = Math.min(fewest, b);
            fewestByWork.merge(w.path("work_id").asText(), b, Math::min);
        }
        for (CorpusText t : texts) {
            JsonNode e = works.path("works").path(t.id()).path("extract");
            JsonNode easiest = e.path("easiest_window");
            assertThat(easiest.path("bits").asDouble()).isEqualTo(fewestByWork.get(t.id()));
            assertThat(easiest.path("text").asText())
                    .isEqualTo(
                            dev.memaudit.core.text.CodePoints.substring(
                                    t.text(),
                                    easiest.path("suffix_char_start").asInt(),
                                    easiest.path("suffix_char_end").asInt()));
            assertThat(e.path("bits_not_measured_windows").asInt()).isZero();
        }
        JsonNode run = Json.MAPPER.readTree(out.resolve("extract.json").toFile());
        assertThat(run.path("bits_rank_cutoff").asInt()).isEqualTo(20);
        assertThat(run.path("easiest_window").path("bits").asDouble()).isEqualTo(fewest);
        assertThat(run.path("schema_version").asInt()).isEqualTo(3);
        assertThat(run.path("min_similarity").asDouble()).isEqualTo(0.8);
        assertThat(run.path("empirical").path("n").asInt()).isEqualTo(18);
        assertThat(run.path("empirical_near").path("k").asInt())
                .isEqualTo(
                        attempts.values().stream()
                                .filter(a -> a.path("attempt").asInt() > 0)
                                .filter(a -> a.path("near").asBoolean())
                                .count());
        assertThat(run.path("attempt_coverage").path("windows_with_attempts").asInt()).isEqualTo(6);
    }

    @Test
    void aRunFolderOfThePreviousAttemptsLayoutDoesNotResume() throws Exception {
        ExtractService.Options o = options(List.of(), 1);
        Path full = tmp.resolve("layout-full");
        run(o, full, false);
        // another threshold is another run
        ExtractService.Options stricter =
                new ExtractService.Options(
                        o.prefixTokens(),
                        o.suffixTokens(),
                        o.stride(),
                        o.schemes(),
                        o.batch(),
                        o.attempts(),
                        o.attemptScheme(),
                        o.attemptWindows(),
                        o.seed(),
                        o.reconstructMaxTokens(),
                        o.minWords(),
                        0.9,
                        o.works());
        assertThatThrownBy(() -> run(stricter, full, true))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining("min_similarity was 0.8, now 0.9");
        // a folder written before near attempts: its config has no min_similarity
        Path old = tmp.resolve("layout-old");
        Files.createDirectories(old);
        String cfg = Files.readString(full.resolve("run-config.json"));
        Files.writeString(
                old.resolve("run-config.json"),
                cfg.replaceAll("\"min_similarity\"\\s*:\\s*0\\.8\\s*,", ""));
        assertThatThrownBy(() -> run(o, old, true))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining("min_similarity was absent, now 0.8");
        // its attempts.jsonl of version 1 is refused by name, not read as version 2
        Path v1 = tmp.resolve("layout-v1");
        Files.createDirectories(v1);
        Files.copy(full.resolve("run-config.json"), v1.resolve("run-config.json"));
        Files.copy(full.resolve("windows.jsonl"), v1.resolve("windows.jsonl"));
        String line = Files.readAllLines(full.resolve("attempts.jsonl")).get(0);
        Files.writeString(
                v1.resolve("attempts.jsonl"),
                line.replaceFirst("\"schema_version\"\\s*:\\s*2", "\"schema_version\":1") + "\n");
        assertThatThrownBy(() -> run(o, v1, true))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining("attempts.jsonl")
                .hasMessageContaining("schema_version 1");
    }

    @Test
    void topKGivesZeroExactlyWhenATrueTokenIsOutsideTheTopK() {
        TokenizedWork tw =
                WindowPlanner.tokenize(model.tokenizer(), texts.get(1).id(), texts.get(1).text());
        List<Window> ws = new WindowPlanner(8, 4, 6).windows(tw);
        List<int[]> seqs = new ArrayList<>();
        for (Window w : ws) {
            seqs.add(tw.slice(w.prefixStart(), w.suffixEnd()));
        }
        List<ScoredSequence> scored = model.score(seqs, false);
        int[] maxRank = new int[ws.size()];
        for (int i = 0; i < ws.size(); i++) {
            for (int t = 8; t < 12; t++) {
                maxRank[i] = Math.max(maxRank[i], scored.get(i).ranks()[t]);
            }
        }
        int[] sorted = maxRank.clone();
        java.util.Arrays.sort(sorted);
        int k = Math.max(1, sorted[sorted.length / 2]);
        Scheme topK = Scheme.of(1, k, 1);
        List<WindowRecord> recs = new WindowScorer(model, List.of(topK)).score(tw, ws);
        int zero = 0;
        for (int i = 0; i < ws.size(); i++) {
            WindowRecord r = recs.get(i);
            if (maxRank[i] > k) {
                zero++;
                assertThat(r.pZ().get(topK.name())).as("window %d", i).isZero();
                assertThat(r.logPZ().get(topK.name())).isNull();
                assertThat(r.attemptsNeeded().get(topK.name()).get("0.5"))
                        .isEqualTo(AttemptsNeeded.UNREACHABLE);
            } else {
                assertThat(r.pZ().get(topK.name())).as("window %d", i).isPositive();
                // truncation only removes mass from competitors: p_z can only grow
                assertThat(r.logPZ().get(topK.name()))
                        .isGreaterThanOrEqualTo(r.logPZ().get("t1") - 1e-4);
            }
        }
        assertThat(zero).isBetween(1, ws.size() - 1);
    }

    @Test
    void resumeAfterLosingTheTailGivesTheSameRecords() throws Exception {
        ExtractService.Options o = options(List.of(Scheme.parse("t0.8_k50")), 2);
        Path full = tmp.resolve("full");
        run(o, full, false);
        Path cut = tmp.resolve("cut");
        Files.createDirectories(cut);
        Files.copy(full.resolve("run-config.json"), cut.resolve("run-config.json"));
        List<String> windows = Files.readAllLines(full.resolve("windows.jsonl"));
        // half the windows, then a record torn by the kill
        String head = String.join("\n", windows.subList(0, windows.size() / 2)) + "\n";
        String torn = windows.get(windows.size() / 2);
        Files.writeString(cut.resolve("windows.jsonl"), head + torn.substring(0, 30));
        ExtractService.Summary s = run(o, cut, true);
        assertThat(s.resumed()).isTrue();
        assertThat(s.windowsScored()).isEqualTo(windows.size() - windows.size() / 2);
        Ledgers.assertSame(full.resolve("windows.jsonl"), cut.resolve("windows.jsonl"), 1e-4);
        Ledgers.assertSame(full.resolve("attempts.jsonl"), cut.resolve("attempts.jsonl"), 1e-4);
        assertThat(Json.MAPPER.readTree(cut.resolve("works.json").toFile()))
                .isEqualTo(Json.MAPPER.readTree(full.resolve("works.json").toFile()));

        // a second resume of a finished run does nothing new
        ExtractService.Summary again = run(o, cut, true);
        assertThat(again.windowsScored()).isZero();
        assertThat(again.attemptsRun()).isZero();

        // other settings cannot resume the run
        assertThatThrownBy(() -> run(options(List.of(), 2), cut, true))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining("cannot resume with different settings");
    }

    @Test
    void theNearBoundCoversEveryWindowAndResumesFromATornLedger() throws Exception {
        ExtractService.Options o = options(List.of(), 0).withNear(0.25, 4, 16);
        Path full = tmp.resolve("near-full");
        run(o, full, false);
        List<String> windows = Files.readAllLines(full.resolve("windows.jsonl"));
        List<String> near = Files.readAllLines(full.resolve("near.jsonl"));
        assertThat(near).hasSameSizeAs(windows);
        for (NearRecord r : Records.readAll(full.resolve("near.jsonl"), NearRecord.class)) {
            assertThat(r.epsilonTokens()).isEqualTo(1); // 25 % of 4 suffix tokens
            assertThat(r.bound()).isBetween(0.0, 1.0);
            assertThat(r.expansions()).isLessThanOrEqualTo(16);
            if (!r.budgetExhausted() && r.pZ() != null) {
                // the true suffix is within ε of itself: the bound holds p_z when the beam kept it
                assertThat(r.bound()).isGreaterThanOrEqualTo(r.pZ() * (1 - 1e-4) - 1e-12);
            }
        }
        NearSummary summary = Records.read(full.resolve("near.json"), NearSummary.class);
        assertThat(summary.settings()).isEqualTo(o.near());
        assertThat(summary.works().values().stream().mapToInt(NearSummary.Work::windows).sum())
                .isEqualTo(windows.size());

        Path cut = tmp.resolve("near-cut");
        Files.createDirectories(cut);
        for (String f : List.of("run-config.json", "windows.jsonl", "attempts.jsonl")) {
            if (Files.exists(full.resolve(f))) {
                Files.copy(full.resolve(f), cut.resolve(f));
            }
        }
        String head = String.join("\n", near.subList(0, near.size() / 2)) + "\n";
        Files.writeString(
                cut.resolve("near.jsonl"), head + near.get(near.size() / 2).substring(0, 25));
        run(o, cut, true);
        Ledgers.assertSame(full.resolve("near.jsonl"), cut.resolve("near.jsonl"), 1e-4);
        assertThat(Json.MAPPER.readTree(cut.resolve("near.json").toFile()))
                .isEqualTo(Json.MAPPER.readTree(full.resolve("near.json").toFile()));
    }
}
