package dev.memaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.core.io.Json;
import dev.memaudit.model.canary.CanaryConfig;
import dev.memaudit.model.canary.CanaryTrainer;
import dev.memaudit.model.canary.CorpusText;
import dev.memaudit.model.runtime.Architecture;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backend that cannot measure a scheme, end to end: {@code memaudit serve --max-logprobs 5}
 * returns top-5 log-prob lists, which determine p_z under top-k 3 but not under top-k 20. Extract
 * through {@code --endpoint} and report: t1_k20's coverage is "not measured" with the reason in
 * windows.jsonl, works.json, works.csv, report.json and report.html, never 0; t1_k3's is a number
 * equal to what the local model gives; the expected rate of attempts sampled under t1_k20 is not
 * measured either.
 */
class UnmeasuredSchemeCliTest {
    @TempDir Path tmp;

    @Test
    void aSchemeTheServersListCannotDetermineIsNotMeasuredInEveryOutput() throws Exception {
        Path model = tmp.resolve("model");
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
        Path corpus = tmp.resolve("corpus");
        Cli.write(corpus.resolve("alpha.txt"), Cli.words(1, 120));
        Cli.write(corpus.resolve("beta.txt"), Cli.words(3, 120));
        Path index = tmp.resolve("index");
        Cli.run("index", "build", "--corpus", corpus.toString(), "--index", index.toString())
                .exits(0);

        Path run = tmp.resolve("run");
        try (InProcessServe serve =
                InProcessServe.start(
                        tmp,
                        "--model",
                        model.toString(),
                        "--model-name",
                        "canary",
                        "--max-logprobs",
                        "5")) {
            String url = serve.url;
            for (String backend : List.of("http", "local")) {
                List<String> args =
                        new java.util.ArrayList<>(
                                backend.equals("http")
                                        ? List.of(
                                                "extract",
                                                "--endpoint",
                                                url,
                                                "--model-name",
                                                "canary",
                                                "--tokenizer",
                                                model.resolve("tokenizer.json").toString())
                                        : List.of("extract", "--model", model.toString()));
                args.addAll(
                        List.of(
                                "--index",
                                index.toString(),
                                "--out",
                                (backend.equals("http")
                                                ? run.resolve("extract")
                                                : tmp.resolve("local"))
                                        .toString(),
                                "--prefix-tokens",
                                "8",
                                "--suffix-tokens",
                                "8",
                                "--scheme",
                                "t1_k3",
                                "--scheme",
                                "t1_k20",
                                "--attempts",
                                "2",
                                "--attempt-scheme",
                                "t1_k20",
                                "--attempt-windows",
                                "top:1",
                                "--seed",
                                "3"));
                Cli.Result r = Cli.run(args).exits(0).noStackTrace();
                if (backend.equals("http")) {
                    assertThat(r.out())
                            .contains("coverage under t1_k20 not measured for 2 of 2 works")
                            .doesNotContain("coverage under t1_k3 not measured");
                } else {
                    assertThat(r.out()).doesNotContain("not measured");
                }
            }
        }

        // windows.jsonl: t1_k20 absent from every map, named in not_measured with the reason
        List<JsonNode> windows = Cli.readJsonl(run.resolve("extract/windows.jsonl"));
        assertThat(windows).isNotEmpty();
        for (JsonNode w : windows) {
            assertThat(w.path("p_z").has("t1_k20")).isFalse();
            assertThat(w.path("log_p_z").has("t1_k20")).isFalse();
            assertThat(w.path("attempts_needed").has("t1_k20")).isFalse();
            assertThat(w.path("not_measured").path("t1_k20").asText())
                    .contains("top-5")
                    .contains("t1_k20");
            assertThat(w.path("p_z").path("t1_k3").isNumber()).isTrue();
            assertThat(w.path("not_measured").has("t1_k3")).isFalse();
        }

        // works.json: coverage of t1_k20 not measured, with its reason; t1_k3 as the local model
        JsonNode works = Json.MAPPER.readTree(run.resolve("extract/works.json").toFile());
        JsonNode local = Json.MAPPER.readTree(tmp.resolve("local/works.json").toFile());
        for (String id : List.of("alpha", "beta")) {
            JsonNode e = works.path("works").path(id).path("extract");
            JsonNode l = local.path("works").path(id).path("extract");
            assertThat(e.path("coverage_by_scheme").has("t1_k20")).as(id).isFalse();
            assertThat(e.path("coverage_not_measured").path("t1_k20").asText())
                    .as(id)
                    .contains("not measured for " + e.path("windows").asInt() + " of ")
                    .contains("top-5");
            assertThat(l.path("coverage_not_measured").size()).as(id).isZero();
            assertThat(l.path("coverage_by_scheme").path("t1_k20").path("0.01").isNumber())
                    .isTrue();
            for (String tau : List.of("0.5", "0.1", "0.01")) {
                assertThat(e.path("coverage_by_scheme").path("t1_k3").path(tau).asDouble())
                        .as(id + " t1_k3 " + tau)
                        .isEqualTo(l.path("coverage_by_scheme").path("t1_k3").path(tau).asDouble());
            }
            JsonNode emp = e.path("attempts").path("empirical");
            assertThat(emp.path("scheme").asText()).isEqualTo("t1_k20");
            assertThat(emp.path("n").asInt()).isEqualTo(2);
            assertThat(emp.path("expected_rate").isNull()).isTrue();
            assertThat(emp.path("not_measured").path("expected_rate").asText()).contains("t1_k20");
            assertThat(l.path("attempts").path("empirical").path("expected_rate").isNumber())
                    .isTrue();
        }

        Path report = tmp.resolve("report");
        Cli.run("report", "--run", run.toString(), "--out", report.toString())
                .exits(0)
                .noStackTrace();

        // works.csv: the t1_k20 columns say "not measured", the reasons have their own column
        List<String> csv =
                Arrays.asList(
                        Files.readString(report.resolve("works.csv"), StandardCharsets.UTF_8)
                                .split("\r\n"));
        List<String> header = Arrays.asList(csv.get(0).split(",", -1));
        int k20 = header.indexOf("extract_coverage_t1_k20_0.01");
        int k3 = header.indexOf("extract_coverage_t1_k3_0.01");
        int why = header.indexOf("extract_not_measured");
        assertThat(k20).isPositive();
        assertThat(k3).isPositive();
        assertThat(why).isPositive();
        for (String line : csv.subList(1, csv.size())) {
            List<String> cells = Arrays.asList(line.split(",", -1));
            assertThat(cells.get(k20)).as(line).isEqualTo("not measured");
            assertThat(Double.parseDouble(cells.get(k3))).isBetween(0.0, 1.0);
            assertThat(line).contains("coverage t1_k20: p_z under t1_k20 not measured");
        }

        // report.json carries the same
        JsonNode rj = Json.MAPPER.readTree(report.resolve("report.json").toFile());
        assertThat(rj.toString())
                .contains("\"coverage_not_measured\":{\"t1_k20\":\"p_z under t1_k20 not measured");

        // report.html: "not measured" with the reason, never a percentage, for t1_k20
        String html = Files.readString(report.resolve("report.html"), StandardCharsets.UTF_8);
        assertThat(html)
                .contains(
                        "<tr><th scope=\"row\">Coverage (t1_k20)</th><td class=\"na\">not"
                                + " measured: p_z under t1_k20 not measured for ")
                .contains("(t1_k3)</th><td>")
                .doesNotContain("(t1_k20)</th><td>")
                .contains("expected from p_z: not measured (p_z under t1_k20 not measured");
    }
}
