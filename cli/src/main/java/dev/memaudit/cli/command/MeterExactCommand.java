package dev.memaudit.cli.command;

import dev.memaudit.audit.meter.ExactMeter;
import dev.memaudit.cli.support.WriterStream;
import dev.memaudit.core.records.meter.MeterSummary;
import dev.memaudit.model.canary.CanaryConfig;
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

/** {@code memaudit meter exact}. */
@Command(
        name = "exact",
        mixinStandardHelpOptions = true,
        description = {
            "Exact influence on a canary: trains the full canary, the canary without each metered"
                    + " work (same seed, data order and steps; the work's copies replaced by"
                    + " background text) and the full canary under further seeds, then scores"
                    + " every behaviour on each.",
            "influence = log p_with(b) - log p_without(b) (natural log), with z and p against the"
                    + " seed-variation null. Writes influence.jsonl, meter.json, models.jsonl,"
                    + " behaviours.jsonl, models/ and manifest.json."
        })
public final class MeterExactCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
            names = "--corpus",
            required = true,
            paramLabel = "<corpus.yaml>",
            description = "Corpus whose works are members or held out.")
    Path corpus;

    @Option(
            names = "--background",
            required = true,
            paramLabel = "<dir|corpus.yaml>",
            description = "Background text the canaries learn language from.")
    Path background;

    @Option(
            names = "--members",
            required = true,
            split = ",",
            paramLabel = "<id[:dose]>",
            description = "Works trained on, each id with its dose (id:16) or at dose 16.")
    List<String> members;

    @Option(
            names = "--behaviours",
            paramLabel = "<file.jsonl>",
            description =
                    "More behaviours {id, prompt?, text, kind?, work_id?}; the metered works' own"
                            + " text, the corpus's style.jsonl and held-out background are always"
                            + " measured.")
    Path behaviours;

    @Option(names = "--out", required = true, paramLabel = "<dir>", description = "Output folder.")
    Path out;

    @Option(
            names = "--seeds",
            defaultValue = "3",
            description =
                    "Full canaries in the seed-variation null, the first included (default"
                            + " ${DEFAULT-VALUE}; 1 = no z or p).")
    int seeds;

    @Option(
            names = "--works",
            split = ",",
            paramLabel = "<id>",
            description = "Works to meter (default: every member).")
    List<String> works = List.of();

    @Option(
            names = "--seed",
            defaultValue = "42",
            description =
                    "Seed of the full canary and its counterfactuals (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--background-tokens",
            description = "Most background tokens trained on (default 2,000,000; 200,000 --fast).")
    Long backgroundTokens;

    @Option(
            names = "--windows-per-work",
            defaultValue = "16",
            description = "Own-text behaviours per metered work (default ${DEFAULT-VALUE}).")
    int windowsPerWork;

    @Option(
            names = "--window-words",
            defaultValue = "24",
            description =
                    "Words of each own-text behaviour's prompt and of its text (default"
                            + " ${DEFAULT-VALUE}).")
    int windowWords;

    @Option(
            names = "--unrelated",
            defaultValue = "16",
            description = "Held-out background behaviours (default ${DEFAULT-VALUE}).")
    int unrelated;

    @Option(
            names = "--fast",
            description = "The tiny canary of tests (trains in seconds; memorizes little).")
    boolean fast;

    @Option(names = "--steps", description = "Optimizer steps (default: one pass).")
    Integer steps;

    @Option(names = "--layers", description = "Transformer blocks.")
    Integer layers;

    @Option(names = "--batch", description = "Windows per optimizer step.")
    Integer batch;

    @Option(names = "--learning-rate", description = "Peak learning rate.")
    Double learningRate;

    @Option(
            names = "--resume",
            description = "Continue the run in --out (kept canaries re-hashed).")
    boolean resume;

    @Override
    public Integer call() {
        CanaryConfig.Builder b = (fast ? CanaryConfig.tiny() : CanaryConfig.ladder()).toBuilder();
        if (backgroundTokens != null) {
            b.backgroundTokens(backgroundTokens);
        }
        if (steps != null) {
            b.steps(steps);
        }
        if (layers != null) {
            b.layers(layers);
        }
        if (batch != null) {
            b.batchSize(batch);
        }
        if (learningRate != null) {
            b.learningRate(learningRate);
        }
        Map<String, Integer> doses = CanaryTrainCommand.memberDoses(members, 16);
        PrintStream progress = WriterStream.of(spec.commandLine().getErr());
        MeterSummary s =
                ExactMeter.run(
                        new ExactMeter.Options(
                                corpus,
                                background,
                                doses,
                                works,
                                behaviours,
                                seed,
                                seeds,
                                windowsPerWork,
                                windowWords,
                                unrelated,
                                b.build(),
                                resume,
                                spec.commandLine().getParseResult().originalArgs()),
                        out,
                        progress);
        progress.flush();
        var stdout = spec.commandLine().getOut();
        stdout.printf(
                Locale.ROOT,
                "%-28s %5s %-10s %6s %14s %10s%n",
                "work",
                "dose",
                "kind",
                "n",
                "Δ nats/token",
                "|z|<2");
        for (MeterSummary.WorkInfluence w : s.works()) {
            w.byKind()
                    .forEach(
                            (kind, k) ->
                                    stdout.printf(
                                            Locale.ROOT,
                                            "%-28s %5s %-10s %6d %+14.4f %10s%n",
                                            w.workId(),
                                            w.dose(),
                                            kind,
                                            k.behaviours(),
                                            k.meanDeltaPerToken(),
                                            k.withinNull() == null
                                                    ? "no null"
                                                    : k.withinNull() + "/" + k.behaviours()));
        }
        stdout.printf(
                Locale.ROOT,
                "%d canaries (%.1f s training, %.1f s scoring); influence in %s%n",
                s.cost().models(),
                s.cost().trainSeconds(),
                s.cost().scoreSeconds(),
                out.resolve("influence.jsonl"));
        stdout.flush();
        return 0;
    }
}
