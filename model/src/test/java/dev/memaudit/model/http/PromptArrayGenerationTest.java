package dev.memaudit.model.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.memaudit.model.Generation;
import dev.memaudit.model.GenerationSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Against a vLLM-like server (prompt arrays, one {@code seed} per request, unknown fields such as
 * {@code seeds} ignored), generation rows share a request only where that cannot change them:
 * greedy rows, or sampled rows with the same seed.
 */
class PromptArrayGenerationTest {
    private FaultServer server;

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    /** A row's sample: a function of its prompt and the request's seed (none when greedy). */
    private static int[] sample(JsonNode prompt, long seed, boolean greedy) {
        int sum = 0;
        for (JsonNode t : prompt) {
            sum += t.asInt();
        }
        return new int[] {1 + sum % 40, greedy ? 7 : 1 + (int) Math.floorMod(seed, 40)};
    }

    private static String answer(FaultServer.Request r) {
        try {
            ObjectNode out = FaultServer.JSON.createObjectNode();
            if (r.path().equals("/v1/models")) {
                out.putArray("data").addObject().put("id", "m").put("max_model_len", 128);
                return out.toString();
            }
            JsonNode req = r.json();
            if (r.path().equals("/tokenize")) {
                ArrayNode t = out.putArray("tokens");
                req.path("prompt").asText().chars().forEach(c -> t.add(1 + c % 50));
                return out.toString();
            }
            JsonNode p = req.path("prompt");
            List<JsonNode> prompts = new ArrayList<>();
            if (p.isArray() && p.size() > 0 && p.get(0).isArray()) {
                p.forEach(prompts::add);
            } else {
                prompts.add(p);
            }
            ArrayNode choices = out.putArray("choices");
            boolean greedy = req.path("temperature").asDouble(1) == 0;
            for (int i = 0; i < prompts.size(); i++) {
                ObjectNode c = choices.addObject().put("index", i).put("finish_reason", "length");
                JsonNode prompt = prompts.get(i);
                if (req.has("prompt_logprobs")) {
                    ArrayNode pl = c.putArray("prompt_logprobs");
                    pl.addNull();
                    for (int j = 1; j < prompt.size(); j++) {
                        pl.addObject()
                                .putObject(prompt.get(j).asText())
                                .put("logprob", -1.5)
                                .put("rank", 2)
                                .put("decoded_token", "x");
                    }
                    c.put("text", "");
                    continue;
                }
                int[] t = sample(prompt, req.path("seed").asLong(), greedy);
                c.put("text", "ab");
                ObjectNode lp = c.putObject("logprobs");
                ArrayNode tokens = lp.putArray("tokens");
                ArrayNode values = lp.putArray("token_logprobs");
                ArrayNode tops = lp.putArray("top_logprobs");
                for (int id : t) {
                    tokens.add("token_id:" + id);
                    values.add(-0.5);
                    tops.addObject().put("token_id:" + id, -0.5);
                }
            }
            return out.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private OpenAiCompletionsModel open() throws IOException {
        server = new FaultServer(PromptArrayGenerationTest::answer);
        return OpenAiCompletionsModel.open(EndpointConfig.of(server.uri(), null, null, null));
    }

    private List<JsonNode> generationRequests(int from) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (FaultServer.Request r : server.requests().subList(from, server.requests().size())) {
            JsonNode j = r.json();
            if (j.has("max_tokens")
                    && j.path("max_tokens").asInt() > 0
                    && !j.has("echo")
                    && !j.has("prompt_logprobs")) {
                out.add(j);
            }
        }
        return out;
    }

    @Test
    void greedyRowsShareRequestsWhateverTheirSeeds() throws IOException {
        try (OpenAiCompletionsModel m = open()) {
            assertThat(m.manifestSection())
                    .containsEntry("prompts_per_request", 16)
                    .containsEntry(
                            "generation_batching",
                            "prompt arrays of greedy rows or rows sharing a seed")
                    .containsEntry("generation_logprobs", 0);
            int before = server.requests().size();
            List<int[]> prefixes = new ArrayList<>();
            long[] seeds = new long[10];
            for (int r = 0; r < 10; r++) {
                prefixes.add(new int[] {3, r});
                seeds[r] = 1000 + r;
            }
            List<Generation> g = m.generate(prefixes, seeds, GenerationSettings.greedy(2));
            for (int r = 0; r < 10; r++) {
                assertThat(g.get(r).tokens()).containsExactly(1 + (3 + r) % 40, 7);
            }
            List<JsonNode> sent = generationRequests(before);
            assertThat(sent).hasSize(2); // 8 + 2 rows
            assertThat(sent).allSatisfy(j -> assertThat(j.has("seeds")).isFalse());
        }
    }

    @Test
    void sampledRowsShareARequestOnlyWithTheirSeed() throws IOException {
        try (OpenAiCompletionsModel m = open()) {
            int before = server.requests().size();
            List<int[]> prefixes = new ArrayList<>();
            long[] seeds = {5, 5, 9, 5, 11, 9};
            for (int r = 0; r < seeds.length; r++) {
                prefixes.add(new int[] {2, r});
            }
            GenerationSettings t1 = new GenerationSettings(2, 1.0, 0, 1.0, 0, false);
            List<Generation> g = m.generate(prefixes, seeds, t1);
            for (int r = 0; r < seeds.length; r++) {
                assertThat(g.get(r).tokens())
                        .as("row %d", r)
                        .containsExactly(1 + (2 + r) % 40, 1 + (int) (seeds[r] % 40));
            }
            List<JsonNode> sent = generationRequests(before);
            assertThat(sent).hasSize(3);
            Map<Long, Integer> rows = new java.util.TreeMap<>();
            for (JsonNode j : sent) {
                assertThat(j.has("seeds")).isFalse();
                int n = j.path("prompt").get(0).isArray() ? j.path("prompt").size() : 1;
                rows.put(j.path("seed").asLong(), n);
            }
            assertThat(rows).containsExactly(Map.entry(5L, 3), Map.entry(9L, 2), Map.entry(11L, 1));
        }
    }
}
