package dev.memaudit.cli.command;

import dev.memaudit.audit.canary.CanaryCalibration;
import dev.memaudit.cli.support.WriterStream;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.stats.DoseCalibration;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code memaudit canary calibrate}. */
@Command(
        name = "calibrate",
        mixinStandardHelpOptions = true,
        description = {
            "Calibrate the membership features and tests on canaries with known membership: for"
                    + " each seed, train a canary on a seeded random half of the corpus's works"
                    + " (its tokenizer on works and controls, so unseen works and controls are"
                    + " alike), run the ppl stage, and measure per feature the AUC and TPR at 1%%"
                    + " FPR of member vs non-member chunks and, per work, how often the test calls"
                    + " members and non-members significant.",
            "With --background, calibrate in the regime of a real audit instead: each seed's"
                    + " canary learns language from the background and sees every work at a dose"
                    + " of the --doses ladder (dose 0 = held out, in-distribution non-members);"
                    + " per dose, pooled over seeds, with intervals: per feature AUC and TPR at 1%%"
                    + " FPR of dose-d vs dose-0 chunks, the per-work test's false-positive rate on"
                    + " dose-0 works and its power, extraction coverage (p_z >= 0.5) and greedy"
                    + " share, and their log-linear slope on the dose.",
            "Writes <out>/seed-<s>/{model,ppl}, calibration.json and calibration.md (with"
                    + " --background also <out>/index, <out>/seed-<s>/extract and"
                    + " dose-response.svg). Trains one canary after another (minutes each): not"
                    + " for CI. Run it again into the same --out to reuse the canaries and"
                    + " recompute the statistics."
        })
public final class CanaryCalibrateCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
            names = "--corpus",
            required = true,
            paramLabel = "<dir|corpus.yaml>",
            description = "Corpus with works and controls: (the controls are never members).")
    Path corpus;

    @Option(names = "--out", required = true, paramLabel = "<dir>", description = "Output folder.")
    Path out;

    @Option(
            names = "--seeds",
            defaultValue = "3",
            description = "Canaries to train (default ${DEFAULT-VALUE}).")
    int seeds;

    @Option(
            names = "--first-seed",
            defaultValue = "1",
            description = "Seed of the first canary (default ${DEFAULT-VALUE}).")
    long firstSeed;

    @Option(
            names = "--member-fraction",
            description = "Share of works that are members (default 0.5; not with --background).")
    Double memberFraction;

    @Option(
            names = "--repeat",
            description =
                    "Times each member appears in training (default 20; not with --background).")
    Integer repeat;

    @Option(
            names = "--background",
            paramLabel = "<dir|corpus.yaml>",
            description =
                    "Background text the canaries learn language from (as canary train"
                            + " --background): calibrate ladder canaries.")
    Path background;

    @Option(
            names = "--doses",
            split = ",",
            paramLabel = "<n>",
            description =
                    "Dose ladder of the canaries, assigned to the works round-robin per seed; must"
                            + " hold 0 (default 0,1,4,16,64; needs --background).")
    List<Integer> doses;

    @Option(
            names = "--background-tokens",
            paramLabel = "<n>",
            description =
                    "Most background tokens per canary (as canary train --background-tokens;"
                            + " needs --background).")
    Long backgroundTokens;

    @Option(names = "--steps", description = "Optimizer steps (default: one pass).")
    Integer steps;

    @Option(
            names = "--fast",
            description = "Tiny canaries (CanaryConfig.tiny(): seconds each, memorize little).")
    boolean fast;

    @Option(
            names = "--chunk-tokens",
            defaultValue = "64",
            description = "Chunk length in tokens (default ${DEFAULT-VALUE}).")
    int chunkTokens;

    @Option(
            names = "--alpha",
            defaultValue = "0.05",
            description = "Significance level (default ${DEFAULT-VALUE}).")
    double alpha;

    @Override
    public Integer call() throws IOException {
        if (background != null && (memberFraction != null || repeat != null)) {
            throw MemauditException.usage(
                    "--member-fraction and --repeat do not apply with --background: the --doses"
                            + " ladder gives every work its dose");
        }
        CanaryCalibration.Settings settings =
                new CanaryCalibration.Settings(
                        corpus,
                        out,
                        seeds,
                        firstSeed,
                        memberFraction == null ? 0.5 : memberFraction,
                        repeat == null ? 20 : repeat,
                        steps,
                        fast,
                        chunkTokens,
                        alpha,
                        background,
                        doses,
                        backgroundTokens);
        PrintStream progress = WriterStream.of(spec.commandLine().getErr());
        CanaryCalibration.Result r =
                CanaryCalibration.run(
                        settings, spec.commandLine().getParseResult().originalArgs(), progress);
        progress.flush();
        var stdout = spec.commandLine().getOut();
        if (r.ladder() != null) {
            stdout.print(DoseCalibration.toSummary(r.ladder()));
            stdout.print(r.canaries());
            stdout.printf(
                    "%nPer-feature AUC and TPR at 1%% FPR by dose: %s; figure: %s%n",
                    out.resolve("calibration.md"), out.resolve("dose-response.svg"));
        } else {
            stdout.print(r.markdown());
        }
        stdout.flush();
        return 0;
    }
}
