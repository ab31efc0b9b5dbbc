package dev.memaudit.extractor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.core.error.ExitCategory;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.Json;
import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.extract.AttemptRecord;
import dev.memaudit.core.records.ppl.PplConfig;
import dev.memaudit.core.records.ppl.PplStatsSettings;
import dev.memaudit.core.records.run.SkippedRecord;
import dev.memaudit.core.run.RunFolder;
import dev.memaudit.extractor.campaign.CampaignPrompt;
import dev.memaudit.extractor.campaign.CampaignService;
import dev.memaudit.extractor.campaign.PromptSet;
import dev.memaudit.extractor.campaign.Tier;
import dev.memaudit.extractor.extract.AttemptSelection;
import dev.memaudit.extractor.extract.ExtractService;
import dev.memaudit.extractor.extract.Scheme;
import dev.memaudit.extractor.ppl.PplRunner;
import dev.memaudit.extractor.ppl.PplSettings;
import dev.memaudit.extractor.ppl.PplText;
import dev.memaudit.extractor.testing.FlakyBackend;
import dev.memaudit.index.build.IndexBuilder;
import dev.memaudit.index.scan.NgramIndex;
import dev.memaudit.model.GenerationSettings;
import dev.memaudit.model.LanguageModel;
import dev.memaudit.model.canary.CanaryConfig;
import dev.memaudit.model.canary.CanaryTrainer;
import dev.memaudit.model.canary.CorpusText;
import dev.memaudit.model.runtime.ModelLoader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failures stay failures in every model-calling stage (extract windows and attempts, sample
 * --campaign, ppl): a backend that dies after some calls stops the stage with exit 4, nothing that
 * failed is recorded, and {@code --resume} against a healthy backend ends with exactly the records
 * of an uninterrupted run. An input the backend refuses for good is a skipped item: recorded with
 * its reason, counted apart, never a try, never retried.
 */
class BackendFailureTest {
    @TempDir static Path tmp;
    static LanguageModel model;
    static NgramIndex index;
    static final Predicate<int[]> NONE = ids -> false;

    @BeforeAll
    static void setUp() throws Exception {
        Path corpus = Files.createDirectories(tmp.resolve("corpus"));
        String[] vocab = {
            "lantern", "harbour", "quiet", "ferry", "salt", "rope", "gull", "tide", "the", "a",
            "over", "under", "keeps", "sings", "old", "new", "night", "morning", "and", "with"
        };
        for (int w = 0; w < 2; w++) {
            SplittableRandom r = new SplittableRandom(300 + w);
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < 200; i++) {
                b.append(vocab[r.nextInt(vocab.length)]).append(i % 13 == 12 ? ".\n" : " ");
            }
            Files.writeString(corpus.resolve("work" + w + ".txt"), b);
        }
        new IndexBuilder(Clock.systemUTC(), m -> {})
                .build(corpus, tmp.resolve("index"), new IndexBuilder.Options(8, true, 1));
        index = NgramIndex.open(tmp.resolve("index"));
        List<CorpusText> texts = new ArrayList<>();
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

