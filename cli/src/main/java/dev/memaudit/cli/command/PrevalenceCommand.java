package dev.memaudit.cli.command;

import dev.memaudit.cli.support.Messages;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.records.prevalence.PrevalenceSummary;
import dev.memaudit.extractor.prevalence.PrevalenceService;
import dev.memaudit.index.scan.ScanService;
import dev.memaudit.index.source.ReadLimits;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code memaudit prevalence}. */
@Command(
        name = "prevalence",
        mixinStandardHelpOptions = true,
        description = {
            "Estimate the share of model outputs that reproduce indexed text (an exact span or"
                    + " near passage of --min-words), overall, per stratum and per work, with"
                    + " design-based 95 % intervals: every output (a census), or a seeded"
                    + " stratified sample of --sample N.",
            "Reads JSONL or gzip JSONL of any size as it streams. Writes prevalence.jsonl,"
                    + " spans.jsonl, prevalence.json and manifest.json into --out; --resume"
                    + " continues a killed run."
        })
public final class PrevalenceCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin IndexOption index;

    @Option(
            names = "--outputs",
            required = true,
            paramLabel = "<file.jsonl[.gz]|dir>",
            description =
                    "Model outputs: JSONL (gzip or not) with id and text (or completion), or a"
                            + " folder of .txt files. A bad line is an error.")
    Path outputs;

    @Option(names = "--out", required = true, paramLabel = "<dir>", description = "Run folder.")
    Path out;

    @Option(
            names = "--strata",
            split = ",",
            paramLabel = "<field>",
            description =
                    "Record fields that define the strata (top level or under \"fields\"); a"
                            + " record without one is in stratum \"(missing)\".")
    List<String> strata = new ArrayList<>();

    @Option(
            names = "--sample",
            paramLabel = "<N>",
            description =
                    "Scan a stratified random sample of N outputs (proportional allocation, at"
                            + " least 2 per stratum) instead of all; counts the strata in a first"
                            + " pass.")
    Long sample;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "Seed of the sample (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--min-words",
            defaultValue = "12",
            description =
                    "Shortest span or near passage that counts, in normalized words (default"
                            + " ${DEFAULT-VALUE}).")
    int minWords;

    @Option(
            names = "--min-similarity",
            defaultValue = "0.8",
            paramLabel = "<s>",
            description =
                    "Lowest word similarity of a near passage, in [0.5, 1] (default"
                            + " ${DEFAULT-VALUE}).")
    double minSimilarity;

    @Option(names = "--exact-only", description = "Count exact spans only, no near passages.")
    boolean exactOnly;

    @Option(
            names = "--confidence",
            defaultValue = "0.95",
            description = "Confidence level of the intervals (default ${DEFAULT-VALUE}).")
    double confidence;

    @Option(
            names = "--threads",
            defaultValue = "2",
            description = "Scanning threads (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(
            names = "--max-output-bytes",
            defaultValue = "64MiB",
            paramLabel = "<size>",
            description =
                    "Largest output line; a longer one is an error (default ${DEFAULT-VALUE}).")
    String maxOutputBytes;

    @Option(names = "--resume", description = "Continue the run in --out where it stopped.")
    boolean resume;

    @Override
    public Integer call() {
        var stdout = spec.commandLine().getOut();
        if (sample == null && spec.commandLine().getParseResult().hasMatchedOption("--seed")) {
            throw MemauditException.usage("--seed needs --sample (a census draws nothing)");
        }
        long maxBytes;
        try {
            maxBytes = ReadLimits.parseBytes("--max-output-bytes", maxOutputBytes);
        } catch (IllegalArgumentException e) {
            throw MemauditException.usage(e.getMessage());
        }
        ScanService.Options scan =
                new ScanService.Options(
                        minWords, threads, null, maxBytes, minSimilarity, exactOnly);
        var service = new PrevalenceService(Clock.systemUTC(), Messages.to(spec));
        PrevalenceService.Result r =
                service.run(
                        index.path(),
                        outputs,
                        out,
                        new PrevalenceService.Options(strata, sample, seed, confidence, scan),
                        resume,
                        spec.commandLine().getParseResult().originalArgs());
        PrevalenceSummary.Share o = r.summary().overall();
        stdout.printf(
                Locale.ROOT,
                "%s: %d of %d sampled outputs reproduce indexed text (population %d):"
                        + " share %.4f, %.0f %% interval [%.4f, %.4f]%n",
                r.summary().design(),
                o.hits(),
                o.sampled(),
                o.population(),
                o.share(),
                confidence * 100,
                o.ciLow(),
                o.ciHigh());
        stdout.printf(
                Locale.ROOT,
                "read %,d outputs, scanned %,d (%,d words) in %.2f s%s%n",
                r.read(),
                r.scanned(),
                r.words(),
                r.seconds(),
                r.resumedFrom() > 0 ? "; " + r.resumedFrom() + " were done before resuming" : "");
        stdout.printf(Locale.ROOT, "results in %s%n", out);
        stdout.flush();
        return 0;
    }
}
