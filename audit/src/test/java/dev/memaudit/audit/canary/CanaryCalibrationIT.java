package dev.memaudit.audit.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code canary calibrate} on the sample corpus with one tiny canary (tens of seconds): it writes
 * the calibration, and a second run into the same folder reuses the canary and the ppl ledger and
 * recomputes the same table.
 */
class CanaryCalibrationIT {
    @TempDir Path tmp;

    private static Path corpus() {
        return Path.of(System.getProperty("memaudit.repo.root", ".."))
                .resolve("corpora-sample/corpus.yaml");
    }

    @Test
    void calibratesOneTinyCanaryAndReusesItWhenRunAgain() throws Exception {
        CanaryCalibration.Settings s =
                new CanaryCalibration.Settings(
                        corpus(), tmp.resolve("cal"), 1, 7, 0.5, 20, null, true, 64, 0.05);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream progress = new PrintStream(log, true, StandardCharsets.UTF_8);

        CanaryCalibration.Result first = CanaryCalibration.run(s, List.of("calibrate"), progress);

        Path out = tmp.resolve("cal");
        assertThat(out.resolve("seed-7/model/membership.json")).exists();
        assertThat(out.resolve("seed-7/ppl/manifest.json")).exists();
        assertThat(Files.readString(out.resolve("calibration.md"))).isEqualTo(first.markdown());
        JsonNode json = Json.MAPPER.readTree(out.resolve("calibration.json").toFile());
        assertThat(json.path("seeds").size()).isEqualTo(1);
        assertThat(json.path("settings").path("fast").asBoolean()).isTrue();
        assertThat(json.path("settings").path("chunk_tokens").asInt()).isEqualTo(64);
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("canary seed 7: members [");

        log.reset();
        CanaryCalibration.Result again = CanaryCalibration.run(s, List.of("calibrate"), progress);
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("canary seed 7: reusing");
        assertThat(again.markdown()).isEqualTo(first.markdown());
    }

    @Test
    void aCorpusWithoutControlsCannotBeCalibrated() throws Exception {
        Path works = Files.createDirectories(tmp.resolve("works"));
        Files.writeString(works.resolve("a.txt"), "one two three four five six seven eight nine");
        CanaryCalibration.Settings s =
                new CanaryCalibration.Settings(
                        works, tmp.resolve("cal"), 1, 1, 0.5, 20, null, true, 64, 0.05);
        assertThatThrownBy(() -> CanaryCalibration.run(s, List.of(), System.err))
                .isInstanceOf(MemauditException.class)
                .hasMessageContaining("calibration needs a corpus.yaml with controls:");
    }
}
