package dev.memaudit.cli.command;

import dev.memaudit.cli.support.Messages;
import dev.memaudit.core.io.Json;
import dev.memaudit.core.io.JsonlWriter;
import dev.memaudit.index.build.BuildReport;
import dev.memaudit.index.build.IndexBuilder;
import dev.memaudit.index.build.WorkOutcome;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
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

    @Mixin FormatOption format;

    @Override
    public Integer call() throws Exception {
        var err = spec.commandLine().getErr();
        var out = spec.commandLine().getOut();
        IndexBuilder builder = new IndexBuilder(Clock.systemUTC(), Messages.to(spec));
        BuildReport r =
                builder.build(
                        corpus, index.path(), new IndexBuilder.Options(ngram, strict, threads));
        try (JsonlWriter log = JsonlWriter.append(index.path().resolve("builds.jsonl"))) {
            log.write(r);
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
        return 0;
    }
}
