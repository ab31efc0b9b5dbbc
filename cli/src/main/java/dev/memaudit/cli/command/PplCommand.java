package dev.memaudit.cli.command;

import dev.memaudit.cli.support.WriterStream;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.Sha256;
import dev.memaudit.core.records.ppl.PplConfig;
import dev.memaudit.core.records.ppl.PplStatsSettings;
import dev.memaudit.core.run.Progress;
import dev.memaudit.extractor.ppl.PplInputs;
import dev.memaudit.extractor.ppl.PplStage;
import dev.memaudit.extractor.ppl.PplText;
import dev.memaudit.model.LanguageModel;
import dev.memaudit.model.runtime.ModelLoader;
import dev.memaudit.stats.MembershipStatistics;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
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
        List<String> problems = new ArrayList<>();
        if (!(alpha > 0 && alpha < 1)) {
            problems.add("--alpha must be in (0, 1), got " + alpha);
        }
        if (chunkTokens < 8 || chunkTokens > 8192) {
            problems.add("--chunk-tokens must be between 8 and 8192, got " + chunkTokens);
        }
        if (batch < 1) {
            problems.add("--batch must be ≥ 1, got " + batch);
        }
        if (!problems.isEmpty()) {
            throw MemauditException.usage(String.join("; ", problems));
        }
        var err = spec.commandLine().getErr();
        var stdout = spec.commandLine().getOut();
        PplInputs.Loaded w = PplInputs.works(index.path(), works);
        PplInputs.Loaded c = PplInputs.controls(controls);
        c.problems().forEach(p -> err.println("memaudit: control not used: " + p));
        if (w.texts().isEmpty()) {
            throw MemauditException.badInput(index.path() + ": no works to test");
        }
        List<PplText> texts = new ArrayList<>(w.texts());
        texts.addAll(c.texts());
        Map<String, String> hashes = new TreeMap<>(w.hashes());
        hashes.putAll(c.hashes());
        PrintStream progress = WriterStream.of(err);
        try (LanguageModel m = model.open();
                LanguageModel ref =
                        referenceModel == null ? null : ModelLoader.load(referenceModel)) {
            if (chunkTokens > m.maxSequenceLength()) {
                throw MemauditException.usage(
                        "--chunk-tokens "
                                + chunkTokens
                                + " exceeds the model's maximum sequence length "
                                + m.maxSequenceLength());
            }
            if (model.path() != null) {
                hashModel(hashes, "model", model.path());
            }
            if (referenceModel != null) {
                hashModel(hashes, "reference_model", referenceModel);
            }
            PplConfig config =
                    PplConfig.ofIndex(
                            model.path() != null
                                    ? model.path().toAbsolutePath().normalize().toString()
                                    : m.describe(),
                            referenceModel == null
                                    ? null
                                    : referenceModel.toAbsolutePath().normalize().toString(),
                            index.path().toAbsolutePath().normalize().toString(),
                            w.indexUid(),
                            controls.toAbsolutePath().normalize().toString(),
                            works == null ? List.of() : works,
                            chunkTokens,
                            lowercase,
                            PplStatsSettings.defaults().withAlpha(alpha).withSeed(seed));
            PplStage.Outcome o =
                    PplStage.run(
                            out,
                            resume,
                            m,
                            ref,
                            texts,
                            config,
                            batch,
                            hashes,
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
        }
        return 0;
    }

    private static void hashModel(Map<String, String> hashes, String name, Path dir) {
        // the files that define the model's behaviour; shards included
        try (var files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String n = f.getFileName().toString();
                if (Files.isRegularFile(f)
                        && (n.endsWith(".safetensors")
                                || n.equals("config.json")
                                || n.equals("tokenizer.json"))) {
                    hashes.put(name + ":" + n, Sha256.of(f));
                }
            }
        } catch (java.io.IOException e) {
            throw MemauditException.badInput(dir + ": cannot list: " + e.getMessage(), e);
        }
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
