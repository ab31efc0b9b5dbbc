package dev.memaudit.cli.command;

import dev.memaudit.audit.meter.ApproxMeter;
import dev.memaudit.cli.support.WriterStream;
import dev.memaudit.core.records.meter.ApproxSummary;
import dev.memaudit.core.records.meter.MeterSummary;
import dev.memaudit.model.influence.Behaviours;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code memaudit meter approx}. */
@Command(
        name = "approx",
        mixinStandardHelpOptions = true,
        description = {
            "Approximate influence of works on behaviours for a model that cannot be retrained"
                    + " (a local Hugging Face folder, run with gradients on the CPU).",
            "unlearn: a few gradient steps ascending the work's loss (and descending non-member"
                    + " retain text's), then delta = log p_original(b) - log p_unlearned(b), nats;"
                    + " the weights are restored before the next work.",
            "gradient: <P grad log p(b), P grad log p(work chunks)> with P a seeded count-sketch:"
                    + " the first-order change of log p(b) per unit learning rate of one step on"
                    + " the work (nats per unit learning rate, not nats).",
            "Writes influence.jsonl, approx.json and manifest.json."
        })
public final class MeterApproxCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
            names = "--model",
            required = true,
            paramLabel = "<dir>",
            description = "Hugging Face model folder (config.json, safetensors, tokenizer.json).")
    Path model;

    @Option(
            names = "--index",
            required = true,
            paramLabel = "<dir>",
            description = "Index whose works store holds the works' text.")
    Path index;

    @Option(
            names = "--works",
            required = true,
            split = ",",
            paramLabel = "<id>",
            description = "Works of the index to meter.")
    List<String> works;

    @Option(
            names = "--behaviours",
            required = true,
            paramLabel = "<file.jsonl>",
            description = "Behaviours {id, prompt?, text, kind?, work_id?}.")
    Path behaviours;

    @Option(
            names = "--method",
            required = true,
            paramLabel = "unlearn|gradient",
            description = "unlearn or gradient.")
    String method;

    @Option(names = "--out", required = true, paramLabel = "<dir>", description = "Output folder.")
    Path out;

    @Option(
            names = "--retain",
            paramLabel = "<file.txt>",
            description =
                    "Non-member UTF-8 text whose likelihood unlearning keeps (default: the index's"
                            + " other works).")
    Path retain;

    @Option(
            names = "--chunk-tokens",
            defaultValue = "128",
            description = "Tokens per chunk of a work (default ${DEFAULT-VALUE}).")
    int chunkTokens;

    @Option(
            names = "--chunks-per-work",
            defaultValue = "8",
            description = "Most chunks per work, evenly spread (default ${DEFAULT-VALUE}).")
    int chunksPerWork;

    @Option(
            names = "--retain-chunks",
            defaultValue = "8",
            description = "Retain chunks per unlearning step (default ${DEFAULT-VALUE}).")
    int retainChunks;

    @Option(
            names = "--steps",
            defaultValue = "5",
            description = "Unlearning steps per work (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(
            names = "--learning-rate",
            defaultValue = "0.1",
            description =
                    "Rate of each unlearning step; a clipped step moves the weights by at most"
                            + " rate x clip norm (L2) (default ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(
            names = "--retain-weight",
            defaultValue = "1.0",
            description = "Weight of the retain text's log-likelihood (default ${DEFAULT-VALUE}).")
    double retainWeight;

    @Option(
            names = "--clip-norm",
            defaultValue = "1.0",
            description =
                    "Gradient norm of each unlearning step, 0 = no clipping (default"
                            + " ${DEFAULT-VALUE}).")
    double clipNorm;

    @Option(
            names = "--projection-dim",
            defaultValue = "4096",
            description = "Count-sketch size of the gradient method (default ${DEFAULT-VALUE}).")
    int projectionDim;

    @Option(
            names = "--seed",
            defaultValue = "42",
            description = "Seed of the gradient projection (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        ApproxMeter.Settings settings =
                new ApproxMeter.Settings(
                        method,
                        chunkTokens,
                        chunksPerWork,
                        retainChunks,
                        steps,
                        learningRate,
                        retainWeight,
                        clipNorm,
                        projectionDim,
                        seed);
        // refuse a bad method before reading the index or the model
        settings.checkMethod();
        ApproxMeter.IndexTexts texts = ApproxMeter.fromIndex(index, works, retain);
        PrintStream progress = WriterStream.of(spec.commandLine().getErr());
        ApproxMeter.Result r =
                ApproxMeter.run(
                        new ApproxMeter.Options(
                                model,
                                texts.works(),
                                texts.retain(),
                                texts.retainSource(),
                                Behaviours.read(behaviours),
                                behaviours,
                                settings,
                                texts.index(),
                                texts.indexUid(),
                                spec.commandLine().getParseResult().originalArgs()),
                        out,
                        progress);
        progress.flush();
        var stdout = spec.commandLine().getOut();
        ApproxSummary s = r.summary();
        stdout.printf(
                Locale.ROOT,
                "%-28s %-10s %6s %16s %10s%n",
                "work",
                "kind",
                "n",
                s.method().equals("gradient") ? "Δ/token (1/lr)" : "Δ nats/token",
                "s/behav.");
        for (ApproxSummary.WorkCost w : s.works()) {
            for (Map.Entry<String, MeterSummary.KindSummary> k : w.byKind().entrySet()) {
                stdout.printf(
                        Locale.ROOT,
                        "%-28s %-10s %6d %+16.4g %10.3f%n",
                        w.workId(),
                        k.getKey(),
                        k.getValue().behaviours(),
                        k.getValue().meanDeltaPerToken(),
                        w.secondsPerBehaviour());
            }
        }
        stdout.printf(
                Locale.ROOT,
                "%s: %d works in %.1f s; influence in %s%n",
                s.method(),
                s.works().size(),
                s.totalSeconds(),
                out.resolve("influence.jsonl"));
        stdout.flush();
        return 0;
    }
}
