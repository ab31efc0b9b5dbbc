package dev.memaudit.model.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * Ties in a server's top-log-prob list: the decoding rules (lower token id first) are applied where
 * the list determines the answer, and a tie the list cannot break (it carries values, not usable
 * ids) is not measurable, never guessed.
 */
class TopListTiesTest {
    /** Per prompt position 1..3: the target's log-prob and the listed top values. */
    private static final double[][] TOPS = {
        {-0.5, -0.5, -2.0}, // position 1: the target ties another token at the top
        {-0.4, -1.5, -2.5}, // position 2: the target is the unique top
        {-0.4, -1.5, -2.5} // position 3: the target (-1.5) is second
    };

    private static final double[] TARGET = {-0.5, -0.4, -1.5};

    private FaultServer server;

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    /** An echo server (no vLLM prompt_logprobs) answering every prompt with {@link #TOPS}. */
    private static FaultServer.Fault fake() {
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
                        out.putArray("data").addObject().put("id", "m").put("max_model_len", 64);
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
                    choice.put("text", "a");
                    choice.put("finish_reason", "length");
                    ObjectNode lp = choice.putObject("logprobs");
                    ArrayNode tokens = lp.putArray("tokens");
                    ArrayNode values = lp.putArray("token_logprobs");
                    ArrayNode tops = lp.putArray("top_logprobs");
                    if (req.path("echo").asBoolean()) {
                        JsonNode prompt = req.path("prompt");
                        for (int i = 0; i < prompt.size(); i++) {
                            tokens.add("token_id:" + prompt.get(i).asInt());
                            if (i == 0) {
                                values.addNull();
                                tops.addNull();
                                continue;
                            }
                            int row = (i - 1) % TOPS.length;
                            values.add(TARGET[row]);
                            ObjectNode top = tops.addObject();
                            for (int j = 0; j < TOPS[row].length; j++) {
                                top.put("token_id:" + (40 + j), TOPS[row][j]);
                            }
                        }
                    }
                    tokens.add("token_id:1");
                    values.add(-0.25);
                    tops.addObject().put("token_id:1", -0.25);
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
    void greedyIsMeasuredWhereTheListShowsAUniqueTopAndNotMeasuredAtATie() throws IOException {
        server = new FaultServer(fake());
        try (OpenAiCompletionsModel m = open()) {
            int[] ids = {7, 8, 9, 10};
            ScoredSequence s = m.score(List.of(ids), false, GenerationSettings.greedy(1)).get(0);
            // both tied tokens have rank 1, but greedy decoding emits only one of them, and the
            // list does not say which
            assertThat(s.ranks()).containsExactly(0, 1, 1, 2);
            assertThat(s.greedyLogprobs())
                    .containsExactly(Float.NaN, Float.NaN, 0f, Float.NEGATIVE_INFINITY);
            assertThat(s.schemeLogprobs()).containsExactly(s.greedyLogprobs());
            // without a scheme, greedy's verdict comes with every score
            assertThat(m.score(List.of(ids), false).get(0).greedyLogprobs())
                    .containsExactly(s.greedyLogprobs());
        }
    }

    @Test
    void topKIsMeasuredWhereTheTieFallsInsideTheCut() throws IOException {
        server = new FaultServer(fake());
        try (OpenAiCompletionsModel m = open()) {
            int[] ids = {7, 8, 9, 10};
            // k = 1 cuts the tie at position 1: which token stays depends on ids: not measurable
            float[] k1 =
                    m.score(List.of(ids), false, new GenerationSettings(1, 1, 1, 1, 0, true))
                            .get(0)
                            .schemeLogprobs();
            assertThat(k1[1]).isNaN();
            assertThat(k1[2]).isZero();
            assertThat(k1[3]).isEqualTo(Float.NEGATIVE_INFINITY);
            // k = 2 keeps both tied tokens: each has half the kept mass
            float[] k2 =
                    m.score(List.of(ids), false, new GenerationSettings(1, 1, 2, 1, 0, true))
                            .get(0)
                            .schemeLogprobs();
            assertThat((double) k2[1]).isCloseTo(Math.log(0.5), within(1e-6));
            double z = Math.exp(-0.4) + Math.exp(-1.5);
            assertThat((double) k2[3]).isCloseTo(-1.5 - Math.log(z), within(1e-6));
        }
    }
}
