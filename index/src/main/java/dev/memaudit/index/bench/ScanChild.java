package dev.memaudit.index.bench;

import dev.memaudit.core.io.Json;
import dev.memaudit.core.records.scan.ScanSummary;
import dev.memaudit.index.scan.NgramIndex;
import dev.memaudit.index.scan.OutputScanner;
import dev.memaudit.index.scan.ScanService;
import dev.memaudit.index.scan.SpanFinder;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cold scan of {@code bench scan}, in its own JVM started with the heap limit under test: a
 * fresh {@link NgramIndex#open} (which reads the manifest, checks every file's checksum and maps
 * the works store, whose word hashes stay in the file), then one scan of all outputs with a JIT
 * that has compiled nothing yet, then the same scan once more. The operating system's page cache is
 * not dropped (that needs root and would slow the other users of the machine), so "cold" means a
 * fresh process and a fresh index open, not a cold disk. Prints JSON on stdout. Arguments: index
 * folder, outputs JSONL, threads, min words.
 */
public final class ScanChild {
    private ScanChild() {}

    public static void main(String[] args) throws Exception {
        Path indexDir = Path.of(args[0]);
        Path outputsFile = Path.of(args[1]);
        int threads = Integer.parseInt(args[2]);
        int minWords = Integer.parseInt(args[3]);
        if (args.length > 4) {
            service(indexDir, outputsFile, Path.of(args[4]), threads, minWords);
            return;
        }
        List<ScanService.Output> outputs = new ArrayList<>();
        ScanService.forEachOutput(outputsFile, ScanService.DEFAULT_MAX_OUTPUT_BYTES, outputs::add);
        HeapFigures.resetPeaks();
        long liveBefore = HeapFigures.liveBytes();
        Map<String, Object> f = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        try (NgramIndex index = NgramIndex.open(indexDir)) {
            f.put("open_seconds", (System.nanoTime() - t0) / 1e9);
            f.put("index_live_heap_bytes", HeapFigures.liveBytes() - liveBefore);
            ScanService.Options options = new ScanService.Options(minWords, threads, null);
            long[] lookups = new long[1];
            for (String pass : new String[] {"first", "second"}) {
                long start = System.nanoTime();
                List<List<SpanFinder.Run>> runs =
                        ScanBench.scanAll(
                                outputs, threads, () -> OutputScanner.of(index, options), lookups);
                f.put(pass + "_scan_seconds", (System.nanoTime() - start) / 1e9);
                f.put(pass + "_spans", runs.stream().mapToLong(List::size).sum());
            }
        }
        f.put("heap_peak_bytes", HeapFigures.peakBytes());
        f.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
        System.out.println(Json.MAPPER.writeValueAsString(f));
    }

    private static void service(Path indexDir, Path outputs, Path outDir, int threads, int minWords)
            throws Exception {
        HeapFigures.resetPeaks();
        ScanService.Options options =
                new ScanService.Options(minWords, threads, null)
                        .near(ScanService.DEFAULT_MIN_SIMILARITY);
        long t0 = System.nanoTime();
        ScanSummary summary =
                new ScanService(Clock.systemUTC(), msg -> System.err.println("scan: " + msg))
                        .scan(indexDir, outputs, outDir, options, List.of("bench", "scan"));
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("seconds", (System.nanoTime() - t0) / 1e9);
        f.put("words_scanned", summary.wordsScanned());
        f.put("spans", summary.spans());
        f.put("near_passages", summary.nearPassages());
        f.put("heap_peak_bytes", HeapFigures.peakBytes());
        f.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
        System.out.println(Json.MAPPER.writeValueAsString(f));
    }
}
