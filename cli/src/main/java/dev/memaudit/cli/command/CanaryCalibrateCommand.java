package dev.memaudit.cli.command;

import dev.memaudit.audit.canary.CanaryCalibration;
import dev.memaudit.cli.support.WriterStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
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
            "Writes <out>/seed-<s>/{model,ppl}, calibration.json and calibration.md. Trains one"
                    + " canary after another (minutes each): not for CI. Run it again into the"
                    + " same --out to reuse the canaries and recompute the statistics."
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
            defaultValue = "0.5",
            description = "Share of works that are members (default ${DEFAULT-VALUE}).")
    double memberFraction;

    @Option(
            names = "--repeat",
            defaultValue = "20",
            description = "Times each member appears in training (default ${DEFAULT-VALUE}).")
    int repeat;

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
        CanaryCalibration.Settings settings =
                new CanaryCalibration.Settings(
                        corpus,
                        out,
                        seeds,
                        firstSeed,
                        memberFraction,
                        repeat,
                        steps,
                        fast,
                        chunkTokens,
                        alpha);
        PrintStream progress = WriterStream.of(spec.commandLine().getErr());
        CanaryCalibration.Result r =
                CanaryCalibration.run(
                        settings, spec.commandLine().getParseResult().originalArgs(), progress);
        progress.flush();
        var stdout = spec.commandLine().getOut();
        stdout.print(r.markdown());
        stdout.flush();
        return 0;
    }
}
