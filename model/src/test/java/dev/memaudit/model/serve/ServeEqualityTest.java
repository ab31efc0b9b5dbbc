package dev.memaudit.model.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.memaudit.core.error.ExitCategory;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.model.Generation;
import dev.memaudit.model.GenerationSettings;
import dev.memaudit.model.ScoredSequence;
import dev.memaudit.model.http.EndpointConfig;
import dev.memaudit.model.http.OpenAiCompletionsModel;
import dev.memaudit.model.http.ServerTokenizer;
import dev.memaudit.model.runtime.Architecture;
import dev.memaudit.model.runtime.DjlLanguageModel;
import dev.memaudit.model.runtime.ModelLoader;
import dev.memaudit.model.testing.TinyModels;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same numbers through {@code serve} + the HTTP backend as from the local model. */
class ServeEqualityTest {
    private static final int VOCAB = 300;
    @TempDir static Path tmp;
    private static DjlLanguageModel local;
    private static CompletionsServer server;
    private static OpenAiCompletionsModel remote;

    @BeforeAll
    static void start() throws Exception {
        Path dir = tmp.resolve("llama");
        TinyModels.write(dir, TinyModels.config(Architecture.LLAMA, "gqa", VOCAB), 3, 0.5);
        local = ModelLoader.load(dir);
        server =
                CompletionsServer.start(
                        local, ServeOptions.defaults("tiny").withPort(0).withBearerToken("s3cret"));
        remote = OpenAiCompletionsModel.open(EndpointConfig.of(server.uri(), null, "s3cret", null));
    }

    @AfterAll
    static void stop() {
        if (remote != null) {
            remote.close();
        }
        server.close();
        local.close();
    }

    private static List<int[]> texts() {
        return List.of(
                local.tokenizer().encodeIds("the cat sat on the mat and looked around quietly"),
                local.tokenizer().encodeIds("numbers 12 34 and words, then more words"),
                new int[] {5, 9});
    }

    @Test
    void probesAServeInstanceAsFullyCapable() {
        Map<String, Object> m = remote.manifestSection();
        assertThat(m)
                .containsEntry("scoring", "vLLM prompt_logprobs")
                .containsEntry("model_name", "tiny")
                .containsEntry("seed_reproducible", "yes")
                .containsEntry("exact_ranks_up_to", "all")
                .containsEntry("full_distribution", false)
                .containsEntry("generated_token_ids", "server token ids")
                .containsEntry("scoring_max_tokens", 0)
                .containsEntry("prompts_per_request", 16)
                .containsEntry("generation_batching", "prompt arrays with per-row seeds")
                .containsEntry("generation_logprobs", 0);
        assertThat(m.toString()).doesNotContain("s3cret");
        assertThat(remote.maxSequenceLength()).isEqualTo(local.maxSequenceLength());
        assertThat(remote.vocabSize()).isEqualTo(local.vocabSize());
    }

    @Test
    void scoresMatchTheLocalModel() {
        GenerationSettings greedy = GenerationSettings.greedy(4);
        List<ScoredSequence> a = local.score(texts(), false, greedy);
        List<ScoredSequence> b = remote.score(texts(), true, greedy);
        for (int s = 0; s < a.size(); s++) {
            assertThat(b.get(s).tokenIds()).isEqualTo(a.get(s).tokenIds());
            assertThat(b.get(s).ranks()).isEqualTo(a.get(s).ranks());
            for (int i = 1; i < a.get(s).length(); i++) {
                assertThat((double) b.get(s).logprobs()[i])
                        .isCloseTo(a.get(s).logprobs()[i], within(1e-4));
                assertThat(b.get(s).schemeLogprobs()[i]).isEqualTo(a.get(s).schemeLogprobs()[i]);
                // no server gives the full distribution: not measurable, never guessed
                assertThat(b.get(s).means()[i]).isNaN();
                assertThat(b.get(s).variances()[i]).isNaN();
            }
        }
    }

