package dev.memaudit.model.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.model.ScoredSequence;
import dev.memaudit.model.http.EndpointConfig;
import dev.memaudit.model.http.OpenAiCompletionsModel;
import dev.memaudit.model.runtime.Architecture;
import dev.memaudit.model.runtime.DjlLanguageModel;
import dev.memaudit.model.runtime.ModelLoader;
import dev.memaudit.model.testing.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several {@code serve} instances of one model as replicas: requests spread over them, the same
 * numbers as one replica, a replica that stops is dropped while the run goes on, and a server that
 * is not a replica is refused, naming what differs.
 */
class ReplicaServeTest {
    private static final int VOCAB = 300;
    @TempDir static Path tmp;
    private static final List<AutoCloseable> open = new ArrayList<>();
    private static Path weights;
    private static Path otherWeights;

    @BeforeAll
    static void models() throws Exception {
        weights = tmp.resolve("a");
        otherWeights = tmp.resolve("b");
        TinyModels.write(weights, TinyModels.config(Architecture.LLAMA, "gqa", VOCAB), 3, 0.5);
        TinyModels.write(otherWeights, TinyModels.config(Architecture.LLAMA, "gqa", VOCAB), 4, 0.5);
        // other weights, the same tokenizer: only the numbers can tell them apart
        Files.copy(
                weights.resolve("tokenizer.json"),
                otherWeights.resolve("tokenizer.json"),
                StandardCopyOption.REPLACE_EXISTING);
    }

    @AfterAll
    static void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private static CompletionsServer serve(Path dir, String name) {
        DjlLanguageModel m = ModelLoader.load(dir);
        open.add(m);
        CompletionsServer s = CompletionsServer.start(m, ServeOptions.defaults(name).withPort(0));
        open.add(s);
        return s;
    }

    private static EndpointConfig config(CompletionsServer s) {
        return EndpointConfig.of(s.uri(), null, null, null)
                .withRetries(2, Duration.ofMillis(10), Duration.ofMillis(50));
    }

    private static List<int[]> sequences(int n) {
        Random r = new Random(11);
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] ids = new int[6 + r.nextInt(20)];
            for (int j = 0; j < ids.length; j++) {
                ids[j] = 3 + r.nextInt(VOCAB - 3);
            }
            out.add(ids);
        }
        return out;
    }

    private static void assertSameScores(List<ScoredSequence> a, List<ScoredSequence> b) {
        assertThat(a).hasSameSizeAs(b);
        for (int i = 0; i < a.size(); i++) {
            assertThat(b.get(i).logprobs())
                    .as("sequence %d", i)
                    .containsExactly(a.get(i).logprobs());
            assertThat(b.get(i).ranks()).as("sequence %d", i).containsExactly(a.get(i).ranks());
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> replicas(OpenAiCompletionsModel m) {
        return (List<Map<String, Object>>) m.manifestSection().get("replicas");
    }

    @Test
    void spreadsRequestsAndGivesTheNumbersOfOneReplica() {
        CompletionsServer a = serve(weights, "tiny");
        CompletionsServer b = serve(weights, "tiny");
        List<int[]> seqs = sequences(96);
        try (OpenAiCompletionsModel one = OpenAiCompletionsModel.open(config(a));
                OpenAiCompletionsModel two =
                        OpenAiCompletionsModel.open(List.of(config(a), config(b)))) {
            assertSameScores(one.score(seqs, false), two.score(seqs, false));
            List<Map<String, Object>> rs = replicas(two);
            assertThat(rs).hasSize(2);
            assertThat(rs)
                    .allSatisfy(
                            r -> {
                                assertThat((Long) r.get("answered")).isPositive();
                                assertThat(r.get("dropped")).isEqualTo(false);
                            });
            assertThat(two.identity()).isEqualTo(one.identity());
            assertThat(two.address()).contains(a.uri().toString().replaceAll("/$", ""));
        }
    }

    @Test
    void aReplicaThatStopsIsDroppedAndTheOthersCarryOn() {
        CompletionsServer a = serve(weights, "tiny");
        CompletionsServer b = serve(weights, "tiny");
        List<int[]> seqs = sequences(64);
        try (OpenAiCompletionsModel one = OpenAiCompletionsModel.open(config(a));
                OpenAiCompletionsModel two =
                        OpenAiCompletionsModel.open(List.of(config(a), config(b)))) {
            List<ScoredSequence> expected = one.score(seqs, false);
            assertSameScores(expected, two.score(seqs, false));
            b.close();
            for (int round = 0; round < 4; round++) {
                assertSameScores(expected, two.score(seqs, false));
            }
            List<Map<String, Object>> rs = replicas(two);
            assertThat(rs.get(0).get("dropped")).isEqualTo(false);
            assertThat(rs.get(1).get("dropped"))
                    .asString()
                    .contains("requests in a row failed")
                    .contains(b.uri().getHost());
            assertThat((Long) rs.get(1).get("faults")).isGreaterThan(2);
        }
    }

    @Test
    void refusesAServerWithOtherWeightsUnderTheSameName() {
        CompletionsServer a = serve(weights, "tiny");
        CompletionsServer other = serve(otherWeights, "tiny");
        assertThatThrownBy(() -> OpenAiCompletionsModel.open(List.of(config(a), config(other))))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining("is not a replica of")
                .hasMessageContaining("log-probs differ");
    }

    @Test
    void refusesAServerThatServesAnotherName() {
        CompletionsServer a = serve(weights, "tiny");
        CompletionsServer other = serve(weights, "tiny-2");
        assertThatThrownBy(() -> OpenAiCompletionsModel.open(List.of(config(a), config(other))))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining("is not a replica of")
                .hasMessageContaining("served model is tiny-2 where");
    }

    @Test
    void refusesTheSameEndpointTwice() {
        CompletionsServer a = serve(weights, "tiny");
        assertThatThrownBy(() -> OpenAiCompletionsModel.open(List.of(config(a), config(a))))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining("is given twice");
    }
}
