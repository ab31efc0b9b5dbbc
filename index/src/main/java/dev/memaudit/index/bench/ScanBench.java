package dev.memaudit.index.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.FileTrees;
import dev.memaudit.core.io.Json;
import dev.memaudit.core.io.JsonlWriter;
import dev.memaudit.core.records.scan.Span;
import dev.memaudit.core.text.CodePoints;
import dev.memaudit.core.text.NormalizedWords;
import dev.memaudit.core.text.WordNormalizer;
import dev.memaudit.index.build.IndexLayout;
import dev.memaudit.index.build.IndexManifest;
import dev.memaudit.index.ngram.GramHash;
import dev.memaudit.index.scan.GramLookup;
import dev.memaudit.index.scan.IntList;
import dev.memaudit.index.scan.NgramIndex;
import dev.memaudit.index.scan.OutputScanner;
import dev.memaudit.index.scan.ScanService;
import dev.memaudit.index.scan.SpanFinder;
import dev.memaudit.index.store.WorksStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * {@code memaudit bench scan}: generates a corpus and model outputs with planted passages, builds
 * the index in a child JVM limited to 1 GB of heap, scans warm on 1 and 2 threads, runs a plain
 * hash-map baseline in the same process, and checks recall of every planted passage and of every
 * corpus occurrence of it (found by brute force). Prints figures; asserts nothing about speed.
 */
public final class ScanBench {
    /**
     * Benchmark settings.
     *
     * @param buildHeapMb -Xmx of the child JVM that builds the index, in MiB
     * @param scanHeapMb -Xmx of the child JVM that opens the index and scans cold, in MiB
     * @param baseline run the HashMap baseline: true, false, or null for "when its map (about 120
     *     bytes per corpus word) fits in a third of this JVM's maximum heap"
     */
    public record Settings(
            double corpusMb,
            double outputsMb,
            int threads,
            long seed,
            int minWords,
            int reps,
            int buildHeapMb,
            int scanHeapMb,
            Boolean baseline) {
        public Settings {
            if (buildHeapMb < 64 || scanHeapMb < 64) {
                throw new IllegalArgumentException(
                        "child heaps must be at least 64 MiB, got build "
                                + buildHeapMb
                                + " and scan "
                                + scanHeapMb);
            }
        }

        /** With a 1 GiB build heap, a 4 GiB scan heap and the baseline when it fits. */
        public Settings(
                double corpusMb, double outputsMb, int threads, long seed, int minWords, int reps) {
            this(corpusMb, outputsMb, threads, seed, minWords, reps, 1024, 4096, null);
        }
    }

    /** Heap bytes the baseline's HashMap takes per corpus gram, about (boxed key, entry, array). */
    private static final long BASELINE_BYTES_PER_GRAM = 120;

    /** The catalogue size the projection is made for, in normalized words. */
    static final long PROJECTED_WORDS = 1_000_000_000L;

    /**
     * A passage copied into an output: output words [outStart, outEnd) = corpus words from
     * globalStart; code points [cpStart, cpEnd) of the output text.
     */
    record Planted(int output, int outStart, int outEnd, int globalStart, int cpStart, int cpEnd) {}

    /** Untimed runs before the timed ones, so the JIT has compiled the scan loop. */
    private static final int WARMUP = 5;

    private final PrintWriter out;

    public ScanBench(PrintWriter out) {
        this.out = out;
    }

