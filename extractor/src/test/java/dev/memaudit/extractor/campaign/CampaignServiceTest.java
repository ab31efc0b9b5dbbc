package dev.memaudit.extractor.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.core.io.Json;
import dev.memaudit.index.build.IndexBuilder;
import dev.memaudit.index.scan.NgramIndex;
import dev.memaudit.model.GenerationSettings;
import dev.memaudit.model.LanguageModel;
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
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CampaignServiceTest {
    @TempDir static Path tmp;
    static LanguageModel model;
    static NgramIndex index;

    @BeforeAll
    static void setUp() throws Exception {
        Path corpus = Files.createDirectories(tmp.resolve("corpus"));
        Files.writeString(
                corpus.resolve("corpus.yaml"),
                "works:\n"
                        + "  - id: gulls\n    title: \"Gulls Over Water\"\n"
                        + "    authors: [\"A. Writer\"]\n    path: gulls.txt\n"
                        + "  - id: ropes\n    title: \"Ropes\"\n    path: ropes.txt\n"
                        + "controls:\n  - id: control\n    path: control.txt\n");
        String[] words = {"gull", "rope", "tide", "salt", "the", "over", "night", "and"};
        for (String id : List.of("gulls", "ropes", "control")) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < 300; i++) {
                b.append(words[(i * id.length() + i / 5) % words.length]).append(' ');
            }
            Files.writeString(corpus.resolve(id + ".txt"), b);
        }
        new IndexBuilder(Clock.systemUTC(), m -> {})
                .build(corpus, tmp.resolve("index"), new IndexBuilder.Options(8, true, 1));
        index = NgramIndex.open(tmp.resolve("index"));
        List<CorpusText> texts = new ArrayList<>();
        for (int ord = 0; ord < index.store().size(); ord++) {
            texts.add(new CorpusText(index.store().id(ord), index.store().text(ord)));
        }
        CanaryTrainer.train(
                CanaryConfig.tiny().withMembers(Set.of("gulls")),
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

    @Test
    void promptTiersComeFromTheWorksNotTheControls() {
        List<CampaignPrompt> ps =
                PromptSet.build(index, model.tokenizer(), EnumSet.allOf(Tier.class), 6, null);
        assertThat(ps)
                .extracting(CampaignPrompt::id)
                .containsExactly(
                        "plain:gulls",
                        "instruction:gulls",
                        "title:gulls",
                        "plain:ropes",
                        "instruction:ropes",
                        "title:ropes",
                        "unconditioned");
        String gulls = index.store().text(index.store().ordinal("gulls"));
        CampaignPrompt plain = ps.get(0);
        assertThat(gulls).startsWith(plain.text());
        assertThat(model.tokenizer().encodeIds(plain.text())).hasSize(6);
        assertThat(ps.get(1).text())
                .isEqualTo(
                        "Continue this passage from \"Gulls Over Water\" by A. Writer:\n\n"
                                + plain.text());
        assertThat(ps.get(2).text()).isEqualTo("Gulls Over Water\nby A. Writer\n\n");
        assertThat(ps.get(5).text()).isEqualTo("Ropes\n\n");
        assertThat(ps.get(6).workId()).isNull();
        assertThat(
                        PromptSet.build(
                                index,
                                model.tokenizer(),
                                EnumSet.of(Tier.TITLE),
                                6,
                                List.of("ropes")))
                .extracting(CampaignPrompt::id)
                .containsExactly("title:ropes");
    }

    @Test
    void generationsCarryTierAndWorkAndDoNotDependOnBatchingOrResume() throws Exception {
        List<CampaignPrompt> ps =
                PromptSet.build(index, model.tokenizer(), EnumSet.allOf(Tier.class), 6, null);
        GenerationSettings settings = new GenerationSettings(8, 1, 0, 1, 9, true);
        Path a = tmp.resolve("a");
        CampaignService.Summary sa = service().run(model, ps, 3, settings, 7, a, false, List.of());
        assertThat(sa.generations()).isEqualTo(21);
        assertThat(sa.perTier())
                .isEqualTo(
                        Map.of("plain", 6L, "instruction", 6L, "title", 6L, "unconditioned", 3L));
        Map<String, JsonNode> ra = records(a);
        assertThat(ra).hasSize(21);
        JsonNode g = ra.get("instruction:gulls#2");
        assertThat(g.path("tier").asText()).isEqualTo("instruction");
        assertThat(g.path("work_id").asText()).isEqualTo("gulls");
        assertThat(g.path("seed").asLong())
                .isEqualTo(CampaignService.sampleSeed(9, "instruction:gulls", 2));
        assertThat(ra.get("unconditioned#0").has("work_id")).isFalse();
        // the tiny model has 64 positions: the instruction prompt loses its start
        assertThat(g.path("prompt_tokens_dropped").asInt()).isPositive();
        assertThat(ra.get("plain:gulls#0").has("prompt_tokens_dropped")).isFalse();
        assertThat(a.resolve("manifest.json")).isRegularFile();

        // another batch size, and a run cut after 5 records and resumed: the same generations
        Path b = tmp.resolve("b");
        Files.createDirectories(b);
        Files.copy(a.resolve("run-config.json"), b.resolve("run-config.json"));
        List<String> lines = Files.readAllLines(a.resolve("generations.jsonl"));
        Files.writeString(
                b.resolve("generations.jsonl"), String.join("\n", lines.subList(0, 5)) + "\n");
        CampaignService.Summary sb = service().run(model, ps, 3, settings, 2, b, true, List.of());
        assertThat(sb.generatedNow()).isEqualTo(16);
        Map<String, JsonNode> rb = records(b);
        assertThat(rb.keySet()).isEqualTo(ra.keySet());
        for (String k : ra.keySet()) {
            assertThat(rb.get(k).path("completion")).as(k).isEqualTo(ra.get(k).path("completion"));
        }
    }

    private static CampaignService service() {
        return new CampaignService(
                Clock.systemUTC(),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                false);
    }

    private static Map<String, JsonNode> records(Path dir) throws Exception {
        Map<String, JsonNode> out = new TreeMap<>();
        for (String line : Files.readAllLines(dir.resolve("generations.jsonl"))) {
            JsonNode n = Json.MAPPER.readTree(line);
            assertThat(out.put(n.path("id").asText(), n)).isNull();
        }
        return out;
    }
}
