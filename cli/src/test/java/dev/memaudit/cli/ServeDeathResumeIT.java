package dev.memaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.core.io.Json;
import dev.memaudit.extractor.testing.SampleCanary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run through {@code --endpoint} whose server dies mid-run (extract's windows, extract's
 * attempts, {@code sample --campaign}, {@code ppl}) stops with exit 4, keeps every record it wrote
 * and writes no failure as a result; the same model restarted <em>on another port</em> is accepted
 * by {@code --resume} with the new URL (the run pins the model's identity, not its address), which
 * finishes with the records of an uninterrupted run: nothing lost, nothing duplicated; the manifest
 * names both URLs.
 *
 * <p>Canary: {@code SampleCanary}, member-only: the test is about failures and resumption, not
 * about membership figures.
 */
class ServeDeathResumeIT {
    @TempDir Path tmp;

    /** A running {@code memaudit serve} in this JVM. */
    private record Server(Thread thread, AtomicReference<Cli.Result> result, String url) {
        void stop() throws InterruptedException {
            thread.interrupt();
            thread.join(20_000);
        }
    }

    private Server serve(Path model, int port, String name) throws Exception {
        Path ready = tmp.resolve(name + ".url");
        AtomicReference<Cli.Result> result = new AtomicReference<>();
        Thread t =
                new Thread(
                        () ->
                                result.set(
                                        Cli.run(
                                                "serve",
                                                "--model",
                                                model.toString(),
                                                "--port",
                                                Integer.toString(port),
                                                "--model-name",
                                                "canary",
                                                "--ready-file",
                                                ready.toString())));
        t.start();
        for (int i = 0; i < 1200 && !Files.exists(ready) && t.isAlive(); i++) {
            Thread.sleep(50);
        }
        assertThat(ready).as("serve started: %s", result.get()).exists();
        Thread.sleep(50);
        return new Server(t, result, Files.readString(ready).trim());
    }

    @Test
    void aRunCutByADeadServerResumesWithNothingLost() throws Exception {
        Path model = SampleCanary.modelDir();
        Path index = SampleCanary.indexDir();
        List<String> settings =
                List.of(
                        // a failure-and-resume test: the commonness control only multiplies its
                        // rows
                        "--prior-prefixes",
                        "0",
                        "--index",
                        index.toString(),
                        "--prefix-tokens",
                        "32",
                        "--suffix-tokens",
                        "32",
                        "--attempts",
                        "0",
                        "--seed",
                        "3",
                        "--batch",
                        "4");
        List<String> local = new ArrayList<>(List.of("extract", "--model", model.toString()));
        local.addAll(settings);
        local.addAll(List.of("--out", tmp.resolve("local").toString()));
        Cli.run(local).exits(0).noStackTrace();

        Server first = serve(model, 0, "first");
        int port = Integer.parseInt(first.url().replaceAll(".*:(\\d+).*", "$1"));
        Path out = tmp.resolve("http");
        List<String> remote =
                new ArrayList<>(
                        List.of(
                                "extract",
                                "--endpoint",
                                first.url(),
                                "--model-name",
                                "canary",
                                "--tokenizer",
                                model.resolve("tokenizer.json").toString(),
                                "--retries",
                                "1",
                                "--request-timeout",
                                "20"));
        remote.addAll(settings);
        remote.addAll(List.of("--out", out.toString()));

        AtomicReference<Cli.Result> cut = new AtomicReference<>();
        Thread run = new Thread(() -> cut.set(Cli.run(remote)));
        run.start();
        Path windows = out.resolve("windows.jsonl");
        // Kill the server once some, but not all, windows are on disk.
        for (int i = 0; i < 6000 && Cli.records(windows) < 40 && run.isAlive(); i++) {
            Thread.sleep(10);
        }
        first.stop();
        run.join(120_000);
        assertThat(cut.get()).as("the cut run ended").isNotNull();
        cut.get().exits(4).noStackTrace();
        long kept = Cli.records(windows);
        long all = Cli.records(tmp.resolve("local/windows.jsonl"));
        assertThat(kept).as("records kept from the cut run").isBetween(40L, all - 1);

        Server second = serve(model, 0, "second");
        assertThat(second.url()).as("another port").isNotEqualTo(first.url());
        try {
            Cli.run(resumeAt(remote, first.url(), second.url())).exits(0).noStackTrace();
        } finally {
            second.stop();
        }
        assertThat(port).isPositive();
        assertThat(keys(windows)).isEqualTo(keys(tmp.resolve("local/windows.jsonl")));
        assertThat(Cli.records(windows)).as("no duplicates").isEqualTo(all);
        assertServedBy(out, first.url(), second.url());
    }

    /** The command line with the new server's URL and --resume. */
    private static List<String> resumeAt(List<String> args, String was, String now) {
        List<String> out = new ArrayList<>();
        for (String a : args) {
            out.add(a.equals(was) ? now : a);
        }
        out.add("--resume");
        return out;
    }

    private static void assertServedBy(Path out, String first, String second) throws Exception {
        var served = Json.MAPPER.readTree(out.resolve("manifest.json").toFile());
        List<String> urls = new ArrayList<>();
        served.path("backend").path("served_by").forEach(n -> urls.add(n.asText()));
        assertThat(urls).containsExactly(first, second);
    }

    /** The flags that reach a served canary at {@code url} with a short retry budget. */
    private static List<String> endpoint(String url, Path model) {
        return List.of(
                "--endpoint",
                url,
                "--model-name",
                "canary",
                "--tokenizer",
                model.resolve("tokenizer.json").toString(),
                "--retries",
                "1",
                "--request-timeout",
                "20");
    }

    /**
     * Runs {@code command} against a server, kills the server once {@code ledger} holds {@code
     * killAt} records, restarts it on another port and resumes there.
     *
     * @return the records of the cut and resumed run, by key (duplicates fail)
     */
    private Map<String, JsonNode> cutAndResume(
            Path model,
            List<String> command,
            Path out,
            String ledger,
            int killAt,
            String... keyFields)
            throws Exception {
        Server first = serve(model, 0, out.getFileName() + "-first");
        List<String> args = new ArrayList<>(command);
        args.addAll(endpoint(first.url(), model));
        args.addAll(List.of("--out", out.toString()));
        AtomicReference<Cli.Result> cut = new AtomicReference<>();
        Thread run = new Thread(() -> cut.set(Cli.run(args)));
        run.start();
        Path file = out.resolve(ledger);
        for (int i = 0; i < 12_000 && Cli.records(file) < killAt && run.isAlive(); i++) {
            Thread.sleep(5);
        }
        first.stop();
        run.join(120_000);
        assertThat(cut.get()).as("the cut run ended").isNotNull();
        cut.get().exits(4).noStackTrace();
        assertThat(cut.get().err())
                .contains("stopped: the model backend failed")
                .contains("remaining:")
                .contains("Nothing that failed was recorded");
        assertThat(Cli.records(file))
                .as("records kept from the cut run")
                .isGreaterThanOrEqualTo(killAt);
        assertThat(Files.readString(file)).as("no failure recorded").doesNotContain("\"error\"");

        Server second = serve(model, 0, out.getFileName() + "-second");
        assertThat(second.url()).as("another port").isNotEqualTo(first.url());
        try {
            Cli.run(resumeAt(args, first.url(), second.url())).exits(0).noStackTrace();
        } finally {
            second.stop();
        }
        assertServedBy(out, first.url(), second.url());
        return Cli.byKey(file, keyFields);
    }

    @Test
    void attemptsCutByADeadServerResumeOnAnotherPortToTheUninterruptedRecords() throws Exception {
        Path model = SampleCanary.modelDir();
        List<String> settings =
                List.of(
                        // a failure-and-resume test: the commonness control only multiplies its
                        // rows
                        "--prior-prefixes",
                        "0",
                        "--index",
                        SampleCanary.indexDir().toString(),
                        "--works",
                        WORKS,
                        "--prefix-tokens",
                        "16",
                        "--suffix-tokens",
                        "16",
                        "--attempts",
                        "3",
                        "--attempt-windows",
                        "top:8",
                        "--reconstruct-max-tokens",
                        "0",
                        "--seed",
                        "3",
                        "--batch",
                        "2");
        List<String> local = new ArrayList<>(List.of("extract", "--model", model.toString()));
        local.addAll(settings);
        local.addAll(List.of("--out", tmp.resolve("attempts-local").toString()));
        Cli.run(local).exits(0).noStackTrace();
        Map<String, JsonNode> want =
                Cli.byKey(
                        tmp.resolve("attempts-local/attempts.jsonl"),
                        "work_id",
                        "window",
                        "attempt");
        assertThat(want).hasSizeGreaterThan(40);

        List<String> remote = new ArrayList<>(List.of("extract"));
        remote.addAll(settings);
        Map<String, JsonNode> got =
                cutAndResume(
                        model,
                        remote,
                        tmp.resolve("attempts-http"),
                        "attempts.jsonl",
                        20,
                        "work_id",
                        "window",
                        "attempt");
        // token ids decide every field of an attempt record: equal, key for key
        assertThat(got).isEqualTo(want);
    }

    @Test
    void aCampaignAndPplCutByADeadServerResumeOnAnotherPort() throws Exception {
        Path model = SampleCanary.modelDir();
        Path index = SampleCanary.indexDir();
        List<String> campaign =
                List.of(
                        "sample",
                        "--campaign",
                        "--index",
                        index.toString(),
                        "--works",
                        WORKS,
                        "--tiers",
                        "plain,instruction",
                        "--n",
                        "8",
                        "--max-new-tokens",
                        "8",
                        "--seed",
                        "9",
                        "--batch",
                        "1");
        List<String> local = new ArrayList<>(campaign);
        local.addAll(
                List.of("--model", model.toString(), "--out", tmp.resolve("s-local").toString()));
        Cli.run(local).exits(0).noStackTrace();
        Map<String, JsonNode> want = Cli.byKey(tmp.resolve("s-local/generations.jsonl"), "id");
        Map<String, JsonNode> got =
                cutAndResume(model, campaign, tmp.resolve("s-http"), "generations.jsonl", 20, "id");
        assertThat(got.keySet()).isEqualTo(want.keySet()).hasSize(32);
        for (String k : want.keySet()) {
            // the tokens sampled are the uninterrupted run's; log-probs come through JSON floats
            for (String f : List.of("prompt", "token_ids", "seed", "completion")) {
                assertThat(got.get(k).path(f)).as(k + " " + f).isEqualTo(want.get(k).path(f));
            }
        }

        List<String> ppl =
                List.of(
                        "ppl",
                        "--index",
                        index.toString(),
                        "--controls",
                        SampleCanary.corpusDir().toString(),
                        "--works",
                        WORKS,
                        "--chunk-tokens",
                        "32",
                        "--batch",
                        "2");
        local = new ArrayList<>(ppl);
        local.addAll(
                List.of("--model", model.toString(), "--out", tmp.resolve("p-local").toString()));
        Cli.run(local).exits(0).noStackTrace();
        Map<String, JsonNode> chunks =
                Cli.byKey(tmp.resolve("p-local/chunks.jsonl"), "set", "work_id", "chunk");
        assertThat(chunks).as("enough chunks to cut the run after 20").hasSizeGreaterThan(30);
        Map<String, JsonNode> gotChunks =
                cutAndResume(
                        model,
                        ppl,
                        tmp.resolve("p-http"),
                        "chunks.jsonl",
                        20,
                        "set",
                        "work_id",
                        "chunk");
        assertThat(gotChunks.keySet()).isEqualTo(chunks.keySet());
        for (String k : chunks.keySet()) {
            for (String f : List.of("char_start", "char_end", "tokens", "zlib_bytes")) {
                assertThat(gotChunks.get(k).path(f))
                        .as(k + " " + f)
                        .isEqualTo(chunks.get(k).path(f));
            }
            assertThat(gotChunks.get(k).path("features").path("nll").asDouble())
                    .as(k + " nll")
                    .isCloseTo(
                            chunks.get(k).path("features").path("nll").asDouble(),
                            org.assertj.core.data.Offset.offset(1e-4));
        }
    }

    /** Two of the sample corpus's works (short: the IT stays quick). */
    private static final String WORKS = "kiln-weather,brass-and-birch";

    private static Set<String> keys(Path f) throws Exception {
        Set<String> out = new HashSet<>();
        for (String l : Files.readAllLines(f)) {
            var n = Json.MAPPER.readTree(l);
            out.add(n.path("work_id").asText() + "#" + n.path("window").asInt());
        }
        return out;
    }
}