    public Map<String, Object> run(Settings s, Path workDir) throws Exception {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("settings", s);
        Path corpusDir = workDir.resolve("corpus");
        Path indexDir = workDir.resolve("index");
        Files.createDirectories(corpusDir);
        BenchText text = new BenchText(s.seed());

        long t0 = System.nanoTime();
        long corpusBytes = writeCorpus(text, corpusDir, s);
        say(
                "generated corpus: %.1f MB in %s (%.1f s)",
                corpusBytes / 1e6, corpusDir, (System.nanoTime() - t0) / 1e9);
        figures.put("corpus_bytes", corpusBytes);

        JsonNode build = buildInChild(corpusDir, indexDir, s.threads(), s.buildHeapMb());
        figures.put("build", build);
        say(
                "index build (child JVM, -Xmx%dm, %d threads): %.1f MB in %.2f s = %.2f MB/s;"
                        + " heap peak <= %.0f MB; index folder %.1f MB (%.1f B/word with the works store); %,d words, %,d"
                        + " distinct grams, %,d repeated",
                s.buildHeapMb(),
                s.threads(),
                build.get("source_bytes").asLong() / 1e6,
                build.get("seconds").asDouble(),
                build.get("megabytes_per_second").asDouble(),
                build.get("heap_peak_bytes").asLong() / 1e6,
                build.get("index_bytes").asLong() / 1e6,
                build.get("index_bytes").asDouble()
                        / Math.max(1, build.get("total_words").asLong()),
                build.get("total_words").asLong(),
                build.get("distinct_grams").asLong(),
                build.get("hot_grams").asLong());

        long luceneBytes = FileTrees.size(indexDir.resolve("lucene"));
        say(
                "Lucene part: %.1f MB = %.1f B per distinct gram",
                luceneBytes / 1e6,
                luceneBytes / (double) Math.max(1, build.get("distinct_grams").asLong()));
        figures.put("lucene_bytes", luceneBytes);
        Map<String, Object> disk = disk(indexDir, build.get("total_words").asLong());
        figures.put("disk", disk);
        long words = 0;
        try (NgramIndex index = NgramIndex.open(indexDir)) {
            t0 = System.nanoTime();
            List<Planted> planted = new ArrayList<>();
            List<ScanService.Output> outputs = makeOutputs(text, index, s, planted);
            long outputBytes = writeOutputs(outputs, workDir.resolve("outputs.jsonl"));
            for (ScanService.Output o : outputs) {
                words += WordNormalizer.normalize(o.text()).size();
            }
            say(
                    "generated %d outputs: %.1f MB, %,d words, %d planted passages (%.1f s)",
                    outputs.size(),
                    outputBytes / 1e6,
                    words,
                    planted.size(),
                    (System.nanoTime() - t0) / 1e9);
            figures.put("outputs", outputs.size());
            figures.put("output_bytes", outputBytes);
            figures.put("output_words", words);
            figures.put("planted", planted.size());

            ScanService.Options options = new ScanService.Options(s.minWords(), s.threads(), null);
            // Rarity-seeded Lucene scan, as `memaudit scan` runs it.
            List<List<SpanFinder.Run>> runs = null;
            Map<String, Object> scan = new LinkedHashMap<>();
            for (int threads : new int[] {s.threads(), 1}) {
                double[] secs = new double[s.reps()];
                long[] lookups = new long[1];
                for (int rep = -WARMUP; rep < s.reps(); rep++) {
                    long start = System.nanoTime();
                    List<List<SpanFinder.Run>> got =
                            scanAll(
                                    outputs,
                                    threads,
                                    () -> OutputScanner.of(index, options),
                                    lookups);
                    double sec = (System.nanoTime() - start) / 1e9;
                    if (rep >= 0) {
                        secs[rep] = sec;
                    }
                    runs = got;
                }
                double median = median(secs);
                say(
                        "scan, Lucene + Bloom + rarity seeding, %d thread(s): median %.3f s = %.2f M"
                                + " words/s (best %.2f; runs %s s); %,d seed lookups per scan",
                        threads,
                        median,
                        words / median / 1e6,
                        words / min(secs) / 1e6,
                        Arrays.toString(secs),
                        lookups[0] / (s.reps() + WARMUP));
                scan.put("threads_" + threads + "_words_per_second", words / median);
            }
            figures.put("scan", scan);
            long spanCount = runs.stream().mapToLong(List::size).sum();
            say("spans (>= %d words): %,d", s.minWords(), spanCount);
            figures.put("spans", spanCount);

            Recall recall = recall(index, outputs, planted, runs, s.minWords());
            say(
                    "recall: planted %d/%d = %.4f; all corpus occurrences %d/%d = %.4f",
                    recall.plantedFound,
                    planted.size(),
                    recall.plantedFound / (double) planted.size(),
                    recall.occurrencesFound,
                    recall.occurrences,
                    recall.occurrencesFound / (double) Math.max(1, recall.occurrences));
            figures.put("recall_planted", recall.plantedFound / (double) planted.size());
            figures.put(
                    "recall_occurrences",
                    recall.occurrencesFound / (double) Math.max(1, recall.occurrences));
            figures.put("occurrences", recall.occurrences);

            Offsets offsets = offsets(index, outputs, planted, options);
            say(
                    "offsets: %d/%d planted passages inside a reported span of their work whose"
                            + " output and work code-point ranges contain them at the same word"
                            + " distance; %d/%d spans re-sliced from both original texts normalize"
                            + " to the same words",
                    offsets.plantedAt, planted.size(), offsets.spansVerified, offsets.spans);
            figures.put("planted_at_right_offsets", offsets.plantedAt);
            figures.put("spans_reslice_verified", offsets.spansVerified);

            // Plain baseline: HashMap<gram, positions>, every k-th gram looked up, no prefilter.
            long baselineHeap = BASELINE_BYTES_PER_GRAM * index.store().totalWords();
            boolean runBaseline =
                    s.baseline() != null
                            ? s.baseline()
                            : baselineHeap < Runtime.getRuntime().maxMemory() / 3;
            if (!runBaseline) {
                say(
                        "baseline HashMap skipped: it would take about %,d MB of heap (%d B per"
                                + " gram), this JVM may use %,d MB",
                        baselineHeap >> 20,
                        BASELINE_BYTES_PER_GRAM,
                        Runtime.getRuntime().maxMemory() >> 20);
                figures.put("baseline", "skipped: needs about " + (baselineHeap >> 20) + " MB");
            } else {
                t0 = System.nanoTime();
                Map<Long, int[]> map = hashMapOf(index.store(), index.ngram());
                double setup = (System.nanoTime() - t0) / 1e9;
                double[] secs = new double[Math.max(1, s.reps() / 2)];
                List<List<SpanFinder.Run>> baseRuns = null;
                for (int rep = -1; rep < secs.length; rep++) {
                    long start = System.nanoTime();
                    baseRuns =
                            scanAll(
                                    outputs,
                                    s.threads(),
                                    () ->
                                            OutputScanner.withFinder(
                                                    index,
                                                    new SpanFinder(
                                                            index.store(),
                                                            index.ngram(),
                                                            s.minWords(),
                                                            SpanFinder.Seeding.STRIDE,
                                                            new MapLookup(map),
                                                            null,
                                                            null),
                                                    options),
                                    new long[1]);
                    if (rep >= 0) {
                        secs[rep] = (System.nanoTime() - start) / 1e9;
                    }
                }
                double baseline = words / median(secs);
                double ours = (Double) scan.get("threads_" + s.threads() + "_words_per_second");
                say(
                        "baseline HashMap + stride seeding, %d threads: %.2f M words/s (setup %.1f s);"
                                + " Lucene scan is %.1fx the baseline; same spans: %s",
                        s.threads(),
                        baseline / 1e6,
                        setup,
                        ours / baseline,
                        fingerprint(baseRuns) == fingerprint(runs));
                figures.put("baseline_words_per_second", baseline);
                figures.put("speedup_over_baseline", ours / baseline);
                figures.put("baseline_same_spans", fingerprint(baseRuns) == fingerprint(runs));
            }
            figures.put("near", near(text, index, s, outputs, words));
        }
        return finish(figures, s, workDir, indexDir, build, disk, words);
    }

