package dev.memaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.core.io.Json;
import dev.memaudit.extractor.prevalence.SyntheticLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code memaudit prevalence} over corpora-sample's index and a synthetic gzip log (background from
 * the sample's controls, planted passages of its .txt works, known counts per stratum): a census
 * finds exactly the planted outputs, a killed sample run resumes to the same files, and bad input
 * fails with file, line and reason.
 */
class PrevalenceCommandTest {
    @TempDir static Path tmp;

    static Path index;
    static Path log;
    static SyntheticLog.Truth truth;

    static final List<SyntheticLog.Stratum> STRATA =
            List.of(
                    new SyntheticLog.Stratum("m-a", 0.6, 0.05),
                    new SyntheticLog.Stratum("m-b", 0.3, 0.2),
                    new SyntheticLog.Stratum("m-c", 0.1, 0.5));

    @BeforeAll
    static void indexAndLog() throws IOException {
        Path sample = Cli.repoRoot().resolve("corpora-sample");
        index = tmp.resolve("index");
        Cli.run("index", "build", "--corpus", sample.toString(), "--index", index.toString())
                .exits(0);
        List<String> background = new ArrayList<>();
        for (Path p : txt(sample.resolve("controls"))) {
            background.addAll(SyntheticLog.words(Files.readString(p, StandardCharsets.UTF_8)));
        }
        List<String> passages = new ArrayList<>();
        for (Path p : txt(sample.resolve("works"))) {
            List<String> w = SyntheticLog.words(Files.readString(p, StandardCharsets.UTF_8));
            for (int i = 0; i + 40 <= w.size(); i += 300) {
                passages.add(String.join(" ", w.subList(i + 10, i + 40)));
            }
        }
        log = tmp.resolve("outputs.jsonl.gz");
        truth = SyntheticLog.write(log, background, passages, STRATA, 60, Long.MAX_VALUE, 600, 5);
    }

