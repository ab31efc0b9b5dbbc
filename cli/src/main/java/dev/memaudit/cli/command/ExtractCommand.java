package dev.memaudit.cli.command;

import dev.memaudit.cli.support.WriterStream;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.records.extract.ExtractWork;
import dev.memaudit.core.run.Progress;
import dev.memaudit.extractor.extract.ExtractService;
import dev.memaudit.extractor.extract.Scheme;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code memaudit extract}. */
@Command(
        name = "extract",
        mixinStandardHelpOptions = true,
        description = {
            "Extraction attack on the indexed works: every work is cut into windows (prefix, true"
                    + " suffix); one teacher-forced pass per window gives p_z, the probability that"
                    + " a decoding scheme reproduces the suffix exactly (greedy, T=1 sampling and"
                    + " --scheme ones); --attempts decodes for real on chosen windows.",
            "Writes windows.jsonl, attempts.jsonl, reconstruction.jsonl, works.json (coverage per"
                    + " work), extract.json and manifest.json into --out; --resume continues a"
                    + " killed run."
        })
public final class ExtractCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin IndexOption index;

    @Mixin ModelOption model;

    @Mixin WindowOptions windows;

    @Option(names = "--out", required = true, paramLabel = "<dir>", description = "Run folder.")
    Path out;

    @Option(
            names = "--resume",
            description = "Continue the run in --out (same settings), skipping finished records.")
    boolean resume;

    @Option(
            names = "--works",
            split = ",",
            paramLabel = "<id>",
            description = "Work ids to attack (default: every work of the index, no controls).")
    List<String> works;

    @Option(
            names = "--scheme",
            paramLabel = "<t0.7_k40_p0.9>",
            description =
                    "A further decoding scheme whose p_z is computed (repeatable):"
                            + " t<temperature>[_k<top-k>][_p<top-p>]. greedy and t1 always are.")
    List<String> schemes = new ArrayList<>();

    @Option(
            names = "--attempt-scheme",
            defaultValue = "t1",
            description = "Scheme of the sampled attempts (default ${DEFAULT-VALUE}).")
    String attemptScheme;

    @Option(
            names = "--seed",
            defaultValue = "0",
            description = "Seed of attempts and random window choice (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--reconstruct-max-tokens",
            defaultValue = "1024",
            description =
                    "Most tokens of chained greedy reconstruction per work; 0 = off (default"
                            + " ${DEFAULT-VALUE}).")
    int reconstructMaxTokens;

    @Option(
            names = "--min-words",
            defaultValue = "12",
            description =
                    "Shortest verbatim span reported when a generation is scanned against the"
                            + " index, in normalized words (default ${DEFAULT-VALUE}).")
    int minWords;

    @Option(
            names = "--min-similarity",
            defaultValue = "0.8",
            paramLabel = "<s>",
            description =
                    "Lowest word similarity of a near attempt, 1 - word edit distance / longer"
                            + " length between generation and true suffix, in [0.5, 1] (default"
                            + " ${DEFAULT-VALUE}).")
    double minSimilarity;

    @Option(
            names = "--near-beam",
            defaultValue = "0",
            paramLabel = "<width>",
            description =
                    "Also bound the probability of a near-verbatim suffix per window (near.jsonl,"
                            + " near.json): decoding-constrained beam search of this width under"
                            + " the attempt scheme; 0 = off (default). Needs a local model.")
    int nearBeam;

    @Option(
            names = "--near-epsilon",
            defaultValue = "0.1",
            paramLabel = "<share>",
            description =
                    "Largest token edit distance of a near suffix, as a share of the suffix's"
                            + " tokens (rounded down; default ${DEFAULT-VALUE}).")
    double nearEpsilon;

    @Option(
            names = "--near-budget",
            defaultValue = "0",
            paramLabel = "<rows>",
            description =
                    "Most partial suffixes extended per window; 0 = beam × suffix tokens, which"
                            + " the search never exceeds (default).")
    long nearBudget;

    @Option(
            names = "--prior-prefixes",
            defaultValue = "8",
            paramLabel = "<K>",
            description =
                    "Commonness control: score each window's suffix after K unrelated prefixes of"
                            + " its length, drawn with --seed from the index's other works and"
                            + " --prior-controls, against after its own prefix (prior.log_ratio"
                            + " in windows.jsonl); 0 = off (default ${DEFAULT-VALUE}).")
    int priorPrefixes;

    @Option(
            names = "--prior-controls",
            paramLabel = "<corpus.yaml>",
            description =
                    "Control texts (the controls: of a corpus.yaml or its folder) the unrelated"
                            + " prefixes are also drawn from.")
    Path priorControls;

    @Override
    public Integer call() {
        List<Scheme> extra = new ArrayList<>();
        for (String s : schemes) {
            extra.add(Scheme.parse(s));
        }
        ExtractService.Options base =
                windows.options(
                        extra,
                        Scheme.parse(attemptScheme),
                        seed,
                        reconstructMaxTokens,
                        minWords,
                        minSimilarity,
                        works);
        if (nearBeam < 0) {
            throw MemauditException.usage("--near-beam must be ≥ 0, got " + nearBeam);
        }
        ExtractService.Options near =
                base.withNear(
                        nearEpsilon,
                        nearBeam,
                        nearBudget > 0 ? nearBudget : (long) nearBeam * base.suffixTokens());
        if (priorPrefixes < 0) {
            throw MemauditException.usage("--prior-prefixes must be ≥ 0, got " + priorPrefixes);
        }
        ExtractService.Options o = near.withPrior(priorPrefixes, priorControls);
        PrintStream err = WriterStream.of(spec.commandLine().getErr());
        ExtractService.Summary s =
                model.withIndex(
                        index.path(),
                        (idx, m) ->
                                new ExtractService(
                                                Clock.systemUTC(), err, Progress.stderrIsTerminal())
                                        .run(
                                                m,
                                                idx,
                                                o,
                                                out,
                                                resume,
                                                spec.commandLine()
                                                        .getParseResult()
                                                        .originalArgs()));
        err.flush();
        var stdout = spec.commandLine().getOut();
        stdout.printf(
                Locale.ROOT,
                "%d windows (%d scored now, %.1f windows/s), %d attempts (%d now, %.2f"
                        + " attempts/s)%s%n",
                s.windows(),
                s.windowsScored(),
                s.windowsPerSecond(),
                s.attempts(),
                s.attemptsRun(),
                s.attemptsPerSecond(),
                s.resumed() ? ", resumed" : "");
        stdout.printf(
                Locale.ROOT,
                "%-32s %7s %7s %7s %7s %8s %7s%n",
                "work",
                "windows",
                "greedy",
                "cov0.5",
                "cov0.01",
                "longest",
                "recon");
        for (Map.Entry<String, ExtractWork> e : s.works().entrySet()) {
            ExtractWork x = e.getValue();
            stdout.printf(
                    Locale.ROOT,
                    "%-32s %7d %7.2f %7.2f %7.2f %8d %7s%n",
                    e.getKey(),
                    x.windows(),
                    x.greedyExtractableShare(),
                    x.coverage().get("0.5"),
                    x.coverage().get("0.01"),
                    x.longestExtractable().tokens(),
                    x.reconstruction() == null
                            ? "-"
                            : String.format(Locale.ROOT, "%.2f", x.reconstruction().share()));
        }
        // the table is t1's (always measured); say which schemes' coverage the backend could not
        // measure, rather than let a reader take their absence for 0
        Map<String, Integer> unmeasured = new java.util.TreeMap<>();
        for (ExtractWork x : s.works().values()) {
            x.coverageNotMeasured().keySet().forEach(k -> unmeasured.merge(k, 1, Integer::sum));
        }
        unmeasured.forEach(
                (scheme, works) ->
                        stdout.printf(
                                Locale.ROOT,
                                "coverage under %s not measured for %d of %d works (the backend"
                                        + " could not determine its p_z; reasons in works.json"
                                        + " coverage_not_measured)%n",
                                scheme,
                                works,
                                s.works().size()));
        stdout.printf(Locale.ROOT, "results in %s%n", out);
        stdout.flush();
        return 0;
    }
}
