package dev.memaudit.cli.command;

import dev.memaudit.core.io.FileTrees;
import dev.memaudit.index.bench.GuardBench;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code memaudit bench guard}. */
@Command(
        name = "guard",
        mixinStandardHelpOptions = true,
        description = {
            "Build an index of synthetic works, put the guard in front of an in-process upstream"
                    + " that answers at once, and print the latency the guard adds per request"
                    + " (p50/p99, non-stream and stream, member and non-member outputs)."
        })
public final class BenchGuardCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
            names = "--works",
            defaultValue = "1000",
            description = "Works (default ${DEFAULT-VALUE}).")
    int works;

    @Option(
            names = "--words-per-work",
            defaultValue = "2000",
            description = "Words of each work (default ${DEFAULT-VALUE}).")
    int wordsPerWork;

    @Option(
            names = "--requests",
            defaultValue = "200",
            description = "Timed requests per mode (default ${DEFAULT-VALUE}).")
    int requests;

    @Option(
            names = "--words",
            defaultValue = "375",
            description = "Words of each output (default ${DEFAULT-VALUE}, about 500 tokens).")
    int words;

    @Option(
            names = "--seed",
            defaultValue = "42",
            description = "Generator seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--min-words",
            defaultValue = "12",
            description = "Shortest passage (default ${DEFAULT-VALUE}).")
    int minWords;

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("memaudit-bench-guard-");
        try {
            new GuardBench(spec.commandLine().getOut())
                    .run(
                            new GuardBench.Settings(
                                    works, wordsPerWork, requests, words, seed, minWords),
                            dir);
        } finally {
            FileTrees.delete(dir);
        }
        return 0;
    }
}
