package dev.memaudit.extractor.extract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.core.io.Json;
import dev.memaudit.extractor.testing.ExtractRunner;
import dev.memaudit.extractor.testing.Ledgers;
import dev.memaudit.extractor.testing.SampleCanary;
import dev.memaudit.index.scan.NgramIndex;
import dev.memaudit.model.runtime.DjlLanguageModel;
import dev.memaudit.model.runtime.ModelLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real extract process is killed (SIGKILL) twice, once while scoring windows and once while
 * decoding attempts, and resumed each time; the final ledgers equal those of an uninterrupted run:
 * same records, none lost, none twice.
 *
 * <p>Canary: {@code SampleCanary}, member-only (non-members are out of distribution for it): a
 * pipeline check, not evidence of a method's power in a real audit.
 */
class ExtractKillResumeIT {
    static final List<String> WORKS = List.of("kiln-weather", "tin-roof-hymns", "the-salt-ledger");

    @TempDir Path tmp;

    @Test
    void killedTwiceAndResumedEqualsAnUninterruptedRun() throws Exception {
        Path model = SampleCanary.modelDir();
        Path index = SampleCanary.indexDir();
        Path killed = tmp.resolve("killed");

        Process p = start(model, index, killed, false);
        waitForLines(p, killed.resolve("windows.jsonl"), 40);
        p.destroyForcibly().waitFor();
        long windowsAtKill = lines(killed.resolve("windows.jsonl"));
        assertThat(killed.resolve("manifest.json")).doesNotExist();

        p = start(model, index, killed, true);
        waitForLines(p, killed.resolve("attempts.jsonl"), 7);
        p.destroyForcibly().waitFor();
        long attemptsAtKill = lines(killed.resolve("attempts.jsonl"));
        assertThat(killed.resolve("manifest.json")).doesNotExist();

        p = start(model, index, killed, true);
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).isZero();
        System.err.printf(
                "killed at %d window records, then at %d attempt records; finished%n",
                windowsAtKill, attemptsAtKill);

        Path whole = tmp.resolve("whole");
        try (DjlLanguageModel m = ModelLoader.load(model);
                NgramIndex idx = NgramIndex.open(index)) {
            new ExtractService(Clock.systemUTC(), System.err, false)
                    .run(m, idx, ExtractRunner.options(WORKS), whole, false, List.of());
        }
        Ledgers.assertSame(whole.resolve("windows.jsonl"), killed.resolve("windows.jsonl"), 1e-4);
        Ledgers.assertSame(whole.resolve("attempts.jsonl"), killed.resolve("attempts.jsonl"), 1e-4);
        Ledgers.assertSame(
                whole.resolve("reconstruction.jsonl"),
                killed.resolve("reconstruction.jsonl"),
                1e-4);
        JsonNode a = Json.MAPPER.readTree(whole.resolve("works.json").toFile());
        JsonNode b = Json.MAPPER.readTree(killed.resolve("works.json").toFile());
        assertThat(b).isEqualTo(a);
        assertThat(killed.resolve("manifest.json")).isRegularFile();
        assertThat(windowsAtKill).isLessThan(lines(whole.resolve("windows.jsonl")));
        assertThat(attemptsAtKill).isLessThan(lines(whole.resolve("attempts.jsonl")));
    }

    private static Process start(Path model, Path index, Path out, boolean resume)
            throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb =
                new ProcessBuilder(
                        java.toString(),
                        "-Xmx1g",
                        "-Dai.djl.offline=true",
                        "-cp",
                        System.getProperty("java.class.path"),
                        ExtractRunner.class.getName(),
                        model.toString(),
                        index.toString(),
                        out.toString(),
                        Boolean.toString(resume),
                        String.join(",", WORKS));
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        return pb.start();
    }

    private static void waitForLines(Process p, Path file, long n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (lines(file) < n) {
            assertThat(p.isAlive()).as("the run ended before %d records in %s", n, file).isTrue();
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static long lines(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        byte[] bytes = Files.readAllBytes(file);
        long n = 0;
        for (byte b : bytes) {
            if (b == '\n') {
                n++;
            }
        }
        return n;
    }
}
