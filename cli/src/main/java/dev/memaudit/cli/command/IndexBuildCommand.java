package dev.memaudit.cli.command;

import dev.memaudit.cli.support.Messages;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.Json;
import dev.memaudit.core.run.Timings;
import dev.memaudit.index.build.BuildReport;
import dev.memaudit.index.build.IndexBuilder;
import dev.memaudit.index.build.WorkOutcome;
import dev.memaudit.index.source.ReadLimits;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code memaudit index build}. */
@Command(
        name = "build",
        mixinStandardHelpOptions = true,
        description = {
            "Index a corpus (a folder, or a corpus.yaml) into an n-gram index.",
            "Works already indexed with an unchanged source are kept; changed works are replaced;"
                    + " works of other corpora already in the index stay."
        })
public final class IndexBuildCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
            names = "--corpus",
            required = true,
            paramLabel = "<dir|corpus.yaml>",
            description = "Corpus folder or manifest.")
    Path corpus;

    @Mixin IndexOption index;

    @Option(
            names = "--ngram",
            defaultValue = "8",
            description = "Words per indexed gram (2-64; default ${DEFAULT-VALUE}).")
    int ngram;

    @Option(
            names = "--strict",
            description = "Fail, committing nothing, if any work is empty, skipped or failed.")
    boolean strict;

    @Option(
            names = "--threads",
            defaultValue = "2",
            description = "Indexing threads (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(
            names = "--limit",
            paramLabel = "<key=value>",
            description = {
                "Override a reading limit of corpus.yaml's limits: (repeatable), e.g. --limit"
                        + " max_document_bytes=256MiB. Keys and defaults: max_work_bytes 512MiB,"
                        + " max_document_bytes 64MiB, max_compression_ratio 100, max_line_bytes"
                        + " 64MiB, max_depth 512, max_elements 1000000 (see README, Corpus)."
            })
    Map<String, String> limits = new LinkedHashMap<>();

    @Mixin FormatOption format;

    @Option(
            names = "--timings",
            description =
                    "Print the wall-clock seconds of JVM start and the build to stderr at the end"
                            + " (the build's own steps are in its progress messages).")
    boolean timings;

    @Override
    public Integer call() throws Exception {
        Timings clock = timings ? Timings.sinceJvmStart() : null;
        var err = spec.commandLine().getErr();
        var out = spec.commandLine().getOut();
        IndexBuilder builder = new IndexBuilder(Clock.systemUTC(), Messages.to(spec));
        BuildReport r =
                builder.buildAndRecord(
                        corpus,
                        index.path(),
                        new IndexBuilder.Options(ngram, strict, threads, parseLimits()));
        if (clock != null) {
            clock.mark("index build");
        }
        for (WorkOutcome o : r.outcomes()) {
            if (o.status() != WorkOutcome.Status.INDEXED
                    && o.status() != WorkOutcome.Status.UNCHANGED) {
                err.println(
                        "memaudit: "
                                + o.source()
                                + (o.line() == null ? "" : ":" + o.line())
                                + ": "
                                + o.status().name().toLowerCase(Locale.ROOT)
                                + ": "
                                + o.reason());
            }
        }
        if (format.json()) {
            out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(r));
        } else {
            out.printf(
                    Locale.ROOT,
                    "index %s (generation %d): %d works, %,d words, %,d distinct %d-grams, %,d repeated (occurring twice or more)%n",
                    r.index(),
                    r.generation(),
                    r.works(),
                    r.totalWords(),
                    r.distinctGrams(),
                    ngram,
                    r.hotGrams());
            out.printf(Locale.ROOT, "this build: %s%n", r.counts());
            out.printf(
                    Locale.ROOT,
                    "%.1f MB of text in %.2f s (%.2f MB/s), index %.1f MB, heap peak <= %.0f MB%n",
                    r.sourceBytes() / 1e6,
                    r.seconds(),
                    r.megabytesPerSecond(),
                    r.indexBytes() / 1e6,
                    r.heapPeakBytes() / 1e6);
        }
        out.flush();
        if (clock != null) {
            clock.printTo(err);
        }
        return 0;
    }

    /** The --limit flags, every bad key or value reported at once (exit 2). */
    private Map<ReadLimits.Key, Long> parseLimits() {
        Map<ReadLimits.Key, Long> parsed = new EnumMap<>(ReadLimits.Key.class);
        StringBuilder problems = new StringBuilder();
        for (Map.Entry<String, String> e : limits.entrySet()) {
            ReadLimits.Key key = ReadLimits.Key.of(e.getKey());
            if (key == null) {
                problems.append("\n  --limit: unknown key '")
                        .append(e.getKey())
                        .append("' (allowed: ")
                        .append(ReadLimits.Key.names())
                        .append(")");
                continue;
            }
            try {
                parsed.put(key, key.parse(e.getValue()));
            } catch (IllegalArgumentException bad) {
                problems.append("\n  --limit ").append(bad.getMessage());
            }
        }
        if (problems.length() > 0) {
            throw MemauditException.usage(problems.substring(3));
        }
        return parsed;
    }
}
