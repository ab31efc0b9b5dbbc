package dev.memaudit.cli.command;

import dev.memaudit.audit.canary.Excerpts;
import dev.memaudit.cli.support.WriterStream;
import dev.memaudit.core.error.MemauditException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code memaudit canary excerpts}. */
@Command(
        name = "excerpts",
        mixinStandardHelpOptions = true,
        description = {
            "Cut a corpus of book excerpts to plant in a canary from a corpus of books (e.g. the"
                    + " public-domain background books): one excerpt per book, seeded. Train with"
                    + " --background on the same books: the books an excerpt came from are left"
                    + " out of the background. The excerpts are copies: write them to a scratch"
                    + " folder, never into a repository."
        })
public final class CanaryExcerptsCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
            names = "--from",
            required = true,
            paramLabel = "<dir|corpus.yaml>",
            description = "The books to cut from.")
    Path from;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "<dir>",
            description = "Output corpus folder (must not exist or be empty).")
    Path out;

    @Option(names = "--works", description = "Excerpts written as works (default 10).")
    int works = 10;

    @Option(
            names = "--controls",
            description = "Excerpts of other books written as controls (default 0).")
    int controls;

    @Option(
            names = "--words",
            paramLabel = "<min[-max]>",
            description = "Excerpt length in words (default 2500-5000).")
    String words = "2500-5000";

    @Option(names = "--seed", description = "Seed of the books' choice and the cuts (default 42).")
    long seed = 42;

    @Override
    public Integer call() throws IOException {
        int[] bounds = bounds(words);
        PrintStream progress = WriterStream.of(spec.commandLine().getErr());
        List<Excerpts.Excerpt> cut =
                Excerpts.write(
                        new Excerpts.Settings(
                                from, out, works, controls, bounds[0], bounds[1], seed),
                        progress);
        progress.flush();
        var stdout = spec.commandLine().getOut();
        for (Excerpts.Excerpt e : cut) {
            stdout.printf(
                    Locale.ROOT,
                    "%s %s: %d words of %s (characters %d–%d)%n",
                    e.role(),
                    e.id(),
                    e.words(),
                    e.sourceId(),
                    e.charStart(),
                    e.charEnd());
        }
        stdout.printf(Locale.ROOT, "corpus written to %s%n", out.resolve("corpus.yaml"));
        stdout.flush();
        return 0;
    }

    private static int[] bounds(String s) {
        try {
            int dash = s.indexOf('-');
            if (dash < 0) {
                int n = Integer.parseInt(s.trim());
                return new int[] {n, n};
            }
            return new int[] {
                Integer.parseInt(s.substring(0, dash).trim()),
                Integer.parseInt(s.substring(dash + 1).trim())
            };
        } catch (NumberFormatException e) {
            throw MemauditException.usage("--words: " + s + ": expected MIN or MIN-MAX");
        }
    }
}
