package dev.memaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.core.io.Json;
import dev.memaudit.extractor.testing.SampleCanary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code extract} over two {@code memaudit serve} processes (replicas of the sample canary), one
 * killed ({@code SIGKILL}) mid-run: the run completes (exit 0) with the records of a one-replica
 * run, none duplicated, and its manifest says which replica served how many requests and that the
 * killed one was dropped.
 */
class ReplicaServeIT {
    @TempDir Path tmp;
    private final List<Process> servers = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Process p : servers) {
            p.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        }
    }

    /** A {@code memaudit serve} in its own JVM, on a free port; returns its URL. */
    private String serve(Path model, String name) throws Exception {
        Path ready = tmp.resolve(name + ".url");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb =
                new ProcessBuilder(
                        java,
                        "-Dai.djl.offline=true",
                        "-cp",
                        System.getProperty("java.class.path"),
                        "dev.memaudit.cli.Main",
                        "serve",
                        "--model",
                        model.toString(),
                        "--port",
                        "0",
                        "--model-name",
                        "canary",
                        "--ready-file",
                        ready.toString());
        pb.environment().put("DJL_OFFLINE", "true");
        pb.redirectErrorStream(true).redirectOutput(tmp.resolve(name + ".log").toFile());
        Process p = pb.start();
        servers.add(p);
        for (int i = 0; i < 2400 && !Files.exists(ready) && p.isAlive(); i++) {
            Thread.sleep(50);
        }
        assertThat(ready)
                .as("serve %s started: %s", name, Files.readString(tmp.resolve(name + ".log")))
                .exists();
        Thread.sleep(50);
        return Files.readString(ready).trim();
    }

    @Test
    void aKilledReplicaIsDroppedAndTheRunEndsWithTheRecordsOfOneReplica() throws Exception {
        Path model = SampleCanary.modelDir();
        String a = serve(model, "a");
        String b = serve(model, "b");
        List<String> settings =
                List.of(
                        "extract",
                        "--prior-prefixes",
                        "0",
                        "--index",
                        SampleCanary.indexDir().toString(),
                        "--works",
                        "kiln-weather,brass-and-birch",
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
                        "2",
                        "--model-name",
                        "canary",
                        "--tokenizer",
                        model.resolve("tokenizer.json").toString(),
                        "--retries",
                        "2",
                        "--request-timeout",
                        "20");

        List<String> one = new ArrayList<>(settings);
        one.addAll(List.of("--endpoint", a, "--out", tmp.resolve("one").toString()));
        long t0 = System.nanoTime();
        Cli.run(one).exits(0).noStackTrace();
        System.out.printf("one replica: %.1f s%n", (System.nanoTime() - t0) / 1e9);
        t0 = System.nanoTime();

        Path out = tmp.resolve("two");
        List<String> two = new ArrayList<>(settings);
        two.addAll(List.of("--endpoint", a, "--endpoint", b, "--out", out.toString()));
        AtomicReference<Cli.Result> result = new AtomicReference<>();
        Thread run = new Thread(() -> result.set(Cli.run(two)));
        run.start();
        Path windows = out.resolve("windows.jsonl");
        for (int i = 0; i < 12_000 && Cli.records(windows) < 20 && run.isAlive(); i++) {
            Thread.sleep(5);
        }
        long atKill = Cli.records(windows);
        servers.get(1).destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        run.join(300_000);
        assertThat(result.get()).as("the run ended").isNotNull();
        System.out.printf(
                "two replicas, b killed after %d windows: %.1f s%n",
                atKill, (System.nanoTime() - t0) / 1e9);
        result.get().exits(0).noStackTrace();
        assertThat(result.get().err()).contains("replica " + b + " dropped");

        long all = Cli.records(tmp.resolve("one/windows.jsonl"));
        assertThat(atKill).as("killed mid-run").isBetween(1L, all - 1);
        for (String[] ledger :
                List.of(
                        new String[] {"windows.jsonl", "work_id", "window"},
                        new String[] {"attempts.jsonl", "work_id", "window", "attempt"})) {
            String[] keys = java.util.Arrays.copyOfRange(ledger, 1, ledger.length);
            Map<String, JsonNode> want = Cli.byKey(tmp.resolve("one").resolve(ledger[0]), keys);
            Map<String, JsonNode> got = Cli.byKey(out.resolve(ledger[0]), keys);
            assertThat(want).as(ledger[0]).isNotEmpty();
            // the same requests reach the same model: every field equal, record for record
            assertThat(got).as(ledger[0]).isEqualTo(want);
        }

        JsonNode backend =
                Json.MAPPER.readTree(out.resolve("manifest.json").toFile()).path("backend");
        JsonNode replicas = backend.path("replicas");
        System.out.println("replicas: " + replicas);
        assertThat(replicas).hasSize(2);
        assertThat(replicas.get(0).path("endpoint").asText()).isEqualTo(a);
        assertThat(replicas.get(0).path("answered").asLong()).isPositive();
        assertThat(replicas.get(0).path("dropped").asBoolean()).isFalse();
        assertThat(replicas.get(1).path("endpoint").asText()).isEqualTo(b);
        assertThat(replicas.get(1).path("answered").asLong())
                .as("b served before it died")
                .isPositive();
        assertThat(replicas.get(1).path("dropped").asText()).contains("requests in a row failed");
        long answered =
                replicas.get(0).path("answered").asLong()
                        + replicas.get(1).path("answered").asLong();
        assertThat(answered).isLessThanOrEqualTo(backend.path("requests").asLong());
    }
}