    /**
     * After the in-process index is closed: the bench process's heap peak, the cold scan in a child
     * JVM, the projection to {@value #PROJECTED_WORDS} words, and bench.json.
     */
    private Map<String, Object> finish(
            Map<String, Object> figures,
            Settings s,
            Path workDir,
            Path indexDir,
            JsonNode build,
            Map<String, Object> disk,
            long outputWords)
            throws Exception {
        long peak = HeapFigures.peakBytes();
        say(
                "bench process heap peak <= %.0f MB (generator, outputs, the index opened in"
                        + " process%s)",
                peak / 1e6,
                figures.containsKey("baseline_words_per_second") ? ", the baseline's HashMap" : "");
        figures.put("bench_heap_peak_bytes", peak);
        // Release the in-process index before the child JVM takes its own heap.
        HeapFigures.liveBytes();

        JsonNode cold =
                scanInChild(
                        indexDir,
                        workDir.resolve("outputs.jsonl"),
                        s.threads(),
                        s.minWords(),
                        s.scanHeapMb());
        figures.put("cold", cold);
        long totalWords = build.get("total_words").asLong();
        double first = cold.get("first_scan_seconds").asDouble();
        double second = cold.get("second_scan_seconds").asDouble();
        say(
                "cold scan (child JVM, -Xmx%dm, %d threads; fresh process, fresh index open, page"
                        + " cache not dropped): open %.2f s; first scan %.2f s = %.2f M words/s"
                        + " (open + first scan: %.2f M words/s); second scan in that JVM %.2f M"
                        + " words/s; index held in heap %.0f MB = %.1f B/corpus word; heap peak"
                        + " <= %.0f MB; same spans both passes: %s",
                s.scanHeapMb(),
                s.threads(),
                cold.get("open_seconds").asDouble(),
                first,
                outputWords / first / 1e6,
                outputWords / (first + cold.get("open_seconds").asDouble()) / 1e6,
                outputWords / second / 1e6,
                cold.get("index_live_heap_bytes").asLong() / 1e6,
                cold.get("index_live_heap_bytes").asDouble() / Math.max(1, totalWords),
                cold.get("heap_peak_bytes").asLong() / 1e6,
                cold.get("first_spans").asLong() == cold.get("second_spans").asLong());

        // memaudit scan as a user runs it; a failure (out of heap) is a figure, not an abort
        Path scanOut = workDir.resolve("scan-out");
        FileTrees.delete(scanOut);
        JsonNode service =
                childOrNull(
                        ScanChild.class,
                        s.scanHeapMb(),
                        indexDir.toString(),
                        workDir.resolve("outputs.jsonl").toString(),
                        Integer.toString(s.threads()),
                        Integer.toString(s.minWords()),
                        scanOut.toString());
        if (service == null) {
            say(
                    "memaudit scan (ScanService, near on; child JVM, -Xmx%dm, ParallelGC):"
                            + " FAILED, see its error above (what the open index holds and the"
                            + " common-text table must fit ParallelGC's old generation, 2/3 of the"
                            + " heap: a larger heap, or split the index by work: docs/scale.md)",
                    s.scanHeapMb());
            figures.put("scan_service", "failed under -Xmx" + s.scanHeapMb() + "m");
        } else {
            say(
                    "memaudit scan (ScanService, near on; child JVM, -Xmx%dm): fresh open + scan"
                            + " %.2f s = %.2f M words/s; %,d spans, %,d near passages; heap peak"
                            + " <= %.0f MB = %.1f B/corpus word",
                    s.scanHeapMb(),
                    service.get("seconds").asDouble(),
                    outputWords / service.get("seconds").asDouble() / 1e6,
                    service.get("spans").asLong(),
                    service.get("near_passages").asLong(),
                    service.get("heap_peak_bytes").asLong() / 1e6,
                    service.get("heap_peak_bytes").asDouble() / Math.max(1, totalWords));
            figures.put("scan_service", service);
        }
        FileTrees.delete(scanOut);

        figures.put("projection", project(figures, build, disk, cold, totalWords));
        Json.writePretty(workDir.resolve("bench.json"), figures);
        say("figures written to %s", workDir.resolve("bench.json"));
        return figures;
    }

    /** Bytes on disk of each part of the index, and per corpus word (normalized words). */
    private Map<String, Object> disk(Path indexDir, long totalWords) throws IOException {
        IndexManifest m = IndexLayout.readManifest(indexDir);
        Path storeDir = indexDir.resolve(IndexLayout.STORE_DIR);
        long lucene = FileTrees.size(indexDir.resolve(IndexLayout.LUCENE_DIR));
        long store = Files.size(storeDir.resolve(m.storeFile()));
        long grams = Files.size(storeDir.resolve(m.gramsFile()));
        long total = FileTrees.size(indexDir);
        long luceneFiles;
        try (var files = Files.list(indexDir.resolve(IndexLayout.LUCENE_DIR))) {
            luceneFiles = files.count();
        }
        double w = Math.max(1, totalWords);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("total_bytes", total);
        d.put("bytes_per_word", total / w);
        d.put("lucene_bytes_per_word", lucene / w);
        d.put("store_bytes_per_word", store / w);
        d.put("sidecar_bytes_per_word", grams / w);
        d.put("lucene_files", luceneFiles);
        say(
                "disk: %.1f B per corpus word (%,d words): Lucene points %.1f (%d files), works"
                        + " store %.1f (text + 16 B of word arrays), Bloom + hot grams %.1f",
                total / w, totalWords, lucene / w, luceneFiles, store / w, grams / w);
        return d;
    }