    @Test
    void topKSchemeLogprobsAreExactWithinTheReturnedList() {
        GenerationSettings scheme = new GenerationSettings(4, 0.7, 10, 0.9, 0, true);
        List<ScoredSequence> a = local.score(texts(), false, scheme);
        List<ScoredSequence> b = remote.score(texts(), false, scheme);
        for (int s = 0; s < a.size(); s++) {
            for (int i = 1; i < a.get(s).length(); i++) {
                float want = a.get(s).schemeLogprobs()[i];
                float got = b.get(s).schemeLogprobs()[i];
                if (Float.isInfinite(want)) {
                    assertThat(got).isEqualTo(want);
                } else {
                    assertThat((double) got).isCloseTo(want, within(1e-4));
                }
            }
        }
        // top-k larger than the returned list: not determined
        GenerationSettings wide = new GenerationSettings(4, 0.7, 0, 0.9, 0, true);
        assertThat(remote.score(texts(), false, wide).get(0).schemeLogprobs()[1]).isNaN();
    }

    @Test
    void generationMatchesTheLocalModelRowByRow() {
        List<int[]> prefixes = List.of(texts().get(0), texts().get(2), new int[0]);
        long[] seeds = {11, 12, 13};
        for (GenerationSettings s :
                List.of(
                        GenerationSettings.greedy(6),
                        new GenerationSettings(6, 0.9, 20, 0.95, 0, false))) {
            List<Generation> a = local.generate(prefixes, seeds, s);
            List<Generation> b = remote.generate(prefixes, seeds, s);
            for (int r = 0; r < a.size(); r++) {
                assertThat(b.get(r).tokens()).as("row %d %s", r, s).isEqualTo(a.get(r).tokens());
                assertThat(b.get(r).stoppedAtEos()).isEqualTo(a.get(r).stoppedAtEos());
                for (int j = 0; j < a.get(r).tokens().length; j++) {
                    assertThat((double) b.get(r).logprobs()[j])
                            .isCloseTo(a.get(r).logprobs()[j], within(1e-4));
                }
            }
        }
    }

    @Test
    void serverTokenizerAgreesWithTheLocalOne() {
        String text = "the cat sat on the mat";
        try (OpenAiCompletionsModel viaServer =
                OpenAiCompletionsModel.open(
                        EndpointConfig.of(server.uri(), "tiny", "s3cret", null))) {
            assertThat(viaServer.tokenizer().encodeIds(text))
                    .isEqualTo(local.tokenizer().encodeIds(text));
            assertThat(viaServer.tokenizer().decode(local.tokenizer().encodeIds(text)))
                    .isEqualTo(text);
            String tricky = dev.memaudit.model.testing.TrickyText.TEXT + text;
            ServerTokenizer st = (ServerTokenizer) viaServer.tokenizer();
            for (var method : ServerTokenizer.OffsetMethod.values()) {
                st.useOffsetMethod(method);
                var enc = st.encode(tricky);
                var want = local.tokenizer().encode(tricky);
                assertThat(enc.ids()).as("%s", method).isEqualTo(want.ids());
                assertThat(enc.starts()).as("%s", method).isEqualTo(want.starts());
                assertThat(enc.ends()).as("%s", method).isEqualTo(want.ends());
            }
            // serve gives token strings (one request) and decodes lists of windows
            @SuppressWarnings("unchecked")
            Map<String, Object> tok =
                    (Map<String, Object>) viaServer.manifestSection().get("server_tokenizer");
            assertThat(tok)
                    .containsEntry("texts_offsets_from_pieces", 1L)
                    .containsEntry("texts_offsets_from_windows", 1L)
                    .containsEntry("detokenize_lists", "yes");
            // windows: probe + one list request (fewer than 512 tokens) + one per redone block
            assertThat((long) tok.get("detokenize_requests")).isBetween(3L, 40L);
        }
    }