    static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }

    static ExtractService.Options extractOptions() {
        return new ExtractService.Options(
                16,
                16,
                16,
                List.of(),
                4,
                3,
                Scheme.T1,
                AttemptSelection.parse("top:3"),
                5,
                0,
                8,
                0.8,
                null);
    }

    static ExtractService.Summary extract(LanguageModel m, Path out, boolean resume) {
        return new ExtractService(Clock.systemUTC(), quiet(), false)
                .run(m, index, extractOptions(), out, resume, List.of());
    }

    /** A ledger's lines by key, as JSON trees: equal trees are equal records, key for key. */
    static Map<String, JsonNode> byKey(Path file, String... keyFields) throws IOException {
        Map<String, JsonNode> out = new TreeMap<>();
        if (!Files.exists(file)) {
            return out;
        }
        for (String line : Files.readAllLines(file)) {
            JsonNode n = Json.MAPPER.readTree(line);
            StringBuilder k = new StringBuilder();
            for (String f : keyFields) {
                k.append(n.path(f).asText()).append('/');
            }
            assertThat(out.put(k.toString(), n)).as("duplicate record %s in %s", k, file).isNull();
        }
        return out;
    }

    static MemauditException backendStop(Runnable r) {
        try {
            r.run();
        } catch (MemauditException e) {
            assertThat(e.category()).isEqualTo(ExitCategory.BACKEND);
            return e;
        }
        throw new AssertionError("the stage did not stop");
    }

    @Test
    void extractStopsAtADeadBackendAndResumesToTheUninterruptedRecords() throws Exception {
        Path whole = tmp.resolve("extract-whole");
        extract(model, whole, false);
        Map<String, JsonNode> wantAttempts =
                byKey(whole.resolve("attempts.jsonl"), "work_id", "window", "attempt");
        Map<String, JsonNode> wantWindows =
                byKey(whole.resolve("windows.jsonl"), "work_id", "window");
        assertThat(wantAttempts).hasSizeGreaterThan(20);

        // dies during window scoring, then (resumed) during the attempts
        Path cut = tmp.resolve("extract-cut");
        MemauditException first =
                backendStop(() -> extract(new FlakyBackend(model, 3, NONE), cut, false));
        assertThat(first.getMessage())
                .contains("extract (window scoring) stopped: the model backend failed")
                .contains("connection refused")
                .contains("Done: 12 of " + wantWindows.size() + " windows")
                .contains("remaining: " + (wantWindows.size() - 12))
                .contains("Nothing that failed was recorded")
                .contains("--resume");
        assertThat(byKey(cut.resolve("windows.jsonl"), "work_id", "window")).hasSize(12);
        assertThat(cut.resolve("manifest.json")).doesNotExist();

        int windowCalls = (wantWindows.size() - 12 + 3) / 4;
        MemauditException second =
                backendStop(
                        () -> extract(new FlakyBackend(model, windowCalls + 5, NONE), cut, true));
        assertThat(second.getMessage())
                .contains("extract (decoding attempts) stopped")
                .contains("of " + wantAttempts.size() + " attempts");
        Map<String, JsonNode> partial =
                byKey(cut.resolve("attempts.jsonl"), "work_id", "window", "attempt");
        assertThat(partial).isNotEmpty().hasSizeLessThan(wantAttempts.size());
        // every record written is a real try, identical to the uninterrupted run's
        partial.forEach((k, v) -> assertThat(v).as(k).isEqualTo(wantAttempts.get(k)));
        assertThat(Files.readString(cut.resolve("attempts.jsonl"))).doesNotContain("\"error\"");

        ExtractService.Summary done = extract(model, cut, true);
        assertThat(byKey(cut.resolve("windows.jsonl"), "work_id", "window")).isEqualTo(wantWindows);
        assertThat(byKey(cut.resolve("attempts.jsonl"), "work_id", "window", "attempt"))
                .isEqualTo(wantAttempts);
        assertThat(Files.readString(cut.resolve("works.json")))
                .isEqualTo(Files.readString(whole.resolve("works.json")));
        assertThat(done.attempts()).isEqualTo(wantAttempts.size());
    }

    @Test
    void anInputRefusedForGoodIsSkippedCountedApartAndNotRetried() throws Exception {
        // refuses one prefix in five (and any scored window whose ids hash so): a property of
        // the input, the same on every call
        Predicate<int[]> refuse = ids -> Math.floorMod(Arrays.hashCode(ids), 5) == 0;
        Path out = tmp.resolve("extract-refused");
        FlakyBackend backend = new FlakyBackend(model, Integer.MAX_VALUE, refuse);
        ExtractService.Summary s = extract(backend, out, false);
        List<SkippedRecord> skipped =
                Records.readAll(out.resolve("skipped.jsonl"), SkippedRecord.class);
        long skippedAttempts = skipped.stream().filter(r -> r.item().equals("attempt")).count();
        long skippedWindows = skipped.stream().filter(r -> r.item().equals("window")).count();
        assertThat(skippedAttempts).as("refused attempts").isPositive();
        assertThat(skippedWindows).as("refused windows").isPositive();
        assertThat(skipped).allSatisfy(r -> assertThat(r.reason()).contains("longer than"));

        List<AttemptRecord> tried =
                Records.readAll(out.resolve("attempts.jsonl"), AttemptRecord.class);
        Set<String> triedIds = new java.util.HashSet<>();
        tried.forEach(a -> triedIds.add(a.workId() + "#" + a.window() + "/" + a.attempt()));
        for (SkippedRecord r : skipped) {
            assertThat(triedIds).as("a skipped attempt is no try").doesNotContain(r.id());
        }
        JsonNode works = Json.MAPPER.readTree(out.resolve("works.json").toFile()).path("works");
        long total = 0;
        long skippedInWorks = 0;
        long skippedWindowsInWorks = 0;
        for (JsonNode w : works) {
            total += w.path("extract").path("attempts").path("total").asLong();
            skippedInWorks += w.path("extract").path("attempts").path("skipped").asLong();
            skippedWindowsInWorks += w.path("extract").path("skipped_windows").asLong();
        }
        assertThat(total).as("tries: attempt records only").isEqualTo(tried.size());
        assertThat(skippedInWorks).isEqualTo(skippedAttempts);
        assertThat(skippedWindowsInWorks).isEqualTo(skippedWindows);
        assertThat(s.attempts()).isEqualTo(tried.size());

        // resumed: nothing is retried (the refusal would not change)
        FlakyBackend again = new FlakyBackend(model, Integer.MAX_VALUE, refuse);
        extract(again, out, true);
        assertThat(again.calls()).as("model calls of the resumed, complete run").isZero();
        assertThat(Records.readAll(out.resolve("skipped.jsonl"), SkippedRecord.class))
                .hasSize(skipped.size());
    }

    @Test
    void aCampaignStopsAtADeadBackendAndResumesToTheUninterruptedRecords() throws Exception {
        List<CampaignPrompt> ps =
                PromptSet.build(index, model.tokenizer(), EnumSet.allOf(Tier.class), 6, null);
        GenerationSettings settings = new GenerationSettings(8, 1, 0, 1, 9, true);
        Path whole = tmp.resolve("campaign-whole");
        new CampaignService(Clock.systemUTC(), quiet(), false)
                .run(model, ps, 4, settings, 3, whole, false, List.of());
        Map<String, JsonNode> want = byKey(whole.resolve("generations.jsonl"), "id");

        Path cut = tmp.resolve("campaign-cut");
        MemauditException stop =
                backendStop(
                        () ->
                                new CampaignService(Clock.systemUTC(), quiet(), false)
                                        .run(
                                                new FlakyBackend(model, 4, NONE),
                                                ps,
                                                4,
                                                settings,
                                                3,
                                                cut,
                                                false,
                                                List.of()));
        assertThat(stop.getMessage())
                .contains("sample --campaign stopped")
                .contains("Done: 12 of " + want.size() + " samples")
                .contains("remaining: " + (want.size() - 12));
        assertThat(byKey(cut.resolve("generations.jsonl"), "id")).hasSize(12);
        new CampaignService(Clock.systemUTC(), quiet(), false)
                .run(model, ps, 4, settings, 3, cut, true, List.of());
        assertThat(byKey(cut.resolve("generations.jsonl"), "id")).isEqualTo(want);
    }

    @Test
    void pplStopsAtADeadBackendAndResumesToTheUninterruptedRecords() throws Exception {
        List<PplText> texts = new ArrayList<>();
        for (int ord = 0; ord < index.store().size(); ord++) {
            texts.add(
                    new PplText(
                            ord == 0 ? PplText.CONTROL : PplText.WORK,
                            index.store().id(ord),
                            null,
                            index.store().text(ord)));
        }
        PplSettings s = new PplSettings(32, true, 2);
        PplConfig config =
                PplConfig.ofCalibration(model.describe(), 0, 32, true, PplStatsSettings.defaults());
        Path whole = tmp.resolve("ppl-whole");
        PplRunner.run(RunFolder.open(whole, config, false), model, null, texts, s, quiet(), false);
        Map<String, JsonNode> want =
                byKey(whole.resolve("chunks.jsonl"), "set", "work_id", "chunk");
        assertThat(want).hasSizeGreaterThan(6);

        Path cut = tmp.resolve("ppl-cut");
        MemauditException stop =
                backendStop(
                        () ->
                                PplRunner.run(
                                        RunFolder.open(cut, config, false),
                                        new FlakyBackend(model, 5, NONE),
                                        null,
                                        texts,
                                        s,
                                        quiet(),
                                        false));
        // a batch is two calls (chunks, then their lowercase): 2 batches of 2 chunks done
        assertThat(stop.getMessage())
                .contains("ppl (chunk scoring) stopped")
                .contains("Done: 4 of " + want.size() + " chunks");
        assertThat(byKey(cut.resolve("chunks.jsonl"), "set", "work_id", "chunk")).hasSize(4);
        PplRunner.Summary done =
                PplRunner.run(
                        RunFolder.open(cut, config, true), model, null, texts, s, quiet(), false);
        assertThat(done.resumed()).isEqualTo(4);
        assertThat(byKey(cut.resolve("chunks.jsonl"), "set", "work_id", "chunk")).isEqualTo(want);
    }

    @Test
    void anOldAttemptLineWithAnErrorIsRefusedWithHowToRecover(@TempDir Path dir)
            throws IOException {
        // such lines were written at version 1, which is now refused by its version (the folder
        // does not resume); the error field is still refused with the reason at the current one
        Path v1 = dir.resolve("v1.jsonl");
        Files.writeString(
                v1,
                "{\"schema_version\":1,\"work_id\":\"w\",\"window\":3,\"attempt\":1,"
                        + "\"error\":\"EndpointException: connection refused\"}\n");
        assertThatThrownBy(() -> Records.readAll(v1, AttemptRecord.class))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining(v1 + ":1: ")
                .hasMessageContaining("schema_version 1 is not one this memaudit reads");
        Path f = dir.resolve("attempts.jsonl");
        Files.writeString(
                f,
                "{\"schema_version\":"
                        + AttemptRecord.SCHEMA_VERSION
                        + ",\"work_id\":\"w\",\"window\":3,\"attempt\":1,"
                        + "\"scheme\":\"t1\",\"seed\":9,\"settings\":{\"temperature\":1.0,"
                        + "\"top_k\":0,\"top_p\":1.0,\"max_new_tokens\":8},\"prefix_text\":\"x\","
                        + "\"error\":\"EndpointException: connection refused\"}\n");
        assertThatThrownBy(() -> Records.readAll(f, AttemptRecord.class))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining(f + ":1: ")
                .hasMessageContaining("is not a try")
                .hasMessageContaining("--resume");
    }
}
