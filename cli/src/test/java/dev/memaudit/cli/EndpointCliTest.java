package dev.memaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.model.canary.CanaryConfig;
import dev.memaudit.model.canary.CanaryTrainer;
import dev.memaudit.model.canary.CorpusText;
import dev.memaudit.model.runtime.Architecture;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code memaudit serve} and {@code --endpoint}: the same scores and samples as the local model,
 * exit 4 when the server is down or refuses the key, and the key never printed. The keys come from
 * the surefire environment (cli/pom.xml).
 */
class EndpointCliTest {
    private static final String KEY_VAR = "MEMAUDIT_TEST_API_KEY";
    private static final String WRONG_VAR = "MEMAUDIT_TEST_WRONG_KEY";
    @TempDir static Path tmp;
    private static Path model;
    private static Path texts;
    private static Thread serve;
    private static String url;
    private static final AtomicReference<Cli.Result> serveResult = new AtomicReference<>();

    @BeforeAll
    static void trainAndServe() throws Exception {
        model = tmp.resolve("model");
        CanaryConfig cfg =
                CanaryConfig.builder()
                        .arch(Architecture.LLAMA)
                        .vocabSize(300)
                        .hidden(32)
                        .layers(1)
                        .heads(2)
                        .intermediate(64)
                        .contextLength(32)
                        .batchSize(4)
                        .steps(12)
                        .repeat(1)
                        .learningRate(5e-3)
                        .seed(7)
                        .memberFraction(0.5)
                        .build();
        CanaryTrainer.train(
                cfg,
                List.of(
                        new CorpusText("a", Cli.words(1, 400)),
                        new CorpusText("b", Cli.words(2, 400))),
                model,
                new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8));
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            jsonl.append("{\"id\":\"t")
                    .append(i)
                    .append("\",\"text\":\"")
                    .append(Cli.words(10 + i, 20 + 15 * i).replace("\n", " "))
                    .append("\"}\n");
        }
        texts = Cli.write(tmp.resolve("texts.jsonl"), jsonl.toString());
        Path ready = tmp.resolve("ready.url");
        serve =
                new Thread(
                        () ->
                                serveResult.set(
                                        Cli.run(
                                                "serve",
                                                "--model",
                                                model.toString(),
                                                "--port",
                                                "0",
                                                "--token-env",
                                                KEY_VAR,
                                                "--model-name",
                                                "canary",
                                                "--ready-file",
                                                ready.toString())));
        serve.start();
        for (int i = 0; i < 600 && !Files.exists(ready); i++) {
            Thread.sleep(50);
        }
        assertThat(ready).exists();
        Thread.sleep(50);
        url = Files.readString(ready);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        serve.interrupt();
        serve.join(10_000);
        assertThat(serveResult.get()).isNotNull();
        serveResult.get().exits(0).noStackTrace();
        assertThat(serveResult.get().err())
                .contains("serving")
                .contains("bearer token required")
                .doesNotContain(System.getenv(KEY_VAR));
    }

    @Test
    void scoreThroughServeEqualsLocalScore() throws Exception {
        Path local = tmp.resolve("local.jsonl");
        Path http = tmp.resolve("http.jsonl");
        Cli.run(
                        "score",
                        "--model",
                        model.toString(),
                        "--texts",
                        texts.toString(),
                        "--out",
                        local.toString())
                .exits(0);
        Cli.Result r =
                Cli.run(
                                "score",
                                "--endpoint",
                                url,
                                "--api-key-env",
                                KEY_VAR,
                                "--texts",
                                texts.toString(),
                                "--out",
                                http.toString())
                        .exits(0)
                        .noStackTrace();
        assertThat(r.err() + r.out()).doesNotContain(System.getenv(KEY_VAR));
        List<JsonNode> a = Cli.readJsonl(local);
        List<JsonNode> b = Cli.readJsonl(http);
        assertThat(b).hasSameSizeAs(a).hasSize(6);
        int compared = 0;
        for (int i = 0; i < a.size(); i++) {
            assertThat(b.get(i).path("id")).isEqualTo(a.get(i).path("id"));
            assertThat(b.get(i).path("token_ids")).isEqualTo(a.get(i).path("token_ids"));
            assertThat(b.get(i).path("ranks")).isEqualTo(a.get(i).path("ranks"));
            assertThat(b.get(i).path("window")).isEqualTo(a.get(i).path("window"));
            for (int j = 1; j < a.get(i).path("logprobs").size(); j++) {
                assertThat(b.get(i).path("logprobs").get(j).asDouble())
                        .isCloseTo(a.get(i).path("logprobs").get(j).asDouble(), within(1e-4));
                compared++;
            }
        }
        // the longer texts pass the 32-token context: windows are scored through the server too
        assertThat(a.get(5).has("window")).isTrue();
        assertThat(compared).isGreaterThan(100);
    }

    @Test
    void sampleThroughServeEqualsLocalSample() throws Exception {
        Path prompts = Cli.write(tmp.resolve("prompts.txt"), "ba ka\nzo mi pe\n");
        Path local = tmp.resolve("local-samples.jsonl");
        Path http = tmp.resolve("http-samples.jsonl");
        List<String> common =
                List.of(
                        "--prompts",
                        prompts.toString(),
                        "--n",
                        "3",
                        "--max-new-tokens",
                        "8",
                        "--temperature",
                        "0.9",
                        "--top-k",
                        "40",
                        "--seed",
                        "17");
        List<String> l =
                new java.util.ArrayList<>(
                        List.of("sample", "--model", model.toString(), "--out", local.toString()));
        l.addAll(common);
        List<String> h =
                new java.util.ArrayList<>(
                        List.of(
                                "sample",
                                "--endpoint",
                                url,
                                "--api-key-env",
                                KEY_VAR,
                                "--out",
                                http.toString()));
        h.addAll(common);
        Cli.run(l).exits(0);
        Cli.run(h).exits(0).noStackTrace();
        List<JsonNode> a = Cli.readJsonl(local);
        List<JsonNode> b = Cli.readJsonl(http);
        assertThat(b).hasSize(6);
        for (int i = 0; i < a.size(); i++) {
            assertThat(b.get(i).path("token_ids")).isEqualTo(a.get(i).path("token_ids"));
            assertThat(b.get(i).path("completion")).isEqualTo(a.get(i).path("completion"));
            assertThat(b.get(i).path("seed")).isEqualTo(a.get(i).path("seed"));
        }
    }

    @Test
    void aServerThatIsDownExits4WithoutShowingTheKey() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Cli.Result r =
                Cli.run(
                                "score",
                                "--endpoint",
                                "http://127.0.0.1:" + port,
                                "--api-key-env",
                                KEY_VAR,
                                "--retries",
                                "1",
                                "--texts",
                                texts.toString(),
                                "--out",
                                tmp.resolve("down.jsonl").toString())
                        .exits(4)
                        .noStackTrace();
        assertThat(r.err()).contains("cannot connect").doesNotContain(System.getenv(KEY_VAR));
    }

    @Test
    void aWrongKeyExits4WithoutShowingEitherKey() {
        Cli.Result r =
                Cli.run(
                                "score",
                                "--endpoint",
                                url,
                                "--api-key-env",
                                WRONG_VAR,
                                "--texts",
                                texts.toString(),
                                "--out",
                                tmp.resolve("wrong.jsonl").toString())
                        .exits(4)
                        .noStackTrace();
        assertThat(r.err())
                .contains("HTTP 401")
                .doesNotContain(System.getenv(WRONG_VAR))
                .doesNotContain(System.getenv(KEY_VAR));
    }

    @Test
    void modelAndEndpointAreExclusive() {
        Cli.run("score", "--texts", texts.toString(), "--out", tmp.resolve("x.jsonl").toString())
                .exits(2);
        Cli.Result r =
                Cli.run(
                                "score",
                                "--model",
                                model.toString(),
                                "--endpoint",
                                url,
                                "--texts",
                                texts.toString(),
                                "--out",
                                tmp.resolve("y.jsonl").toString())
                        .exits(2);
        assertThat(r.err()).contains("exactly one of --model");
        Cli.run(
                        "score",
                        "--endpoint",
                        url,
                        "--api-key-env",
                        "MEMAUDIT_NO_SUCH_VARIABLE",
                        "--texts",
                        texts.toString(),
                        "--out",
                        tmp.resolve("z.jsonl").toString())
                .exits(2);
    }
}
