package dev.memaudit.cli.command;

import dev.memaudit.cli.support.Messages;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.records.prevalence.PrevalenceSummary;
import dev.memaudit.extractor.prevalence.PrevalenceService;
import dev.memaudit.extractor.prevalence.SyntheticLog;
import dev.memaudit.index.scan.ScanService;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code memaudit bench prevalence}. */
@Command(
        name = "prevalence",
        mixinStandardHelpOptions = true,
        description = {
            "Generate a synthetic gzip output log (background text read in place from"
                    + " --background, planted passages of the .txt works in --works, three strata"
                    + " with known shares), run prevalence over it as a census, and print"
                    + " throughput, peak heap and the estimate against the truth."
        })
public final class BenchPrevalenceCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin IndexOption index;

    @Option(
            names = "--background",
            required = true,
            paramLabel = "<dir>",
            description = "Folder of .txt files of non-member text (read, never copied).")
    Path background;

    @Option(
            names = "--works",
            required = true,
            paramLabel = "<dir>",
            description =
                    "Folder of the indexed works' .txt files: planted passages come from them.")
    Path works;

    @Option(names = "--dir", required = true, paramLabel = "<dir>", description = "Scratch folder.")
    Path dir;

    @Option(
            names = "--log-mb",
            defaultValue = "100",
            description = "Uncompressed log size in MB (default ${DEFAULT-VALUE}).")
    double logMb;

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

    @Override
    public Integer call() throws IOException {
        var out = spec.commandLine().getOut();
        List<String> bg = new ArrayList<>();
        for (Path p : txt(background)) {
            bg.addAll(SyntheticLog.words(Files.readString(p, StandardCharsets.UTF_8)));
        }
        List<String> passages = new ArrayList<>();
        for (Path p : txt(works)) {
            List<String> w = SyntheticLog.words(Files.readString(p, StandardCharsets.UTF_8));
            for (int i = 0; i + 40 <= w.size(); i += 400) {
                passages.add(String.join(" ", w.subList(i + 10, i + 40)));
            }
        }
        if (passages.isEmpty()) {
            throw MemauditException.badInput(works + ": no .txt work of 40 words or more");
        }
        Files.createDirectories(dir);
        Path log = dir.resolve("outputs.jsonl.gz");
        Path run = dir.resolve("run");
        if (Files.exists(run)) {
            throw MemauditException.usage(run + ": exists; remove it or choose another --dir");
        }
        List<SyntheticLog.Stratum> strata =
                List.of(
                        new SyntheticLog.Stratum("m-a", 0.6, 0.01),
                        new SyntheticLog.Stratum("m-b", 0.3, 0.05),
                        new SyntheticLog.Stratum("m-c", 0.1, 0.2));
        long g0 = System.nanoTime();
        SyntheticLog.Truth truth =
                SyntheticLog.write(
                        log, bg, passages, strata, 200, (long) (logMb * 1e6), Long.MAX_VALUE, seed);
        double gen = (System.nanoTime() - g0) / 1e9;
        long gz = Files.size(log);
        out.printf(
                Locale.ROOT,
                "log: %,d outputs, %,.1f MB uncompressed, %,.1f MB gzip (written in %.1f s);"
                        + " background %,d words from %s%n",
                java.util.Arrays.stream(truth.outputs()).sum(),
                truth.bytes() / 1e6,
                gz / 1e6,
                gen,
                bg.size(),
                background);
        List<MemoryPoolMXBean> heap = new ArrayList<>();
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                p.resetPeakUsage();
                heap.add(p);
            }
        }
        System.gc();
        long t0 = System.nanoTime();
        var service = new PrevalenceService(Clock.systemUTC(), Messages.to(spec));
        PrevalenceService.Result r =
                service.run(
                        index.path(),
                        log,
                        run,
                        new PrevalenceService.Options(
                                List.of("model"),
                                null,
                                0,
                                0.95,
                                new ScanService.Options(
                                        12,
                                        threads,
                                        null,
                                        ScanService.DEFAULT_MAX_OUTPUT_BYTES,
                                        0.8,
                                        false)),
                        false,
                        List.of("bench", "prevalence"));
        double s = (System.nanoTime() - t0) / 1e9;
        long peak = 0;
        for (MemoryPoolMXBean p : heap) {
            peak += p.getPeakUsage().getUsed();
        }
        out.printf(
                Locale.ROOT,
                "prevalence (census, %d threads): %,d outputs in %.1f s = %,.0f outputs/s,"
                        + " %.1f MB/s uncompressed, %.1f MB/s gzip; peak heap %,.0f MB"
                        + " (sum of heap pools' peaks; -Xmx %,d MB)%n",
                threads,
                r.read(),
                s,
                r.read() / s,
                truth.bytes() / 1e6 / s,
                gz / 1e6 / s,
                peak / 1e6,
                Runtime.getRuntime().maxMemory() >> 20);
        PrevalenceSummary sum = r.summary();
        for (int h = 0; h < strata.size(); h++) {
            PrevalenceSummary.Share e = sum.byStratum().get(h).share();
            out.printf(
                    Locale.ROOT,
                    "  %s: planted %,d of %,d (%.4f); found %,d (%.4f)%n",
                    sum.byStratum().get(h).values(),
                    truth.planted()[h],
                    truth.outputs()[h],
                    (double) truth.planted()[h] / truth.outputs()[h],
                    e.hits(),
                    e.share());
        }
        out.printf(
                Locale.ROOT,
                "  overall: found %.4f of %,d outputs%n",
                sum.overall().share(),
                sum.overall().population());
        out.flush();
        return 0;
    }

    private static List<Path> txt(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
        }
    }
}
