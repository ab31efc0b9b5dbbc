package dev.memaudit.cli.command;

import dev.memaudit.cli.support.WriterStream;
import dev.memaudit.core.run.Progress;
import dev.memaudit.extractor.ppl.PplService;
import dev.memaudit.extractor.ppl.PplStage;
import dev.memaudit.stats.MembershipStatistics;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code memaudit ppl}. */
@Command(
        name = "ppl",
        mixinStandardHelpOptions = true,
        description = {
            "Perplexity-gap membership statistics: every indexed work's chunks against chunks of"
                    + " control texts the model cannot have seen.",
            "Writes chunks.jsonl (features per chunk), works.json (ppl section per work), ppl.json"
                    + " (self-checks, warnings, conventions) and manifest.json into --out.",
            "Membership inference is weak evidence on its own: read extraction results first."
        })
public final class PplCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ModelOption model;

    @Mixin IndexOption index;

    @Option(
            names = "--controls",
            required = true,
            paramLabel = "<dir|corpus.yaml>",
            description =
                    "Control texts: the controls: of a corpus.yaml, or every text of a folder.")
    Path controls;

    @Option(names = "--out", required = true, paramLabel = "<run-dir>", description = "Run folder.")
    Path out;

    @Option(
            names = "--reference-model",
            paramLabel = "<dir>",
            description =
                    "A reference model folder (local): adds ref_diff = NLL_target −"
                            + " NLL_reference.")
    Path referenceModel;

    @Option(
            names = "--chunk-tokens",
            defaultValue = "128",
            description = "Chunk length in the model's tokens (default ${DEFAULT-VALUE}).")
    int chunkTokens;

    @Option(
            names = "--works",
            split = ",",
            paramLabel = "<id>",
            description = "Only these works (default: every work of the index).")
    List<String> works;

    @Option(
            names = "--alpha",
            defaultValue = "0.05",
            description = "Significance level (default ${DEFAULT-VALUE}).")
    double alpha;

    @Option(
            names = "--seed",
            defaultValue = "0",
            description = "Seed of the chunk splits and the bootstrap (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--resume", description = "Continue the run in --out.")
    boolean resume;

    @Option(names = "--lowercase", description = "Also score each chunk lowercased (2nd pass).")
    boolean lowercase;

    @Option(
            names = "--batch",
            defaultValue = "8",
            description = "Chunks scored together (default ${DEFAULT-VALUE}).")
    int batch;

    @Override
    public Integer call() {
        PplService.Settings settings =
                new PplService.Settings(
                        index.path(),
                        works,
                        controls,
                        out,
                        referenceModel,
                        chunkTokens,
                        alpha,
                        seed,
                        resume,
                        lowercase,
                        batch);
        var err = spec.commandLine().getErr();
        var stdout = spec.commandLine().getOut();
        PrintStream progress = WriterStream.of(err);
        PplStage.Outcome o =
                PplService.run(
                        settings,
                        model::open,
                        model.path(),
                        spec.commandLine().getParseResult().originalArgs(),
                        progress,
                        Progress.stderrIsTerminal());
        progress.flush();
        print(stdout, o);
        o.statistics().warnings().forEach(x -> err.println("memaudit: warning: " + x));
        err.flush();
        if (o.chunks().skipped() > 0) {
            o.chunks().skippedReasons().forEach(f -> err.println("memaudit: skipped: " + f));
            err.println(
                    "memaudit: "
                            + o.chunks().skipped()
                            + " chunks were refused by the model for good (skipped.jsonl);"
                            + " they are in no statistic");
            err.flush();
        }
        return 0;
    }

    private void print(java.io.PrintWriter stdout, PplStage.Outcome o) {
        var r = o.statistics();
        stdout.printf(
                Locale.ROOT,
                "ppl: %d chunks (%d scored now, %d resumed), %d work chunks vs %d control chunks"
                        + " from %d control texts%n",
                o.chunks().chunks(),
                o.chunks().written(),
                o.chunks().resumed(),
                r.workChunks(),
                r.controlChunks(),
                r.controlTexts().size());
        for (MembershipStatistics.WorkStats ws : r.works()) {
            if (!ws.status().equals(MembershipStatistics.OK)) {
                stdout.printf(
                        Locale.ROOT,
                        "  %-36s %4d chunks  %s%n",
                        ws.workId(),
                        ws.chunks(),
                        ws.status());
                continue;
            }
            var a = ws.aggregate();
            stdout.printf(
                    Locale.ROOT,
                    "  %-36s %4d chunks  p = %.3g  p_holm = %.3g  p_bh = %.3g%s%n",
                    ws.workId(),
                    ws.chunks(),
                    a.p(),
                    a.pHolm(),
                    a.pBh(),
                    a.pHolm() < r.settings().alpha() ? "  significant (Holm)" : "");
        }
        var split = r.controlSplit();
        stdout.printf(
                Locale.ROOT,
                "self-check: control halves %s; control texts leave-one-out: %d of %d significant%n",
                split.status().equals(MembershipStatistics.OK)
                        ? String.format(
                                Locale.ROOT,
                                "p = %.3g (%s)",
                                split.p(),
                                split.significant() ? "SIGNIFICANT: check failed" : "passed")
                        : split.status(),
                r.controlLeaveOneOut().significant(),
                r.controlLeaveOneOut().tested());
        stdout.printf(Locale.ROOT, "results in %s%n", out);
        stdout.flush();
    }
}
