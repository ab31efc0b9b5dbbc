package dev.memaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memaudit.core.io.Json;
import dev.memaudit.extractor.testing.SampleCanary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An extraction through {@code --endpoint} whose server dies mid-run stops with exit 4, keeps every
 * record it wrote, and {@code --resume} against the restarted server finishes with the same records
 * as an uninterrupted local run: nothing lost, nothing duplicated.
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
        for (int i = 0; i < 6000 && lines(windows) < 40 && run.isAlive(); i++) {
            Thread.sleep(10);
        }
        first.stop();
        run.join(120_000);
        assertThat(cut.get()).as("the cut run ended").isNotNull();
        cut.get().exits(4).noStackTrace();
        long kept = lines(windows);
        long all = lines(tmp.resolve("local/windows.jsonl"));
        assertThat(kept).as("records kept from the cut run").isBetween(40L, all - 1);

        Server second = serve(model, port, "second");
        try {
            List<String> resume = new ArrayList<>(remote);
            resume.add("--resume");
            Cli.run(resume).exits(0).noStackTrace();
        } finally {
            second.stop();
        }
        assertThat(keys(windows)).isEqualTo(keys(tmp.resolve("local/windows.jsonl")));
        assertThat(lines(windows)).as("no duplicates").isEqualTo(all);
    }

    private static long lines(Path f) throws Exception {
        if (!Files.exists(f)) {
            return 0;
        }
        try (var s = Files.lines(f)) {
            return s.filter(l -> !l.isBlank()).count();
        }
    }

    private static Set<String> keys(Path f) throws Exception {
        Set<String> out = new HashSet<>();
        for (String l : Files.readAllLines(f)) {
            var n = Json.MAPPER.readTree(l);
            out.add(n.path("work_id").asText() + "#" + n.path("window").asInt());
        }
        return out;
    }
}