    /**
     * The figures of this run scaled linearly in corpus words to {@value #PROJECTED_WORDS} words: a
     * projection, not a measurement. Build time grows faster than linearly (the single-segment
     * merge and the points sort are n log n), so its projection is a lower bound; the Bloom filter
     * is rounded up to a power of two, so its bytes per word vary by up to 2x between sizes.
     */
    private Map<String, Object> project(
            Map<String, Object> figures,
            JsonNode build,
            Map<String, Object> disk,
            JsonNode cold,
            long totalWords) {
        double scale = PROJECTED_WORDS / (double) Math.max(1, totalWords);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("basis", "linear in corpus words from this run's " + totalWords + " words");
        p.put("words", PROJECTED_WORDS);
        p.put("build_seconds", build.get("seconds").asDouble() * scale);
        p.put("disk_bytes", (Double) disk.get("bytes_per_word") * PROJECTED_WORDS);
        p.put("scan_index_heap_bytes", cold.get("index_live_heap_bytes").asDouble() * scale);
        p.put("open_seconds", cold.get("open_seconds").asDouble() * scale);
        say(
                "PROJECTED to %,d words (linear in words from this run's %,d, x%.1f; not"
                        + " measured): build >= %.0f min; disk %.1f GB; index held in heap by a"
                        + " scan %.1f GB (at the bytes per word measured here, one JVM under -Xmx4g"
                        + " holds at most about %,d M words); open %.0f s; scan"
                        + " throughput per output word does not depend on corpus size beyond"
                        + " cache misses (Bloom at 10+ bits per gram), so the warm figure above"
                        + " stands as an estimate",
                PROJECTED_WORDS,
                totalWords,
                scale,
                build.get("seconds").asDouble() * scale / 60,
                (Double) disk.get("bytes_per_word") * PROJECTED_WORDS / 1e9,
                cold.get("index_live_heap_bytes").asDouble() * scale / 1e9,
                (long)
                        (4.0
                                * (1L << 30)
                                / Math.max(
                                        1,
                                        cold.get("index_live_heap_bytes").asDouble()
                                                / Math.max(1, totalWords))
                                / 1e6),
                cold.get("open_seconds").asDouble() * scale);
        return p;
    }

