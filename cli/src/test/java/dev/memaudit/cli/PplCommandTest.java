package dev.memaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fast checks of {@code memaudit ppl}'s flags; runs on a model are in {@link PplSampleCanaryIT}.
 */
class PplCommandTest {
    @Test
    void badSettingsAreUsageErrorsNamingEachValue(@TempDir Path tmp) {
        Cli.Result r =
                Cli.run(
                        "ppl",
                        "--model",
                        tmp.toString(),
                        "--index",
                        tmp.toString(),
                        "--controls",
                        tmp.toString(),
                        "--out",
                        tmp.resolve("out").toString(),
                        "--alpha",
                        "1.5",
                        "--chunk-tokens",
                        "4");
        r.exits(2).noStackTrace();
        assertThat(r.err()).contains("--alpha must be in (0, 1), got 1.5");
        assertThat(r.err()).contains("--chunk-tokens must be between 8 and 8192, got 4");
    }

    @Test
    void aMissingIndexIsBadInput(@TempDir Path tmp) {
        Cli.Result r =
                Cli.run(
                        "ppl",
                        "--model",
                        tmp.toString(),
                        "--index",
                        tmp.resolve("no-index").toString(),
                        "--controls",
                        tmp.toString(),
                        "--out",
                        tmp.resolve("out").toString());
        r.exits(3).noStackTrace();
        assertThat(r.err()).contains("no-index");
    }

    @Test
    void helpListsTheCommand() {
        assertThat(Cli.run("--help").out()).contains("ppl");
        assertThat(Cli.run("canary", "--help").out()).contains("calibrate");
    }
}
