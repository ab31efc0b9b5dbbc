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
                    + " -Xmx1g), scan warm on 1 and N threads, compare with a plain HashMap"
                    + " baseline, and check recall. Prints figures."
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
                                    corpusMb, outputsMb, threads, seed, minWords, reps),
                            dir);
        } finally {
            if (temporary) {
                FileTrees.delete(dir);
            }
        }
        return 0;
    }
}
