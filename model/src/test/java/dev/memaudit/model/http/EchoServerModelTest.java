package dev.memaudit.model.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.memaudit.core.error.ExitCategory;
import dev.memaudit.model.GenerationSettings;
import dev.memaudit.model.ScoredSequence;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The backend against scripted servers that are not {@code memaudit serve}: one with echo but no
 * vLLM prompt_logprobs, one without prompt log-probs at all, and answers that lose their logprobs.
 */
class EchoServerModelTest {
    private FaultServer server;

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    /** An OpenAI-legacy server: one token per character, echo supported when {@code echoes}. */
    private static FaultServer.Fault fake(boolean echoes) {
        return (r, s) -> {
            JsonNode req;
            try {
                req = r.body().isEmpty() ? null : r.json();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            ObjectNode out = FaultServer.JSON.createObjectNode();
            int status = 200;
            switch (r.path()) {
                case "/v1/models" ->
                        out.putArray("data").addObject().put("id", "m").put("max_model_len", 128);
                case "/tokenize" -> {
                    ArrayNode t = out.putArray("tokens");
                    req.path("prompt").asText().codePoints().forEach(c -> t.add(1 + c % 50));
                }
                case "/detokenize" -> out.put("prompt", "?");
                default -> {
                    if (req.has("prompt_logprobs")) {
                        status = 400;
                        out.putObject("error").put("message", "unknown parameter prompt_logprobs");
                        break;
                    }
                    ObjectNode choice = out.putArray("choices").addObject();
                    choice.put("text", "ab");
                    choice.put("finish_reason", "length");
                    ObjectNode lp = choice.putObject("logprobs");
                    ArrayNode tokens = lp.putArray("tokens");
                    ArrayNode values = lp.putArray("token_logprobs");
                    ArrayNode tops = lp.putArray("top_logprobs");
                    if (echoes && req.path("echo").asBoolean()) {
                        JsonNode prompt = req.path("prompt");
                        for (int i = 0; i < prompt.size(); i++) {
                            tokens.add("token_id:" + prompt.get(i).asInt());
                            if (i == 0) {
                                values.addNull();
                                tops.addNull();
                            } else {
                                double v = -1 - (i % 3);
                                values.add(v);
                                tops.addObject()
                                        .put("token_id:0", -0.5)
                                        .put("token_id:" + prompt.get(i).asInt(), v);
                            }
                        }
                    }
                    for (int id : new int[] {1, 2}) {
                        tokens.add("token_id:" + id);
                        values.add(-0.25);
                        tops.addObject().put("token_id:" + id, -0.25);
                    }
                }
            }
            byte[] b = FaultServer.JSON.writeValueAsBytes(out);
            FaultServer.write(s, status, Map.of(), b, b.length);
        };
    }

    private OpenAiCompletionsModel open() {
        EndpointConfig c =
                EndpointConfig.of(server.uri(), null, null, null)
                        .withRetries(2, Duration.ofMillis(1), Duration.ofMillis(5));
        return OpenAiCompletionsModel.open(new CompletionsClient(c, d -> {}, new Random(1)));
    }

    @Test
    void echoServerScoresWithRanksExactWithinTheList() throws IOException {
        server = new FaultServer(fake(true));
        try (OpenAiCompletionsModel m = open()) {
            Map<String, Object> section = m.manifestSection();
            assertThat(section)
                    .containsEntry("scoring", "echo with logprobs")
                    .containsEntry("top_logprobs", 20)
                    .containsEntry("exact_ranks_up_to", 20)
                    .containsEntry("model_name", "m")
                    .containsEntry("seed_reproducible", "yes")
                    .containsEntry("api_key", "none");
            ScoredSequence s =
                    m.score(List.of(new int[] {7, 8, 9, 10}), false, GenerationSettings.greedy(1))
                            .get(0);
            assertThat(s.logprobs()).containsExactly(Float.NaN, -2f, -3f, -1f);
            assertThat(s.ranks()).containsExactly(0, 2, 2, 2);
            assertThat(s.schemeLogprobs())
                    .containsExactly(
                            Float.NaN,
                            Float.NEGATIVE_INFINITY,
                            Float.NEGATIVE_INFINITY,
                            Float.NEGATIVE_INFINITY);
            var g =
                    m.generate(List.of(new int[] {7}), new long[] {5}, GenerationSettings.greedy(2))
                            .get(0);
            assertThat(g.tokens()).containsExactly(1, 2);
            assertThat(g.logprobs()).containsExactly(-0.25f, -0.25f);
            // the seed travels with the row
            JsonNode last = server.requests().get(server.requests().size() - 1).json();
            assertThat(last.path("seed").asLong()).isEqualTo(5);
        }
    }

    @Test
    void aLongRunKeepsGoingAcrossTransientFaults() throws IOException {
        server = new FaultServer(fake(true));
        try (OpenAiCompletionsModel m = open()) {
            List<int[]> seqs = new java.util.ArrayList<>();
            for (int i = 0; i < 12; i++) {
                seqs.add(new int[] {3, 4, 5, 6 + i});
            }
            String busy = "{\"error\":{\"message\":\"busy\"}}";
            server.then(
                    FaultServer.status(503, Map.of("Retry-After", "0"), busy),
                    FaultServer.resetMidBody("{\"choices\": []}"),
                    FaultServer.status(429, Map.of(), busy),
                    FaultServer.truncatedJson("{\"choices\": [{\"text\": \"x\"}]}"));
            List<ScoredSequence> got = m.score(seqs, false);
            assertThat(got).hasSize(12);
            for (ScoredSequence s : got) {
                assertThat(s.logprobs()).containsExactly(Float.NaN, -2f, -3f, -1f);
            }
            assertThat(m.manifestSection().get("retries")).isEqualTo(4L);
        }
    }

    @Test
    void anAnswerThatLosesItsLogprobsIsABackendError() throws IOException {
        server = new FaultServer(fake(true));
        try (OpenAiCompletionsModel m = open()) {
            server.then(
                    FaultServer.status(
                            200,
                            Map.of(),
                            "{\"choices\":[{\"text\":\"ab\",\"finish_reason\":\"length\"}]}"));
            assertThatThrownBy(() -> m.score(List.of(new int[] {7, 8, 9}), false))
                    .isInstanceOf(EndpointException.class)
                    .hasMessageContaining("no prompt log-probs")
                    .satisfies(
                            e ->
                                    assertThat(((EndpointException) e).category())
                                            .isEqualTo(ExitCategory.BACKEND));
        }
    }

    @Test
    void aServerWithoutPromptLogprobsCannotScoreAndSaysWhy() throws IOException {
        server = new FaultServer(fake(false));
        try (OpenAiCompletionsModel m = open()) {
            assertThat(m.capabilities().promptLogprobs()).isFalse();
            assertThat(m.manifestSection())
                    .containsEntry("scoring", "not available (server returns no prompt log-probs)");
            assertThatThrownBy(() -> m.score(List.of(new int[] {7, 8}), false))
                    .isInstanceOf(EndpointException.class)
                    .hasMessageContaining("not measurable");
            // generation still works
            assertThat(
                            m.generate(
                                            List.of(new int[] {7}),
                                            new long[] {1},
                                            GenerationSettings.greedy(2))
                                    .get(0)
                                    .tokens())
                    .containsExactly(1, 2);
        }
    }
}