    @Test
    void promptArraysGiveEachRowWhatItsOwnRequestGives() throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        int[] a = texts().get(0);
        int[] b = texts().get(1);
        String base =
                ", \"max_tokens\": 5, \"temperature\": 0.9, \"logprobs\": 3,"
                        + " \"return_tokens_as_token_ids\": true}";
        var both =
                json.readTree(
                        post(
                                        "/v1/completions",
                                        "{\"prompt\": ["
                                                + Arrays.toString(a)
                                                + ", "
                                                + Arrays.toString(b)
                                                + "], \"seed\": 1, \"seeds\": [7, 8]"
                                                + base,
                                        "s3cret")
                                .body());
        assertThat(both.path("seeds").toString()).isEqualTo("[7,8]");
        int[][] rows = {a, b};
        long[] seeds = {7, 8};
        for (int r = 0; r < 2; r++) {
            var alone =
                    json.readTree(
                            post(
                                            "/v1/completions",
                                            "{\"prompt\": "
                                                    + Arrays.toString(rows[r])
                                                    + ", \"seed\": "
                                                    + seeds[r]
                                                    + base,
                                            "s3cret")
                                    .body());
            var x = alone.path("choices").get(0);
            var y = both.path("choices").get(r);
            assertThat(y.path("index").asInt()).isEqualTo(r);
            assertThat(y.path("text")).isEqualTo(x.path("text"));
            assertThat(y.path("logprobs").path("tokens"))
                    .isEqualTo(x.path("logprobs").path("tokens"));
            // top lists from the batched forward: the same tokens, log-probs within 1e-4
            for (int j = 0; j < x.path("logprobs").path("top_logprobs").size(); j++) {
                var tx = x.path("logprobs").path("top_logprobs").get(j);
                var ty = y.path("logprobs").path("top_logprobs").get(j);
                assertThat(ty.size()).isEqualTo(tx.size());
                tx.fields()
                        .forEachRemaining(
                                e ->
                                        assertThat(ty.path(e.getKey()).asDouble())
                                                .isCloseTo(e.getValue().asDouble(), within(1e-4)));
            }
        }
        // without seeds every row gets seed (vLLM): identical prompts, identical samples
        var same =
                json.readTree(
                        post(
                                        "/v1/completions",
                                        "{\"prompt\": ["
                                                + Arrays.toString(a)
                                                + ", "
                                                + Arrays.toString(a)
                                                + "], \"seed\": 3"
                                                + base,
                                        "s3cret")
                                .body());
        assertThat(same.has("seeds")).isFalse();
        assertThat(same.path("choices").get(1).path("text"))
                .isEqualTo(same.path("choices").get(0).path("text"));
        assertThat(
                        post(
                                        "/v1/completions",
                                        "{\"prompt\": [[1, 2], [3, 4]], \"seeds\": [1]" + base,
                                        "s3cret")
                                .body())
                .contains("seeds must be a list of one integer per prompt");
    }

    @Test
    void samplesTravelAsPromptArrays() {
        long before = (long) remote.manifestSection().get("requests");
        List<int[]> prefixes = new java.util.ArrayList<>();
        long[] seeds = new long[12];
        for (int r = 0; r < 12; r++) {
            prefixes.add(texts().get(r % 2));
            seeds[r] = 100 + r;
        }
        GenerationSettings s = new GenerationSettings(4, 1.0, 0, 1.0, 0, false);
        List<Generation> a = local.generate(prefixes, seeds, s);
        List<Generation> b = remote.generate(prefixes, seeds, s);
        for (int r = 0; r < a.size(); r++) {
            assertThat(b.get(r).tokens()).as("row %d", r).isEqualTo(a.get(r).tokens());
        }
        long used = (long) remote.manifestSection().get("requests") - before;
        assertThat(used).as("12 rows in prompt arrays of up to 8").isEqualTo(2);
    }

    @Test
    void aWrongTokenIsABackendErrorThatDoesNotShowTheKey() {
        assertThatThrownBy(
                        () ->
                                OpenAiCompletionsModel.open(
                                        EndpointConfig.of(
                                                server.uri(), "tiny", "wrong-key-123", null)))
                .isInstanceOf(MemauditException.class)
                .satisfies(
                        e -> {
                            assertThat(((MemauditException) e).category())
                                    .isEqualTo(ExitCategory.BACKEND);
                            assertThat(e.getMessage())
                                    .contains("HTTP 401")
                                    .doesNotContain("wrong-key-123");
                        });
    }

    private static java.net.http.HttpResponse<String> post(String path, String body, String token)
            throws Exception {
        var b =
                java.net.http.HttpRequest.newBuilder(server.uri().resolve(path))
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .build()
                .send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theServerRefusesWhatItDoesNotDoWithOpenAiStyleErrors() throws Exception {
        assertThat(server.uri().getHost()).isEqualTo("127.0.0.1");
        assertThat(post("/v1/completions", "{\"prompt\": [1, 2]}", null).statusCode())
                .isEqualTo(401);
        var unknown = post("/v1/completions", "{\"prompt\": [1, 2], \"mirostat\": 2}", "s3cret");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body())
                .contains("unknown parameters: [mirostat]")
                .contains("invalid_request_error");
        var streamedLogprobs =
                post(
                        "/v1/completions",
                        "{\"prompt\": [1, 2], \"stream\": true, \"logprobs\": 1}",
                        "s3cret");
        assertThat(streamedLogprobs.statusCode()).isEqualTo(400);
        assertThat(streamedLogprobs.body()).contains("logprobs with stream are not supported");
        assertThat(post("/v1/completions", "{\"prompt\": [1, 999]}", "s3cret").body())
                .contains("prompt[1] = 999 is not a token id in 0..299");
        assertThat(
                        post("/v1/completions", "{\"prompt\": [1, 2], \"max_tokens\": 0}", "s3cret")
                                .statusCode())
                .isEqualTo(400);
        assertThat(
                        post(
                                        "/v1/completions",
                                        "{\"prompt\": [1, 2], \"max_tokens\": 500}",
                                        "s3cret")
                                .body())
                .contains("exceeds the model's 64 positions");
        StringBuilder many = new StringBuilder("{\"prompt\": [");
        for (int i = 0; i < 65; i++) {
            many.append(i == 0 ? "" : ",").append("[1, 2]");
        }
        assertThat(post("/v1/completions", many + "], \"max_tokens\": 1}", "s3cret").statusCode())
                .isEqualTo(413);
        String huge = "{\"prompt\": \"" + "a".repeat(9 << 20) + "\"}";
        assertThat(post("/v1/completions", huge, "s3cret").statusCode()).isEqualTo(413);
        // a text prompt with echo: the text comes back with per-token offsets
        var echo =
                post(
                        "/v1/completions",
                        "{\"prompt\": \"the cat\", \"echo\": true, \"logprobs\": 2, \"max_tokens\": 1, \"temperature\": 0}",
                        "s3cret");
        assertThat(echo.statusCode()).isEqualTo(200);
        var choice =
                new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(echo.body())
                        .path("choices")
                        .get(0);
        assertThat(choice.path("text").asText()).startsWith("the cat");
        assertThat(choice.path("logprobs").path("text_offset").get(0).asInt()).isZero();
        assertThat(choice.path("logprobs").path("token_logprobs").get(0).isNull()).isTrue();
        assertThat(choice.path("logprobs").path("top_logprobs").get(1).size()).isBetween(2, 3);
    }

    @Test
    void anUnlistedModelIsABackendError() {
        assertThatThrownBy(
                        () ->
                                OpenAiCompletionsModel.open(
                                        EndpointConfig.of(server.uri(), "other", "s3cret", null)))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining("does not list model 'other'");
    }
}
