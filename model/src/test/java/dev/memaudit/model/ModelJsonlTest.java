package dev.memaudit.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.memaudit.model.runtime.Architecture;
import dev.memaudit.model.runtime.DjlLanguageModel;
import dev.memaudit.model.runtime.ModelLoader;
import dev.memaudit.model.testing.SyntheticText;
import dev.memaudit.model.testing.TinyModels;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelJsonlTest {
    @TempDir static Path tmp;
    private static DjlLanguageModel model;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final PrintStream QUIET =
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    @BeforeAll
    static void load() throws Exception {
        Path dir = tmp.resolve("m");
        TinyModels.write(dir, TinyModels.config(Architecture.GPT_NEOX, "parallel", 300), 4, 0.3);
        model = ModelLoader.load(dir); // 64 positions
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** The model for {@code calls} calls, then a dead server (exit 4) for every call. */
    private static LanguageModel dyingAfter(int calls) {
        int[] made = {0};
        return new LanguageModel() {
            @Override
            public ModelTokenizer tokenizer() {
                return model.tokenizer();
            }

            @Override
            public String describe() {
                return "dying " + model.describe();
            }

            @Override
            public int vocabSize() {
                return model.vocabSize();
            }

            @Override
            public int maxSequenceLength() {
                return model.maxSequenceLength();
            }

            @Override
            public List<ScoredSequence> score(
                    List<int[]> sequences, boolean full, GenerationSettings scheme) {
                if (++made[0] > calls) {
                    throw dev.memaudit.core.error.MemauditException.backend(
                            "http://127.0.0.1:9: connection refused", null);
                }
                return model.score(sequences, full, scheme);
            }

            @Override
            public List<Generation> generate(
                    List<int[]> prefixes, long[] rowSeeds, GenerationSettings settings) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void close() {}
        };
    }

    @Test
    void scoreStopsAtADeadBackendKeepingWhatItWroteAndWritingNoFailure() throws Exception {
        Path in = tmp.resolve("dying-texts.jsonl");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            b.append(JSON.createObjectNode().put("id", "t" + i).put("text", SyntheticText.of(i, 8)))
                    .append('\n');
        }
        Files.writeString(in, b, StandardCharsets.UTF_8);
        Path out = tmp.resolve("dying-scores.jsonl");
        assertThatThrownBy(() -> ModelJsonl.score(dyingAfter(2), in, out, 2, QUIET))
                .isInstanceOfSatisfying(
                        dev.memaudit.core.error.MemauditException.class,
                        e ->
                                assertThat(e.category())
                                        .isEqualTo(dev.memaudit.core.error.ExitCategory.BACKEND))
                .hasMessageContaining("score stopped: the model backend failed")
                .hasMessageContaining("Done: 4 texts")
                .hasMessageContaining("Nothing that failed was recorded");
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).hasSize(4);
        for (String l : lines) {
            assertThat(JSON.readTree(l).path("nll").isNumber()).as(l).isTrue();
        }
    }

    @Test
    void scoreWritesDesignShapeAndWindowsLongTexts() throws Exception {
        Path in = tmp.resolve("texts.jsonl");
        String shortText = "The lantern keeper walked along a narrow quay.";
        String longText = SyntheticText.of(3, 120); // longer than the 64-token context
        Files.writeString(
                in,
                JSON.createObjectNode().put("id", "a").put("text", shortText)
                        + "\n"
                        + "not json\n"
                        + JSON.createObjectNode().put("id", "b").put("text", longText)
                        + "\n",
                StandardCharsets.UTF_8);
        Path out = tmp.resolve("scores.jsonl");
        ModelJsonl.Summary s = ModelJsonl.score(model, in, out, 8, QUIET);
        assertThat(s.written()).isEqualTo(2);
        assertThat(s.failed()).isEqualTo(1);
        assertThat(s.failures().get(0)).contains("texts.jsonl:2");
        List<String> lines = Files.readAllLines(out);
        JsonNode a = JSON.readTree(lines.get(0));
        assertThat(a.path("id").asText()).isEqualTo("a");
        int[] ids = model.tokenizer().encodeIds(shortText);
        assertThat(a.path("token_ids").size()).isEqualTo(ids.length);
        assertThat(a.path("logprobs").get(0).isNull()).isTrue();
        assertThat(a.path("ranks").get(0).isNull()).isTrue();
        ScoredSequence direct = model.score(List.of(ids), false).get(0);
        assertThat(a.path("logprobs").get(2).asDouble())
                .isCloseTo(direct.logprobs()[2], within(1e-6));
        assertThat(a.path("nll").asDouble()).isCloseTo(direct.nll(), within(1e-6));
        JsonNode b = JSON.readTree(lines.get(1));
        int n = b.path("token_ids").size();
        assertThat(n).isGreaterThan(model.maxSequenceLength());
        assertThat(b.path("window").asInt()).isEqualTo(model.maxSequenceLength());
        for (int i = 1; i < n; i++) {
            assertThat(b.path("logprobs").get(i).asDouble()).isLessThanOrEqualTo(0);
            assertThat(b.path("ranks").get(i).asInt()).isGreaterThanOrEqualTo(1);
        }
        // tokens inside the first window equal plain scoring of that window
        int[] all = model.tokenizer().encodeIds(longText);
        ScoredSequence first =
                model.score(List.of(java.util.Arrays.copyOf(all, model.maxSequenceLength())), false)
                        .get(0);
        assertThat(b.path("logprobs").get(10).asDouble())
                .isCloseTo(first.logprobs()[10], within(1e-6));
    }

    @Test
    void sampleRecordsReproducibleSeedsPerSample() throws Exception {
        GenerationSettings settings = new GenerationSettings(6, 1.0, 0, 1, 99, false);
        List<ModelJsonl.Prompt> prompts =
                List.of(
                        new ModelJsonl.Prompt("p1", "The tide"),
                        new ModelJsonl.Prompt("p2", "Old"));
        Path out = tmp.resolve("samples.jsonl");
        ModelJsonl.Summary s = ModelJsonl.sample(model, prompts, 3, settings, 4, out, QUIET);
        assertThat(s.written()).isEqualTo(6);
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).hasSize(6);
        JsonNode fifth = JSON.readTree(lines.get(4));
        assertThat(fifth.path("id").asText()).isEqualTo("p2#1");
        assertThat(fifth.path("prompt").asText()).isEqualTo("Old");
        assertThat(fifth.path("settings").path("temperature").asDouble()).isEqualTo(1.0);
        // regenerating that one sample alone with its recorded seed gives the same tokens
        long seed = fifth.path("seed").asLong();
        Generation again =
                model.generate(
                                List.of(model.tokenizer().encodeIds("Old")),
                                new long[] {seed},
                                settings)
                        .get(0);
        int[] recorded = new int[fifth.path("token_ids").size()];
        for (int i = 0; i < recorded.length; i++) {
            recorded[i] = fifth.path("token_ids").get(i).asInt();
        }
        assertThat(again.tokens()).isEqualTo(recorded);
        assertThat(fifth.path("completion").asText()).isEqualTo(model.tokenizer().decode(recorded));
        // unconditioned samples
        Path free = tmp.resolve("free.jsonl");
        ModelJsonl.sample(model, List.of(), 2, settings, 8, free, QUIET);
        assertThat(JSON.readTree(Files.readAllLines(free).get(1)).path("id").asText())
                .isEqualTo("sample-1");
    }
}
