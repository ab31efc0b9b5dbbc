package dev.memaudit.cli.command;

import dev.memaudit.cli.support.Messages;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.records.scan.ScanSummary;
import dev.memaudit.core.run.Timings;
import dev.memaudit.index.scan.BackgroundGrams;
import dev.memaudit.index.scan.ScanService;
import dev.memaudit.index.source.ReadLimits;
import dev.memaudit.model.ModelTokenizer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.ToIntFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code memaudit scan}. */
@Command(
        name = "scan",
        mixinStandardHelpOptions = true,
        description = {
            "Find every verbatim and near-verbatim passage that model outputs share with the"
                    + " indexed works.",
            "Writes spans.jsonl, outputs.jsonl, works.json, scan.json and manifest.json into --out."
        })
public final class ScanCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin IndexOption index;

    @Option(
            names = "--outputs",
            required = true,
            paramLabel = "<file.jsonl|dir>",
            description =
                    "Model outputs: JSONL with id and text (or completion, as `sample` writes), or a"
                            + " folder of .txt files.")
    Path outputs;

    @Option(names = "--out", required = true, paramLabel = "<dir>", description = "Run folder.")
    Path out;

    @Option(
            names = "--min-words",
            defaultValue = "12",
            description =
                    "Shortest span or near passage reported, in normalized words, in both texts"
                            + " (default ${DEFAULT-VALUE}).")
    int minWords;

    @Option(
            names = "--min-similarity",
            defaultValue = "0.8",
            paramLabel = "<s>",
            description =
                    "Lowest word similarity of a near-verbatim passage, 1 - word edit distance /"
                            + " longer length, in [0.5, 1] (default ${DEFAULT-VALUE}).")
    double minSimilarity;

    @Option(
            names = "--exact-only",
            description = "Report exact spans only, no near-verbatim passages.")
    boolean exactOnly;

    @Option(
            names = "--threads",
            defaultValue = "2",
            description = "Scanning threads (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(
            names = "--tokenizer",
            paramLabel = "<tokenizer.json>",
            description =
                    "The audited model's Hugging Face tokenizer: spans then also give their length"
                            + " in its tokens.")
    Path tokenizer;

    @Option(
            names = "--background",
            paramLabel = "<dir|corpus.yaml>",
            description =
                    "Non-member text for chance scores: every work and control of this corpus"
                            + " (repeatable). Each span gets chance_log10, how often text like it"
                            + " would hold the passage.")
    List<Path> background = new ArrayList<>();

    @Option(
            names = "--controls",
            paramLabel = "<dir|corpus.yaml>",
            description =
                    "The controls of this corpus as non-member text for chance scores"
                            + " (repeatable); its works are not used.")
    List<Path> controls = new ArrayList<>();

    @Option(
            names = "--max-output-bytes",
            defaultValue = "64MiB",
            paramLabel = "<size>",
            description =
                    "Largest output scanned: one JSONL line or one .txt file (e.g. 64MiB, 1GiB);"
                            + " a larger one is reported with its line and skipped (default"
                            + " ${DEFAULT-VALUE}).")
    String maxOutputBytes;

    @Option(
            names = "--timings",
            description =
                    "Print the wall-clock seconds of each phase (JVM start, index open, scan,"
                            + " writing) to stderr at the end.")
    boolean timings;

    private Timings clock;

    @Override
    public Integer call() {
        clock = timings ? Timings.sinceJvmStart() : null;
        if (tokenizer == null) {
            return scan(null);
        }
        try (ModelTokenizer tok = ModelTokenizer.load(tokenizer)) {
            return scan(text -> tok.encodeIds(text).length);
        }
    }

    private int scan(ToIntFunction<String> tokenCounter) {
        var stdout = spec.commandLine().getOut();
        if (clock != null && tokenCounter != null) {
            clock.mark("tokenizer");
        }
        BackgroundGrams grams =
                background.isEmpty() && controls.isEmpty()
                        ? null
                        : BackgroundGrams.load(
                                BackgroundGrams.N, background, controls, Messages.to(spec));
        if (grams != null && clock != null) {
            clock.mark("background grams");
        }
        ScanService service = new ScanService(Clock.systemUTC(), Messages.to(spec), grams);
        ScanSummary s =
                service.scan(
                        index.path(),
                        outputs,
                        out,
                        new ScanService.Options(
                                minWords,
                                threads,
                                tokenCounter,
                                parseMaxOutputBytes(),
                                minSimilarity,
                                exactOnly),
                        spec.commandLine().getParseResult().originalArgs(),
                        clock);
        stdout.printf(
                Locale.ROOT,
                "scanned %d outputs (%,d words) in %.2f s: %d exact spans in %d outputs, %s;"
                        + " %d empty, %d problem line(s)%n",
                s.outputsScanned(),
                s.wordsScanned(),
                s.seconds(),
                s.spans(),
                s.outputsWithSpans(),
                exactOnly ? "near passages not looked for" : s.nearPassages() + " near passages",
                s.outputsEmpty(),
                s.problemCount());
        stdout.printf(Locale.ROOT, "results in %s%n", out);
        stdout.flush();
        if (clock != null) {
            var err = spec.commandLine().getErr();
            clock.printTo(err);
        }
        return 0;
    }

    private long parseMaxOutputBytes() {
        try {
            return ReadLimits.parseBytes("--max-output-bytes", maxOutputBytes);
        } catch (IllegalArgumentException e) {
            throw MemauditException.usage(e.getMessage());
        }
    }
}