    /**
     * Near-verbatim figures: planted copies of 12-150 words with 1-10 % of their words substituted,
     * inserted or deleted; recall of those of at least 30 words with at most 10 % edits (found when
     * one reported passage of the right work, at the planted place, holds at least 90 % of the
     * copy's output words); near passages in decoy outputs (fresh prose with the corpus's stock
     * phrases and no copies) per million decoy words; and the warm throughput of the scan with near
     * passages against the exact-only scan of the same outputs, in the same process.
     */
    private Map<String, Object> near(
            BenchText text,
            NgramIndex index,
            Settings s,
            List<ScanService.Output> exactOutputs,
            long exactWords)
            throws Exception {
        Map<String, Object> f = new LinkedHashMap<>();
        WorksStore store = index.store();
        SplittableRandom r = new SplittableRandom(s.seed() * 29 + 5);
        ScanService.Options exactOnly = new ScanService.Options(s.minWords(), 1, null);
        ScanService.Options near = exactOnly.near(ScanService.DEFAULT_MIN_SIMILARITY);
        OutputScanner scanner = OutputScanner.of(index, near);
        int plantedCount = Math.max(200, (int) (s.outputsMb() * 100));
        int[] byLenFound = new int[3]; // 12-29, 30-59, 60-150 words
        int[] byLen = new int[3];
        int targetFound = 0;
        int target = 0;
        double simSum = 0;
        RecentTexts cache = new RecentTexts(store);
        for (int p = 0; p < plantedCount; p++) {
            int ord = r.nextInt(store.size());
            int len = 12 + r.nextInt(139);
            if (store.words(ord) < len + 1) {
                continue;
            }
            double rate = (1 + r.nextInt(10)) / 100.0;
            int g = store.base(ord) + r.nextInt(store.words(ord) - len + 1);
            String work = cache.get(ord);
            StringBuilder sb = new StringBuilder();
            text.prose(sb, r, 20 + r.nextInt(60), true);
            int cpStart = sb.codePointCount(0, sb.length());
            int edits = 0;
            for (int k = 0; k < len; k++) {
                int a = work.offsetByCodePoints(0, store.start(g + k));
                int b = work.offsetByCodePoints(a, store.end(g + k) - store.start(g + k));
                if (k > 0) {
                    sb.append(' ');
                }
                if (r.nextDouble() >= rate) {
                    sb.append(work, a, b);
                    continue;
                }
                edits++;
                switch (r.nextInt(3)) {
                    case 0 -> sb.append(text.word(r));
                    case 1 -> sb.append(work, a, b).append(' ').append(text.word(r));
                    default -> {
                        if (k > 0) {
                            sb.setLength(sb.length() - 1);
                        }
                    }
                }
            }
            int cpEnd = sb.codePointCount(0, sb.length());
            sb.append(". ");
            text.prose(sb, r, 20 + r.nextInt(60), true);
            String out = sb.toString();
            List<Span> spans = scanner.scan(new ScanService.Output(p, "n" + p, out, null)).spans();
            NormalizedWords ow = WordNormalizer.normalize(out);
            int wordsIn = countIn(ow, cpStart, cpEnd);
            int wStart = store.start(g);
            int wEnd = store.end(g + len - 1);
            String workId = store.id(ord);
            boolean found = false;
            for (Span sp : spans) {
                if (!sp.workId().equals(workId)
                        || sp.workCharEnd() <= wStart
                        || sp.workCharStart() >= wEnd) {
                    continue;
                }
                int held =
                        countIn(
                                ow,
                                Math.max(cpStart, sp.outputCharStart()),
                                Math.min(cpEnd, sp.outputCharEnd()));
                if (held >= 0.9 * wordsIn) {
                    found = true;
                    simSum += sp.similarity();
                    break;
                }
            }
            int bucket = len < 30 ? 0 : len < 60 ? 1 : 2;
            byLen[bucket]++;
            if (found) {
                byLenFound[bucket]++;
            }
            if (len >= 30 && edits <= 0.1 * len) {
                target++;
                if (found) {
                    targetFound++;
                }
            }
        }
        say(
                "near recall (one passage holds >= 90 %% of the copy's words), copies with 1-10 %%"
                        + " edits: 12-29 words %d/%d = %.4f; 30-59 words %d/%d = %.4f; 60-150 words"
                        + " %d/%d = %.4f",
                byLenFound[0],
                byLen[0],
                byLenFound[0] / (double) Math.max(1, byLen[0]),
                byLenFound[1],
                byLen[1],
                byLenFound[1] / (double) Math.max(1, byLen[1]),
                byLenFound[2],
                byLen[2],
                byLenFound[2] / (double) Math.max(1, byLen[2]));
        say(
                "near recall, copies >= 30 words with <= 10 %% of words edited: %d/%d = %.4f (mean"
                        + " similarity of the passages found %.3f)",
                targetFound,
                target,
                targetFound / (double) Math.max(1, target),
                simSum / Math.max(1, byLenFound[0] + byLenFound[1] + byLenFound[2]));
        f.put("recall_near_30_words_10_percent", targetFound / (double) Math.max(1, target));
        f.put("planted_near_30_words_10_percent", target);
        f.put("recall_near_12_29_words", byLenFound[0] / (double) Math.max(1, byLen[0]));

        // Decoys: fresh prose with the corpus's stock phrases, no copies.
        long decoyWords = 0;
        long falseNear = 0;
        long falseExact = 0;
        long decoyTarget = (long) Math.max(1_000_000, s.outputsMb() * 200_000);
        for (int d = 0; decoyWords < decoyTarget; d++) {
            StringBuilder sb = new StringBuilder();
            text.prose(sb, r, 200 + r.nextInt(800), true);
            String out = sb.toString();
            decoyWords += WordNormalizer.normalize(out).size();
            for (Span sp : scanner.scan(new ScanService.Output(d, "d" + d, out, null)).spans()) {
                if (sp.near()) {
                    falseNear++;
                } else {
                    falseExact++;
                }
            }
        }
        say(
                "decoys: %,d words of fresh prose with stock phrases: %d near passages = %.2f per"
                        + " million words (%d exact spans of >= %d words, common text the corpus"
                        + " shares)",
                decoyWords, falseNear, falseNear * 1e6 / decoyWords, falseExact, s.minWords());
        f.put("decoy_words", decoyWords);
        f.put("false_near_per_million_words", falseNear * 1e6 / decoyWords);

        // Throughput: the exact benchmark's outputs, one thread, exact-only against near.
        double[] exactSecs = new double[s.reps()];
        double[] nearSecs = new double[s.reps()];
        long[] ignored = new long[1];
        for (int rep = -WARMUP; rep < s.reps(); rep++) {
            long t0 = System.nanoTime();
            scanAll(exactOutputs, 1, () -> OutputScanner.of(index, exactOnly), ignored);
            long t1 = System.nanoTime();
            scanAll(exactOutputs, 1, () -> OutputScanner.of(index, near), ignored);
            long t2 = System.nanoTime();
            if (rep >= 0) {
                exactSecs[rep] = (t1 - t0) / 1e9;
                nearSecs[rep] = (t2 - t1) / 1e9;
            }
        }
        double ratio = median(exactSecs) / median(nearSecs);
        say(
                "near scan, 1 thread: %.2f M words/s; exact-only %.2f M words/s on the same"
                        + " outputs; near throughput = %.2f of exact",
                exactWords / median(nearSecs) / 1e6, exactWords / median(exactSecs) / 1e6, ratio);
        f.put("near_words_per_second", exactWords / median(nearSecs));
        f.put("exact_words_per_second_same_run", exactWords / median(exactSecs));
        f.put("near_throughput_share_of_exact", ratio);
        return f;
    }

    /** Words of {@code w} starting in code points [from, to). */
    private static int countIn(NormalizedWords w, int from, int to) {
        int n = 0;
        for (int i = 0; i < w.size(); i++) {
            if (w.starts()[i] >= from && w.starts()[i] < to) {
                n++;
            }
        }
        return n;
    }

    private void say(String format, Object... args) {
        out.println(String.format(Locale.ROOT, format, args));
        out.flush();
    }