    private static List<Path> txt(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
        }
    }

    private static Cli.Result prevalence(Path out, String... more) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "prevalence",
                                "--index",
                                index.toString(),
                                "--outputs",
                                log.toString(),
                                "--out",
                                out.toString(),
                                "--strata",
                                "model"));
        args.addAll(Arrays.asList(more));
        return Cli.run(args);
    }

    @Test
    void aCensusFindsExactlyThePlantedOutputs() throws IOException {
        Path out = tmp.resolve("census");
        prevalence(out).exits(0).noStackTrace();
        JsonNode p = Json.MAPPER.readTree(out.resolve("prevalence.json").toFile());
        assertThat(p.get("design").asText()).isEqualTo("census");
        long planted = 0;
        for (int h = 0; h < STRATA.size(); h++) {
            JsonNode s = p.get("by_stratum").get(h);
            assertThat(s.get("values").get(0).asText()).isEqualTo(STRATA.get(h).model());
            JsonNode share = s.get("share");
            assertThat(share.get("population").asLong()).isEqualTo(truth.outputs()[h]);
            assertThat(share.get("sampled").asLong()).isEqualTo(truth.outputs()[h]);
            assertThat(share.get("hits").asLong()).isEqualTo(truth.planted()[h]);
            planted += truth.planted()[h];
        }
        JsonNode overall = p.get("overall");
        assertThat(overall.get("population").asLong()).isEqualTo(600);
        assertThat(overall.get("share").asDouble()).isEqualTo(planted / 600.0);
        // a census has no sampling error
        assertThat(overall.get("ci_low").asDouble()).isEqualTo(overall.get("share").asDouble());
        assertThat(overall.get("ci_high").asDouble()).isEqualTo(overall.get("share").asDouble());
        assertThat(overall.get("effective_sample_size").isNull()).isTrue();
        assertThat(p.get("by_work").size()).isGreaterThan(5);
        assertThat(Files.readAllLines(out.resolve("prevalence.jsonl"))).hasSize(600);
        assertThat(out.resolve("manifest.json")).exists();
    }

    @Test
    void aKilledSampleRunResumesToTheSameResult() throws IOException {
        Path whole = tmp.resolve("whole");
        prevalence(whole, "--sample", "200", "--seed", "3").exits(0).noStackTrace();
        JsonNode p = Json.MAPPER.readTree(whole.resolve("prevalence.json").toFile());
        assertThat(p.get("design").asText()).isEqualTo("stratified sample");
        JsonNode overall = p.get("overall");
        assertThat(overall.get("sampled").asLong()).isEqualTo(200);
        assertThat(overall.get("population").asLong()).isEqualTo(600);
        assertThat(overall.get("ci_low").asDouble()).isLessThan(overall.get("share").asDouble());
        assertThat(overall.get("ci_high").asDouble())
                .isGreaterThan(overall.get("share").asDouble());

        // the same run killed after 80 outputs: a torn prevalence line, spans of an output whose
        // line was never written, no prevalence.json and no manifest
        Path killed = tmp.resolve("killed");
        prevalence(killed, "--sample", "200", "--seed", "3").exits(0);
        List<String> records = Files.readAllLines(killed.resolve("prevalence.jsonl"));
        long spans = 0;
        for (String r : records.subList(0, 80)) {
            spans += Json.MAPPER.readTree(r).get("spans").asLong();
        }
        List<String> spanLines = Files.readAllLines(killed.resolve("spans.jsonl"));
        assertThat(spanLines.size()).isGreaterThan((int) spans + 1);
        Files.writeString(
                killed.resolve("prevalence.jsonl"),
                String.join("\n", records.subList(0, 80))
                        + "\n"
                        + records.get(80).substring(0, 20));
        Files.writeString(
                killed.resolve("spans.jsonl"),
                String.join("\n", spanLines.subList(0, (int) spans + 1)) + "\n");
        Files.delete(killed.resolve("prevalence.json"));
        Files.delete(killed.resolve("manifest.json"));

        Cli.Result r = prevalence(killed, "--sample", "200", "--seed", "3", "--resume").exits(0);
        assertThat(r.out()).contains("80 were done before resuming");
        for (String f : List.of("prevalence.json", "prevalence.jsonl", "spans.jsonl")) {
            assertThat(Files.readString(killed.resolve(f)))
                    .as(f)
                    .isEqualTo(Files.readString(whole.resolve(f)));
        }
        // another seed draws another sample
        Path other = tmp.resolve("other");
        prevalence(other, "--sample", "200", "--seed", "4").exits(0);
        assertThat(Files.readString(other.resolve("prevalence.jsonl")))
                .isNotEqualTo(Files.readString(whole.resolve("prevalence.jsonl")));
    }

    @Test
    void theReportStatesTheShareItsIntervalAndEachStratum() throws IOException {
        Path run = tmp.resolve("for-report");
        prevalence(run, "--sample", "200", "--seed", "5").exits(0).noStackTrace();
        JsonNode p = Json.MAPPER.readTree(run.resolve("prevalence.json").toFile());
        Path rep = tmp.resolve("for-report-html");
        Cli.run("report", "--run", run.toString(), "--out", rep.toString()).exits(0).noStackTrace();
        String html = Files.readString(rep.resolve("report.html"));
        JsonNode o = p.get("overall");
        String pct = "%.2f%%";
        assertThat(html)
                .contains("Prevalence in output logs")
                .contains("a stratified sample of a population of 600, seed 5")
                .contains(
                        "<strong>"
                                + String.format(Locale.ROOT, pct, 100 * o.get("share").asDouble())
                                + "</strong>")
                .contains(
                        "["
                                + String.format(Locale.ROOT, pct, 100 * o.get("ci_low").asDouble())
                                + ", "
                                + String.format(Locale.ROOT, pct, 100 * o.get("ci_high").asDouble())
                                + "]");
        for (SyntheticLog.Stratum st : STRATA) {
            assertThat(html).contains("<th scope=\"row\">" + st.model() + "</th>");
        }
    }

    @Test
    void resumingWithOtherSettingsIsRefused() {
        Path out = tmp.resolve("settings");
        prevalence(out, "--sample", "100").exits(0);
        Cli.Result r = prevalence(out, "--sample", "120", "--resume").exits(2).noStackTrace();
        assertThat(r.err()).contains("cannot resume with different settings").contains("sample");
    }

    @Test
    void anOutputWithoutTextIsAnErrorNamingFileAndLine() throws IOException {
        Path bad = tmp.resolve("no-text.jsonl");
        Files.writeString(
                bad, "{\"id\":\"a\",\"text\":\"one two\"}\n{\"id\":\"b\",\"txt\":\"one two\"}\n");
        Cli.Result r =
                Cli.run(
                                "prevalence",
                                "--index",
                                index.toString(),
                                "--outputs",
                                bad.toString(),
                                "--out",
                                tmp.resolve("no-text").toString())
                        .exits(3)
                        .noStackTrace();
        assertThat(r.err()).contains(bad + ":2: no \"text\" (or \"completion\") field");
    }

    @Test
    void aTruncatedGzipLogIsAnErrorNamingFileAndLine() throws IOException {
        byte[] all = Files.readAllBytes(log);
        Path cut = tmp.resolve("cut.jsonl.gz");
        Files.write(cut, Arrays.copyOf(all, all.length / 2));
        Cli.Result r =
                Cli.run(
                                "prevalence",
                                "--index",
                                index.toString(),
                                "--outputs",
                                cut.toString(),
                                "--out",
                                tmp.resolve("cut").toString())
                        .exits(3)
                        .noStackTrace();
        assertThat(r.err())
                .containsPattern(
                        "cut\\.jsonl\\.gz:\\d+: cannot read gzip data \\(truncated or corrupt"
                                + " file\\)");
    }
}
