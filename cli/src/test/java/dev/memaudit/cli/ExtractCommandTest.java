package dev.memaudit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Usage errors of extract and sample --campaign are reported before anything is loaded. */
class ExtractCommandTest {
    @TempDir Path tmp;

    @Test
    void badSchemeIsAUsageError() {
        Cli.Result r =
                Cli.run(
                                "extract",
                                "--index",
                                tmp.toString(),
                                "--model",
                                tmp.toString(),
                                "--out",
                                tmp.resolve("o").toString(),
                                "--scheme",
                                "k40")
                        .exits(2)
                        .noStackTrace();
        assertThat(r.err()).contains("t<temperature>[_k<top-k>][_p<top-p>]").contains("k40");
    }

    @Test
    void badAttemptWindowsAndWindowSizesAreUsageErrors() {
        Cli.Result r =
                Cli.run(
                                "extract",
                                "--index",
                                tmp.toString(),
                                "--model",
                                tmp.toString(),
                                "--out",
                                tmp.resolve("o").toString(),
                                "--attempt-windows",
                                "best:3")
                        .exits(2)
                        .noStackTrace();
        assertThat(r.err()).contains("all, top:K or random:K").contains("best:3");
        r =
                Cli.run(
                                "extract",
                                "--index",
                                tmp.toString(),
                                "--model",
                                tmp.toString(),
                                "--out",
                                tmp.resolve("o").toString(),
                                "--prefix-tokens",
                                "0")
                        .exits(2);
        assertThat(r.err()).contains("prefix tokens must be between 1 and 100000, got 0");
    }

    @Test
    void minSimilarityOutsideItsRangeIsAUsageError() {
        for (String bad : new String[] {"0.4", "1.01"}) {
            Cli.Result r =
                    Cli.run(
                                    "extract",
                                    "--index",
                                    tmp.toString(),
                                    "--model",
                                    tmp.toString(),
                                    "--out",
                                    tmp.resolve("o").toString(),
                                    "--min-similarity",
                                    bad)
                            .exits(2)
                            .noStackTrace();
            assertThat(r.err()).contains("min-similarity must be between 0.5 and 1, got " + bad);
        }
    }

    @Test
    void campaignOptionsNeedCampaign() {
        Cli.Result r =
                Cli.run(
                                "sample",
                                "--model",
                                tmp.toString(),
                                "--n",
                                "1",
                                "--index",
                                tmp.toString(),
                                "--out",
                                tmp.resolve("s.jsonl").toString())
                        .exits(2)
                        .noStackTrace();
        assertThat(r.err()).contains("need --campaign");
        r =
                Cli.run(
                                "sample",
                                "--campaign",
                                "--model",
                                tmp.toString(),
                                "--n",
                                "1",
                                "--out",
                                tmp.resolve("s").toString())
                        .exits(2);
        assertThat(r.err()).contains("--campaign needs --index");
        r =
                Cli.run(
                                "sample",
                                "--campaign",
                                "--index",
                                tmp.toString(),
                                "--tiers",
                                "plain,loud",
                                "--model",
                                tmp.toString(),
                                "--n",
                                "1",
                                "--out",
                                tmp.resolve("s").toString())
                        .exits(2);
        assertThat(r.err()).contains("tier must be one of").contains("loud");
    }
}