    /** Work files of log-normal sizes (21 KB - 2.6 MB) with refrains and cross-work quotations. */
    private static long writeCorpus(BenchText text, Path dir, Settings s) throws IOException {
        SplittableRandom r = new SplittableRandom(s.seed() * 31 + 1);
        long target = (long) (s.corpusMb() * 1e6);
        long total = 0;
        List<String> earlier = new ArrayList<>();
        for (int w = 0; total < target; w++) {
            double size = Math.exp(Math.log(120_000) + 1.0 * gaussian(r));
            int bytes = (int) Math.min(2_600_000, Math.max(21_000, size));
            StringBuilder sb = new StringBuilder(bytes + 4096);
            String refrain = null;
            if (r.nextInt(10) < 3) {
                StringBuilder rf = new StringBuilder();
                text.prose(rf, r, 20 + r.nextInt(181), true);
                refrain = rf.toString();
            }
            int repeats = refrain == null ? 0 : 2 + r.nextInt(4);
            while (sb.length() < bytes) {
                text.prose(sb, r, 150 + r.nextInt(400), true);
                if (repeats > 0 && r.nextInt(3) == 0) {
                    sb.append(refrain);
                    repeats--;
                }
                if (!earlier.isEmpty() && r.nextInt(40) == 0) {
                    String src = earlier.get(r.nextInt(earlier.size()));
                    int from = src.indexOf("\n\n", r.nextInt(Math.max(1, src.length() - 2000)));
                    if (from >= 0) {
                        int to = Math.min(src.length(), from + 2 + 120 + r.nextInt(900));
                        sb.append(src, from + 2, to).append("\n\n");
                    }
                }
            }
            String t = sb.toString();
            if (earlier.size() < 40) {
                earlier.add(t);
            } else {
                earlier.set(r.nextInt(earlier.size()), t);
            }
            byte[] b = t.getBytes(StandardCharsets.UTF_8);
            Files.write(dir.resolve(String.format(Locale.ROOT, "work-%04d.txt", w)), b);
            total += b.length;
        }
        return total;
    }

    private static double gaussian(SplittableRandom r) {
        double u = 1 - r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    private JsonNode scanInChild(Path index, Path outputs, int threads, int minWords, int heapMb)
            throws Exception {
        return child(
                ScanChild.class,
                heapMb,
                "benchmark cold scan",
                index.toString(),
                outputs.toString(),
                Integer.toString(threads),
                Integer.toString(minWords));
    }

    private JsonNode buildInChild(Path corpus, Path index, int threads, int heapMb)
            throws Exception {
        return child(
                BuildChild.class,
                heapMb,
                "benchmark index build",
                corpus.toString(),
                index.toString(),
                Integer.toString(threads));
    }

    /** Runs {@code main} in a child JVM with {@code -Xmx<heapMb>m}; its stdout is JSON. */
    private static JsonNode child(Class<?> main, int heapMb, String what, String... args)
            throws Exception {
        JsonNode r = childOrNull(main, heapMb, args);
        if (r == null) {
            throw MemauditException.integrity(what + " failed (its error is above)");
        }
        return r;
    }

    /** As {@link #child}, but null when the child fails (its stderr is this process's). */
    private static JsonNode childOrNull(Class<?> main, int heapMb, String... args)
            throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>();
        command.addAll(
                List.of(
                        java,
                        "-Xmx" + heapMb + "m",
                        "-XX:+UseParallelGC",
                        "-cp",
                        System.getProperty("java.class.path"),
                        main.getName()));
        command.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        byte[] stdout = p.getInputStream().readAllBytes();
        int rc = p.waitFor();
        if (rc != 0) {
            System.err.println("bench: child JVM " + main.getSimpleName() + " exited " + rc);
            return null;
        }
        return Json.MAPPER.readTree(stdout);
    }

    /** Outputs of fresh prose (with stock phrases) and 0-3 planted passages each. */
    private static List<ScanService.Output> makeOutputs(
            BenchText text, NgramIndex index, Settings s, List<Planted> planted) {
        WorksStore store = index.store();
        SplittableRandom r = new SplittableRandom(s.seed() * 17 + 3);
        long target = (long) (s.outputsMb() * 1e6);
        long bytes = 0;
        List<ScanService.Output> outputs = new ArrayList<>();
        String[] emoji = {"🙂", "🚢", "𝐀", "🎵"};
        RecentTexts cache = new RecentTexts(store);
        while (bytes < target) {
            StringBuilder sb = new StringBuilder();
            List<int[]> charRanges =
                    new ArrayList<>(); // [utf16 start, utf16 end, globalStart, words]
            int passages = r.nextInt(4);
            text.prose(sb, r, 40 + r.nextInt(300), true);
            for (int p = 0; p < passages; p++) {
                int ord = r.nextInt(store.size());
                int len = (int) Math.min(300, 12 + Math.round(-53 * Math.log(1 - r.nextDouble())));
                len = Math.min(len, store.words(ord));
                if (len < s.minWords()) {
                    continue;
                }
                int i = r.nextInt(store.words(ord) - len + 1);
                int g = store.base(ord) + i;
                String work = cache.get(ord);
                sb.append(r.nextBoolean() ? " " + emoji[r.nextInt(emoji.length)] + " " : "\n\n");
                int start = sb.length();
                appendPassage(sb, work, store, g, len, r);
                charRanges.add(new int[] {start, sb.length(), g, len});
                sb.append(r.nextBoolean() ? ". " : "\n\n");
                text.prose(sb, r, 20 + r.nextInt(200), true);
            }
            String t = sb.toString();
            int o = outputs.size();
            outputs.add(new ScanService.Output(o + 1, "out-" + o, t, null));
            bytes += t.getBytes(StandardCharsets.UTF_8).length + 30;
            if (charRanges.isEmpty()) {
                continue;
            }
            NormalizedWords w = WordNormalizer.normalize(t);
            for (int[] cr : charRanges) {
                int cpStart = t.codePointCount(0, cr[0]);
                int cpEnd = t.codePointCount(0, cr[1]);
                int a = Arrays.binarySearch(w.starts(), 0, w.size(), cpStart);
                int b = a;
                while (b < w.size() && w.ends()[b] <= cpEnd) {
                    b++;
                }
                if (a < 0 || b - a != cr[3]) {
                    throw new IllegalStateException(
                            "generator bug: planted passage in output "
                                    + o
                                    + " does not map to words");
                }
                planted.add(new Planted(o, a, b, cr[2], cpStart, cpEnd));
            }
        }
        return outputs;
    }

