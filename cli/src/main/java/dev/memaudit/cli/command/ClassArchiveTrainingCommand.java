package dev.memaudit.cli.command;

import dev.memaudit.cli.Main;
import dev.memaudit.core.io.FileTrees;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code memaudit class-archive-training} (hidden): what the launcher runs once per build under
 * {@code -XX:ArchiveClassesAtExit} so that later runs start from a class archive (AppCDS). It loads
 * the classes of the common commands by running them in this process on a tiny generated corpus in
 * a temporary folder: {@code index build}, {@code index info}, {@code scan} (with near passages),
 * {@code verify} and {@code report}. Their output is discarded; the exit code says whether all of
 * them succeeded.
 */
@Command(
        name = "class-archive-training",
        hidden = true,
        description =
                "Run the common commands on a tiny corpus (for the launcher's class archive).")
public final class ClassArchiveTrainingCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Path dir = Files.createTempDirectory("memaudit-cds-");
        try (PrintWriter sink =
                new PrintWriter(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8)) {
            Path corpus = Files.createDirectories(dir.resolve("corpus"));
            SplittableRandom rnd = new SplittableRandom(19);
            StringBuilder outputs = new StringBuilder();
            for (int w = 0; w < 3; w++) {
                String text = words(rnd, 2_000);
                Files.writeString(corpus.resolve("work" + w + ".txt"), text);
                String copied = text.substring(text.indexOf(' ', 500) + 1, text.indexOf(' ', 900));
                outputs.append(
                        String.format(
                                Locale.ROOT,
                                "{\"id\":\"o%d\",\"text\":\"%s %s %s\"}%n",
                                w,
                                words(rnd, 40),
                                copied,
                                words(rnd, 40)));
            }
            Files.writeString(dir.resolve("outputs.jsonl"), outputs);
            String index = dir.resolve("index").toString();
            String run = dir.resolve("run").toString();
            int code = 0;
            for (String[] args :
                    new String[][] {
                        {"index", "build", "--corpus", corpus.toString(), "--index", index},
                        {"index", "info", "--index", index},
                        {
                            "scan",
                            "--index",
                            index,
                            "--outputs",
                            dir.resolve("outputs.jsonl").toString(),
                            "--out",
                            run
                        },
                        {"verify", run},
                        {"report", "--run", run, "--out", dir.resolve("report").toString()}
                    }) {
                int c = Main.run(sink, sink, args);
                if (c != 0) {
                    spec.commandLine()
                            .getErr()
                            .println("memaudit: " + String.join(" ", args) + " exited " + c);
                    code = 1;
                }
            }
            return code;
        } finally {
            FileTrees.delete(dir);
        }
    }

    /** {@code n} pseudo-words, space-separated. */
    private static String words(SplittableRandom rnd, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(i % 17 == 0 ? ". " : " ");
            }
            int len = 2 + rnd.nextInt(7);
            for (int c = 0; c < len; c++) {
                sb.append((char) ('a' + rnd.nextInt(26)));
            }
        }
        return sb.toString();
    }
}
