package dev.memaudit.cli.command;

import dev.memaudit.audit.meter.ApproxMeter;
import dev.memaudit.audit.meter.Validation;
import dev.memaudit.cli.support.WriterStream;
import dev.memaudit.core.records.meter.ValidationSummary;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code memaudit meter validate}. */
@Command(
        name = "validate",
        mixinStandardHelpOptions = true,
        description = {
            "How good the approximations are: runs meter approx's methods on a meter exact"
                    + " folder's full canary with its behaviours and works, and compares every"
                    + " (work, behaviour) pair's delta with the exact counterfactual.",
            "Writes validation.json (Pearson and Spearman with 95 % bootstrap intervals, top-k"
                    + " agreement, own-text sign agreement per method), one meter approx folder"
                    + " per method, and manifest.json. Give validation.json to `memaudit report"
                    + " --influence-validation`."
        })
public final class MeterValidateCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
            names = "--exact",
            required = true,
            paramLabel = "<dir>",
            description = "A finished `memaudit meter exact` folder.")
    Path exact;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "<dir>",
            description = "Output folder (must not exist or be empty).")
    Path out;

    @Option(
            names = "--methods",
            split = ",",
            defaultValue = "unlearn,gradient",
            paramLabel = "<method>",
            description = "Approximate methods to validate (default ${DEFAULT-VALUE}).")
    List<String> methods = new ArrayList<>();

    @Option(
            names = "--top-k",
            defaultValue = "1",
            description =
                    "k of the top-k agreement: of the k works with the largest exact influence on"
                            + " a behaviour, the share the method also ranks in its top k"
                            + " (default ${DEFAULT-VALUE}).")
    int topK;

    @Option(
            names = "--seed",
            defaultValue = "42",
            description =
                    "Seed of the approximations (projection, retain sample) and of the bootstrap"
                            + " (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--steps",
            description = "meter approx's unlearning steps per work (default: its default).")
    Integer steps;

    @Option(
            names = "--learning-rate",
            description = "meter approx's unlearning rate (default: its default).")
    Double learningRate;

    @Option(
            names = "--retain-weight",
            description =
                    "meter approx's retain weight (default: its default); the retain text is the"
                            + " exact run's dose-0 works.")
    Double retainWeight;

    @Option(
            names = "--chunks-per-work",
            description = "meter approx's chunks per work (default: its default).")
    Integer chunksPerWork;

    @Option(
            names = "--projection-dim",
            description = "meter approx's count-sketch size (default: its default).")
    Integer projectionDim;

    @Override
    public Integer call() {
        List<String> approxArgs = new ArrayList<>();
        if (steps != null) {
            approxArgs.addAll(List.of("--steps", steps.toString()));
        }
        if (learningRate != null) {
            approxArgs.addAll(List.of("--learning-rate", learningRate.toString()));
        }
        if (retainWeight != null) {
            approxArgs.addAll(List.of("--retain-weight", retainWeight.toString()));
        }
        if (chunksPerWork != null) {
            approxArgs.addAll(List.of("--chunks-per-work", chunksPerWork.toString()));
        }
        if (projectionDim != null) {
            approxArgs.addAll(List.of("--projection-dim", projectionDim.toString()));
        }
        Validation.Approximation approx =
                Validation.approxMeter(
                        d ->
                                new ApproxMeter.Settings(
                                        d.method(),
                                        d.chunkTokens(),
                                        chunksPerWork != null ? chunksPerWork : d.chunksPerWork(),
                                        d.retainChunks(),
                                        steps != null ? steps : d.steps(),
                                        learningRate != null ? learningRate : d.learningRate(),
                                        retainWeight != null ? retainWeight : d.retainWeight(),
                                        d.clipNorm(),
                                        projectionDim != null ? projectionDim : d.projectionDim(),
                                        d.seed()));
        PrintStream progress = WriterStream.of(spec.commandLine().getErr());
        ValidationSummary s =
                Validation.run(
                        new Validation.Options(
                                exact,
                                methods,
                                topK,
                                seed,
                                approxArgs,
                                spec.commandLine().getParseResult().originalArgs()),
                        approx,
                        out,
                        progress);
        progress.flush();
        var stdout = spec.commandLine().getOut();
        stdout.printf(
                Locale.ROOT,
                "%-9s %6s %24s %24s %12s %10s %9s%n",
                "method",
                "pairs",
                "Spearman [95%]",
                "Pearson [95%]",
                "top-" + topK,
                "own sign",
                "seconds");
        for (ValidationSummary.MethodAgreement m : s.methods()) {
            stdout.printf(
                    Locale.ROOT,
                    "%-9s %6d %24s %24s %12s %10s %9.1f%n",
                    m.method(),
                    m.pairs(),
                    estimate(m.spearman()),
                    estimate(m.pearson()),
                    m.topKAgreement() == null
                            ? "n/a"
                            : String.format(Locale.ROOT, "%.3f", m.topKAgreement()),
                    m.ownSignAgreement() == null
                            ? "n/a"
                            : String.format(Locale.ROOT, "%.3f", m.ownSignAgreement()),
                    m.seconds());
        }
        stdout.printf("validation in %s%n", out.resolve("validation.json"));
        return 0;
    }

    private static String estimate(ValidationSummary.Estimate e) {
        if (e.value() == null) {
            return "undefined";
        }
        return String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", e.value(), e.low(), e.high());
    }
}