    /** The passage exactly (35 %), or its words re-set with other spacing, punctuation and case. */
    private static void appendPassage(
            StringBuilder sb, String work, WorksStore store, int g, int len, SplittableRandom r) {
        if (r.nextInt(100) < 35) {
            int a = work.offsetByCodePoints(0, store.start(g));
            int b = work.offsetByCodePoints(a, store.end(g + len - 1) - store.start(g));
            sb.append(work, a, b);
            return;
        }
        boolean upper = r.nextInt(10) == 0;
        int pos = 0;
        int cp = 0;
        for (int k = 0; k < len; k++) {
            // walk forward in code points (works here are BMP-only, but stay correct anyway)
            pos = work.offsetByCodePoints(pos, store.start(g + k) - cp);
            int end = work.offsetByCodePoints(pos, store.end(g + k) - store.start(g + k));
            cp = store.end(g + k);
            String word = work.substring(pos, end);
            pos = end;
            if (k > 0) {
                int sep = r.nextInt(20);
                sb.append(sep == 0 ? ", " : sep == 1 ? " — " : sep == 2 ? "\n" : " ");
            }
            sb.append(upper ? word.toUpperCase(Locale.ROOT) : word);
        }
    }

    private static long writeOutputs(List<ScanService.Output> outputs, Path file)
            throws IOException {
        try (JsonlWriter w = JsonlWriter.create(file)) {
            for (ScanService.Output o : outputs) {
                w.write(Map.of("id", o.id(), "text", o.text()));
            }
        }
        return Files.size(file);
    }

    interface ScannerFactory {
        OutputScanner create();
    }

