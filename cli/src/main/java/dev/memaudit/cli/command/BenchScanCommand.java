package dev.memaudit.cli.command;

import dev.memaudit.core.io.FileTrees;
import dev.memaudit.index.bench.ScanBench;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code memaudit bench scan}. */
@Command(
        name = "scan",
        mixinStandardHelpOptions = true,
        description = {
            "Generate a corpus and outputs with planted passages, build the index (child JVM,"
                    + " --build-heap-mb), scan warm on 1 and N threads, compare with a plain"
                    + " HashMap baseline, check recall, scan cold (child JVM, --scan-heap-mb:"
                    + " fresh index open), and project the figures linearly to 1 B words."
                    + " Prints figures."
        })
public final class BenchScanCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
            names = "--corpus-mb",
            defaultValue = "50",
            description = "Corpus size (default ${DEFAULT-VALUE}).")
    double corpusMb;

    @Option(
            names = "--outputs-mb",
            defaultValue = "20",
            description = "Outputs size (default ${DEFAULT-VALUE}).")
    double outputsMb;

    @Option(
            names = "--threads",
            defaultValue = "2",
            description = "Threads (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(
            names = "--seed",
            defaultValue = "42",
            description = "Generator seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--min-words",
            defaultValue = "12",
            description = "Shortest span (default ${DEFAULT-VALUE}).")
    int minWords;

    @Option(
            names = "--reps",
            defaultValue = "7",
            description = "Timed scan repetitions after 5 untimed ones (default ${DEFAULT-VALUE}).")
    int reps;

    @Option(
            names = "--build-heap-mb",
            defaultValue = "1024",
            description = "-Xmx of the index-building child JVM, MiB (default ${DEFAULT-VALUE}).")
    int buildHeapMb;

    @Option(
            names = "--scan-heap-mb",
            defaultValue = "4096",
            description = "-Xmx of the cold-scan child JVM, MiB (default ${DEFAULT-VALUE}).")
    int scanHeapMb;

    /** The baseline's switch. */
    enum Baseline {
        auto,
        on,
        off
    }

    @Option(
            names = "--baseline",
            defaultValue = "auto",
            description =
                    "HashMap baseline: on, off, or auto = when its map (about 120 B per corpus"
                            + " word) fits in a third of this JVM's heap (default ${DEFAULT-VALUE}).")
    Baseline baseline;

    @Option(
            names = "--work-dir",
            description =
                    "Where to put corpus, index and outputs (default: a temporary folder, deleted afterwards).")
    Path workDir;

    @Override
    public Integer call() throws Exception {
        boolean temporary = workDir == null;
        Path dir = temporary ? Files.createTempDirectory("memaudit-bench-") : workDir;
        try {
            new ScanBench(spec.commandLine().getOut())
                    .run(
                            new ScanBench.Settings(
                                    corpusMb,
                                    outputsMb,
                                    threads,
                                    seed,
                                    minWords,
                                    reps,
                                    buildHeapMb,
                                    scanHeapMb,
                                    baseline == Baseline.auto ? null : baseline == Baseline.on),
                            dir);
        } finally {
            if (temporary) {
                FileTrees.delete(dir);
            }
        }
        return 0;
    }
}