    static List<List<SpanFinder.Run>> scanAll(
            List<ScanService.Output> outputs, int threads, ScannerFactory factory, long[] lookups)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<List<SpanFinder.Run>>>> parts = new ArrayList<>();
            int chunk = (outputs.size() + threads - 1) / threads;
            for (int t = 0; t < threads; t++) {
                List<ScanService.Output> mine =
                        outputs.subList(
                                Math.min(outputs.size(), t * chunk),
                                Math.min(outputs.size(), (t + 1) * chunk));
                parts.add(
                        pool.submit(
                                () -> {
                                    OutputScanner scanner = factory.create();
                                    List<List<SpanFinder.Run>> res = new ArrayList<>(mine.size());
                                    for (ScanService.Output o : mine) {
                                        res.add(scanner.scan(o).runs());
                                    }
                                    synchronized (lookups) {
                                        lookups[0] += scanner.seedLookups();
                                    }
                                    return res;
                                }));
            }
            List<List<SpanFinder.Run>> all = new ArrayList<>(outputs.size());
            for (var f : parts) {
                all.addAll(f.get());
            }
            return all;
        } finally {
            pool.shutdownNow();
        }
    }

    record Recall(int plantedFound, long occurrences, long occurrencesFound) {}

    record Offsets(int plantedAt, long spans, long spansVerified) {}

    /**
     * Checks the spans as a user sees them, by code points, independently of the scan's word
     * arithmetic: each span's two ranges are cut from the original texts and normalized again, and
     * must give the same words; each planted passage must lie inside a span of its work, at the
     * same number of words from the span's start in the output and in the work.
     */
    private static Offsets offsets(
            NgramIndex index,
            List<ScanService.Output> outputs,
            List<Planted> planted,
            ScanService.Options options) {
        WorksStore store = index.store();
        OutputScanner scanner = OutputScanner.of(index, options);
        List<List<Span>> spans = new ArrayList<>(outputs.size());
        RecentTexts texts = new RecentTexts(store);
        Function<String, String> workText = id -> texts.get(store.ordinal(id));
        long total = 0;
        long verified = 0;
        for (ScanService.Output o : outputs) {
            List<Span> found = scanner.scan(o).spans();
            spans.add(found);
            for (Span sp : found) {
                total++;
                String work = workText.apply(sp.workId());
                long[] a =
                        words(
                                CodePoints.substring(
                                        o.text(), sp.outputCharStart(), sp.outputCharEnd()));
                long[] b = words(CodePoints.substring(work, sp.workCharStart(), sp.workCharEnd()));
                if (a.length == sp.words() && Arrays.equals(a, b)) {
                    verified++;
                }
            }
        }
        int at = 0;
        for (Planted p : planted) {
            int ord = store.ordinalOf(p.globalStart());
            String workId = store.id(ord);
            int wStart = store.start(p.globalStart());
            int wEnd = store.end(p.globalStart() + p.outEnd() - p.outStart() - 1);
            String out = outputs.get(p.output()).text();
            for (Span sp : spans.get(p.output())) {
                if (!sp.workId().equals(workId)
                        || sp.outputCharStart() > p.cpStart()
                        || sp.outputCharEnd() < p.cpEnd()
                        || sp.workCharStart() > wStart
                        || sp.workCharEnd() < wEnd) {
                    continue;
                }
                int wordsBeforeInOutput =
                        words(CodePoints.substring(out, sp.outputCharStart(), p.cpStart())).length;
                int wordsBeforeInWork =
                        words(
                                        CodePoints.substring(
                                                workText.apply(workId), sp.workCharStart(), wStart))
                                .length;
                if (wordsBeforeInOutput == wordsBeforeInWork) {
                    at++;
                    break;
                }
            }
        }
        return new Offsets(at, total, verified);
    }

    private static long[] words(String text) {
        NormalizedWords w = WordNormalizer.normalize(text);
        return Arrays.copyOf(w.hashes(), w.size());
    }

    /** Checks every planted passage and, by brute force, every corpus occurrence of it. */
    private static Recall recall(
            NgramIndex index,
            List<ScanService.Output> outputs,
            List<Planted> planted,
            List<List<SpanFinder.Run>> runs,
            int minWords) {
        WorksStore store = index.store();
        int found = 0;
        Map<Long, List<Planted>> byHead = new HashMap<>();
        Map<Planted, long[]> words = new HashMap<>();
        for (Planted p : planted) {
            if (covered(runs.get(p.output()), p.outStart(), p.outEnd(), p.globalStart())) {
                found++;
            }
            int ord = store.ordinalOf(p.globalStart());
            long[] pw =
                    store.hashes(ord, p.globalStart() - store.base(ord), p.outEnd() - p.outStart());
            words.put(p, pw);
            byHead.computeIfAbsent(GramHash.of(pw, 0, minWords), k -> new ArrayList<>()).add(p);
        }
        long occurrences = 0;
        long occFound = 0;
        for (int w = 0; w < store.size(); w++) {
            int lo = store.base(w);
            long[] h = store.hashes(w);
            for (int g = 0; g + minWords <= h.length; g++) {
                List<Planted> candidates = byHead.get(GramHash.of(h, g, minWords));
                if (candidates == null) {
                    continue;
                }
                for (Planted p : candidates) {
                    long[] pw = words.get(p);
                    if (g + pw.length > h.length
                            || !Arrays.equals(h, g, g + pw.length, pw, 0, pw.length)) {
                        continue;
                    }
                    occurrences++;
                    if (covered(runs.get(p.output()), p.outStart(), p.outEnd(), lo + g)) {
                        occFound++;
                    }
                }
            }
        }
        return new Recall(found, occurrences, occFound);
    }

    /** True if a run on the same diagonal contains output words [a, b). */
    private static boolean covered(List<SpanFinder.Run> runs, int a, int b, int global) {
        for (SpanFinder.Run run : runs) {
            if (run.outStart() <= a
                    && run.outEnd() >= b
                    && run.globalStart() - run.outStart() == global - a) {
                return true;
            }
        }
        return false;
    }

    private static long fingerprint(List<List<SpanFinder.Run>> runs) {
        long h = 1;
        for (int o = 0; o < runs.size(); o++) {
            for (SpanFinder.Run r : runs.get(o)) {
                h =
                        h * 31
                                + GramHash.fmix64(
                                        ((long) o << 40)
                                                ^ ((long) r.outStart() << 20)
                                                ^ r.outEnd());
                h = h * 31 + r.globalStart();
            }
        }
        return h;
    }

    private static Map<Long, int[]> hashMapOf(WorksStore store, int n) {
        Map<Long, int[]> map = new HashMap<>();
        for (int w = 0; w < store.size(); w++) {
            long[] h = store.hashes(w);
            int lo = store.base(w);
            for (int i = 0; i + n <= h.length; i++) {
                long key = GramHash.of(h, i, n);
                int[] list = map.get(key);
                if (list == null) {
                    map.put(key, new int[] {1, lo + i});
                } else {
                    if (list[0] + 1 == list.length) {
                        list = Arrays.copyOf(list, list.length * 2);
                        map.put(key, list);
                    }
                    list[++list[0]] = lo + i;
                }
            }
        }
        return map;
    }

    /** The baseline's lookup: a plain HashMap from gram to positions. */
    private static final class MapLookup implements GramLookup {
        private final Map<Long, int[]> map;

        MapLookup(Map<Long, int[]> map) {
            this.map = map;
        }

        @Override
        public int occurrences(long gram, IntList out) {
            out.clear();
            int[] list = map.get(gram);
            if (list != null) {
                for (int i = 1; i <= list[0]; i++) {
                    out.add(list[i]);
                }
            }
            return out.size();
        }
    }

    /**
     * The texts of the {@value #RECENT} works read last: keeping every work's text read would hold
     * most of a large corpus on the heap (a 2 GB corpus is 2-4 GB of Java strings).
     */
    private static final class RecentTexts {
        private static final int RECENT = 64;
        private final WorksStore store;
        private final Map<Integer, String> texts =
                new LinkedHashMap<>(RECENT * 2, 0.75f, true) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<Integer, String> eldest) {
                        return size() > RECENT;
                    }
                };

        RecentTexts(WorksStore store) {
            this.store = store;
        }

        String get(int ordinal) {
            return texts.computeIfAbsent(ordinal, store::text);
        }
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }
}
