package dev.memaudit.extractor.prevalence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.RunManifest;
import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.prevalence.PrevalenceConfig;
import dev.memaudit.core.records.prevalence.PrevalenceRecord;
import dev.memaudit.core.records.prevalence.PrevalenceSummary;
import dev.memaudit.core.records.scan.Span;
import dev.memaudit.core.run.RunFolder;
import dev.memaudit.core.run.RunLedger;
import dev.memaudit.index.build.IndexLayout;
import dev.memaudit.index.build.IndexManifest;
import dev.memaudit.index.scan.NgramIndex;
import dev.memaudit.index.scan.OutputScanner;
import dev.memaudit.index.scan.ScanService;
import dev.memaudit.stats.StratifiedProportion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * {@code memaudit prevalence}: the share of model outputs that reproduce indexed text, overall, per
 * stratum and per work, with design-based intervals ({@link StratifiedProportion}).
 *
 * <p>An output <em>reproduces</em> when scan's matcher ({@link OutputScanner}, the same settings as
 * {@code memaudit scan}) finds in it at least one exact span or near passage of {@code
 * --min-words}. A census scans every output in one pass, counting the strata as it goes. A sample
 * needs the strata's sizes before it can allocate: a first pass reads the records' strata fields
 * only (no matching), the allocation is proportional ({@link StratifiedProportion#allocate}), the
 * positions inside each stratum are drawn from the seed ({@link StratifiedProportion#choose}, the
 * strata in sorted order from one {@link SplittableRandom}), and a second pass scans the chosen
 * outputs. Memory is bounded by the strata, the sample's positions and one batch of outputs, never
 * by the log's size.
 *
 * <p>Resumable: each scanned output's spans go to {@code spans.jsonl} and then its line to {@code
 * prevalence.jsonl}, both appended and flushed; {@code --resume} reads the lines already there,
 * drops spans of an output whose line was not written, draws the same sample again and scans only
 * the outputs after the last line written, so a killed run gives the same result as one that was
 * not.
 */
public final class PrevalenceService {
    /** The stratum value of a record without the field. */
    public static final String MISSING = "(missing)";

    private static final int BATCH = 256;
    private static final long BATCH_CHARS = 16L << 20;
    private static final Comparator<List<String>> BY_VALUES =
            (a, b) -> {
                for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
                    int c = a.get(i).compareTo(b.get(i));
                    if (c != 0) {
                        return c;
                    }
                }
                return Integer.compare(a.size(), b.size());
            };

    /**
     * Settings.
     *
     * @param strata record fields defining the strata (top level, or under {@code fields})
     * @param sample outputs to sample; null for a census
     * @param seed the sample's seed
     * @param confidence of the intervals, e.g. 0.95
     * @param scan the matcher's settings, as {@code memaudit scan} takes them
     */
    public record Options(
            List<String> strata,
            Long sample,
            long seed,
            double confidence,
            ScanService.Options scan) {
        public Options {
            strata = List.copyOf(strata);
            if (sample != null && sample < 1) {
                throw MemauditException.usage("--sample must be at least 1, got " + sample);
            }
            if (!(confidence > 0 && confidence < 1)) {
                throw MemauditException.usage(
                        "confidence must be between 0 and 1, got " + confidence);
            }
            if (new TreeSet<>(strata).size() != strata.size()) {
                throw MemauditException.usage("--strata names a field twice: " + strata);
            }
        }
    }

    /**
     * What a run did.
     *
     * @param summary prevalence.json as written
     * @param read outputs read in the scanning pass
     * @param scanned outputs matched in this run (not counting those a resumed run found done)
     * @param resumedFrom outputs already in prevalence.jsonl when the run started
     * @param words normalized words matched in this run
     * @param seconds the run's wall time
     */
    public record Result(
            PrevalenceSummary summary,
            long read,
            long scanned,
            long resumedFrom,
            long words,
            double seconds) {}

    private final Clock clock;
    private final Consumer<String> log;

    public PrevalenceService(Clock clock, Consumer<String> log) {
        this.clock = clock;
        this.log = log;
    }

    public Result run(
            Path indexDir,
            Path outputs,
            Path outDir,
            Options options,
            boolean resume,
            List<String> commandLine) {
        if (!Files.exists(outputs)) {
            throw MemauditException.badInput("outputs " + outputs + " do not exist");
        }
        long t0 = System.nanoTime();
        RunManifest manifest = new RunManifest(clock, commandLine);
        ScanService.Options scan = options.scan();
        try (NgramIndex index = NgramIndex.open(indexDir)) {
            if (scan.minWords() < index.ngram()) {
                throw MemauditException.usage(
                        "--min-words "
                                + scan.minWords()
                                + " is shorter than the index's n-gram size "
                                + index.ngram()
                                + " (index "
                                + indexDir
                                + ")");
            }
            IndexManifest im = index.manifest();
            PrevalenceConfig config =
                    new PrevalenceConfig(
                            outputs.toString(),
                            options.strata(),
                            options.sample(),
                            options.sample() == null ? null : options.seed(),
                            options.confidence(),
                            scan.minWords(),
                            scan.exactOnly() ? null : scan.minSimilarity(),
                            scan.maxOutputBytes(),
                            scan.threads(),
                            indexDir.toString(),
                            im.indexUid(),
                            im.generation(),
                            index.ngram(),
                            im.normalizerVersion());
            RunFolder.open(outDir, config, resume);
            Tally tally = new Tally(im);
            Path ledgerFile = outDir.resolve(Records.fileName(PrevalenceRecord.class));
            Path spansFile = outDir.resolve(Records.fileName(Span.class));
            long[] lastLine = {0};
            long spansExpected;
            long resumedFrom;
            try (RunLedger<PrevalenceRecord> probe =
                    RunLedger.open(ledgerFile, PrevalenceRecord.class, resume)) {
                long[] spanCount = {0};
                probe.forEachExisting(
                        r -> {
                            tally.sampled(r);
                            lastLine[0] = Math.max(lastLine[0], r.line());
                            spanCount[0] += r.spans();
                        });
                spansExpected = spanCount[0];
                resumedFrom = probe.existingCount();
            }
            keepSpans(spansFile, spansExpected);
            Map<List<String>, long[]> chosen = null; // stratum → sorted positions in it
            Map<List<String>, Long> sizes = null;
            if (options.sample() != null) {
                sizes = countStrata(outputs, options);
                chosen = draw(sizes, options);
            }
            Pass pass =
                    scanPass(
                            index,
                            outputs,
                            options,
                            tally,
                            chosen,
                            lastLine[0],
                            ledgerFile,
                            spansFile);
            Map<List<String>, Long> population = sizes != null ? sizes : pass.population();
            PrevalenceSummary summary = tally.summary(population, options, config);
            Records.write(outDir.resolve(Records.fileName(PrevalenceSummary.class)), summary);
            manifest.input("index/" + IndexLayout.MANIFEST, indexDir.resolve(IndexLayout.MANIFEST));
            for (IndexManifest.WorkInfo w : im.works()) {
                manifest.inputHash("work/" + w.id(), w.sourceSha256());
            }
            manifest.input("outputs/" + outputs.getFileName(), outputs);
            if (options.sample() != null) {
                manifest.seeds(Map.of("seed", options.seed()));
            }
            manifest.schemaVersions(
                    Map.of(
                            Records.fileName(Span.class), Span.SCHEMA_VERSION,
                            Records.fileName(PrevalenceRecord.class),
                                    PrevalenceRecord.SCHEMA_VERSION));
            manifest.write(outDir, config);
            return new Result(
                    summary,
                    pass.read(),
                    pass.scanned(),
                    resumedFrom,
                    pass.words(),
                    (System.nanoTime() - t0) / 1e9);
        } catch (IOException e) {
            throw new UncheckedIOException("prevalence failed writing " + outDir, e);
        }
    }

    /** The stratum of an output: its strata fields' values, top level or under "fields". */
    static List<String> stratum(ScanService.Output o, List<String> fields) {
        if (fields.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>(fields.size());
        ObjectNode f = o.fields();
        JsonNode nested = f == null ? null : f.get("fields");
        for (String name : fields) {
            JsonNode v = f == null ? null : f.get(name);
            if ((v == null || v.isNull()) && nested != null && nested.isObject()) {
                v = nested.get(name);
            }
            if (v == null || v.isNull()) {
                out.add(MISSING);
            } else if (v.isValueNode()) {
                out.add(v.asText());
            } else {
                out.add(v.toString());
            }
        }
        return out;
    }

    /** First pass of a sample: outputs per stratum, exact. */
    private Map<List<String>, Long> countStrata(Path outputs, Options options) throws IOException {
        Map<List<String>, Long> sizes = new TreeMap<>(BY_VALUES);
        long t = System.nanoTime();
        ScanService.forEachOutputStrict(
                outputs,
                options.scan().maxOutputBytes(),
                o -> sizes.merge(stratum(o, options.strata()), 1L, Long::sum));
        if (sizes.isEmpty()) {
            throw MemauditException.badInput(outputs + ": holds no outputs");
        }
        log.accept(
                String.format(
                        java.util.Locale.ROOT,
                        "counted %,d outputs in %d strata in %.1f s",
                        sizes.values().stream().mapToLong(Long::longValue).sum(),
                        sizes.size(),
                        (System.nanoTime() - t) / 1e9));
        return sizes;
    }

    /** The sample: sorted positions inside each stratum, from the seed. */
    static Map<List<String>, long[]> draw(Map<List<String>, Long> sizes, Options options) {
        long[] n = new long[sizes.size()];
        int i = 0;
        for (long s : sizes.values()) {
            n[i++] = s;
        }
        long total = java.util.Arrays.stream(n).sum();
        long want = Math.min(options.sample(), total);
        long[] alloc;
        try {
            alloc = StratifiedProportion.allocate(n, want);
        } catch (IllegalArgumentException e) {
            throw MemauditException.usage("--sample " + options.sample() + ": " + e.getMessage());
        }
        SplittableRandom random = new SplittableRandom(options.seed());
        Map<List<String>, long[]> chosen = new TreeMap<>(BY_VALUES);
        i = 0;
        for (Map.Entry<List<String>, Long> e : sizes.entrySet()) {
            chosen.put(
                    e.getKey(),
                    StratifiedProportion.choose(e.getValue(), (int) alloc[i++], random));
        }
        return chosen;
    }

    private record Pass(Map<List<String>, Long> population, long read, long scanned, long words) {}

    private Pass scanPass(
            NgramIndex index,
            Path outputs,
            Options options,
            Tally tally,
            Map<List<String>, long[]> chosen,
            long doneThrough,
            Path ledgerFile,
            Path spansFile)
            throws IOException {
        Map<List<String>, Long> population = new TreeMap<>(BY_VALUES);
        Map<List<String>, int[]> cursor = new TreeMap<>(BY_VALUES); // {next chosen index}
        long[] counts = new long[3]; // read, scanned, words
        ExecutorService pool = Executors.newFixedThreadPool(options.scan().threads());
        ThreadLocal<OutputScanner> scanners =
                ThreadLocal.withInitial(() -> OutputScanner.of(index, options.scan()));
        try (RunLedger<PrevalenceRecord> ledger =
                        RunLedger.open(ledgerFile, PrevalenceRecord.class, true);
                RunLedger<Span> spans = RunLedger.open(spansFile, Span.class, true)) {
            List<ScanService.Output> batch = new ArrayList<>(BATCH);
            List<List<String>> batchStrata = new ArrayList<>(BATCH);
            long[] batchChars = {0};
            ScanService.forEachOutputStrict(
                    outputs,
                    options.scan().maxOutputBytes(),
                    o -> {
                        counts[0]++;
                        List<String> h = stratum(o, options.strata());
                        long position = population.merge(h, 1L, Long::sum) - 1;
                        boolean take;
                        if (chosen == null) {
                            take = true;
                        } else {
                            long[] pick = chosen.get(h);
                            if (pick == null) {
                                throw MemauditException.badInput(
                                        outputs
                                                + ":"
                                                + o.line()
                                                + ": stratum "
                                                + h
                                                + " was not there when the strata were counted;"
                                                + " the file changed during the run");
                            }
                            int[] c = cursor.computeIfAbsent(h, k -> new int[1]);
                            take = c[0] < pick.length && pick[c[0]] == position;
                            if (take) {
                                c[0]++;
                            }
                        }
                        if (!take || o.line() <= doneThrough) {
                            return;
                        }
                        batch.add(o);
                        batchStrata.add(h);
                        batchChars[0] += o.text().length();
                        if (batch.size() == BATCH || batchChars[0] >= BATCH_CHARS) {
                            flush(batch, batchStrata, pool, scanners, ledger, spans, tally, counts);
                            batchChars[0] = 0;
                        }
                    });
            flush(batch, batchStrata, pool, scanners, ledger, spans, tally, counts);
        } finally {
            pool.shutdownNow();
        }
        if (chosen != null) {
            // the second pass must meet the file the first pass counted
            for (Map.Entry<List<String>, long[]> e : chosen.entrySet()) {
                int[] c = cursor.get(e.getKey());
                if ((c == null ? 0 : c[0]) != e.getValue().length) {
                    throw MemauditException.badInput(
                            outputs + ": changed between the counting and the scanning pass");
                }
            }
        }
        return new Pass(population, counts[0], counts[1], counts[2]);
    }

    private static void flush(
            List<ScanService.Output> batch,
            List<List<String>> strata,
            ExecutorService pool,
            ThreadLocal<OutputScanner> scanners,
            RunLedger<PrevalenceRecord> ledger,
            RunLedger<Span> spans,
            Tally tally,
            long[] counts) {
        List<Future<OutputScanner.Result>> futures = new ArrayList<>(batch.size());
        for (ScanService.Output o : batch) {
            futures.add(pool.submit(() -> scanners.get().scan(o)));
        }
        for (int i = 0; i < batch.size(); i++) {
            OutputScanner.Result r;
            try {
                r = futures.get(i).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw new IllegalStateException(e.getCause());
            }
            ScanService.Output o = batch.get(i);
            TreeSet<String> works = new TreeSet<>();
            for (Span s : r.spans()) {
                spans.append(s);
                works.add(s.workId());
            }
            int words = r.words() == null ? 0 : r.words().size();
            PrevalenceRecord rec =
                    new PrevalenceRecord(
                            PrevalenceRecord.SCHEMA_VERSION,
                            o.id(),
                            o.line(),
                            strata.get(i),
                            words,
                            !r.spans().isEmpty(),
                            List.copyOf(works),
                            r.spans().size());
            ledger.append(rec);
            tally.sampled(rec);
            counts[1]++;
            counts[2] += words;
        }
        batch.clear();
        strata.clear();
    }

    /**
     * Cuts {@code spans.jsonl} after its first {@code keep} lines: the spans of an output whose
     * prevalence line a kill prevented (they are written again when it is scanned again).
     */
    private static void keepSpans(Path file, long keep) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        long lines = 0;
        long offset = 0;
        long cut = -1;
        try (var in = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            for (int b; (b = in.read()) >= 0; ) {
                offset++;
                if (b == '\n' && ++lines == keep) {
                    cut = offset;
                    break;
                }
            }
        }
        if (keep == 0) {
            cut = 0;
        }
        if (cut >= 0 && cut < Files.size(file)) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(cut);
                ch.force(true);
            }
        } else if (cut < 0 && lines < keep) {
            throw MemauditException.integrity(
                    file
                            + ": holds "
                            + lines
                            + " spans, prevalence.jsonl counts "
                            + keep
                            + "; the run folder was changed outside memaudit");
        }
    }

    /** Sampled and hits per stratum, overall and per work. */
    static final class Tally {
        private final IndexManifest index;
        private final Map<List<String>, long[]> byStratum =
                new TreeMap<>(BY_VALUES); // sampled, hits
        private final Map<String, Map<List<String>, long[]>> byWork = new LinkedHashMap<>();
        private long empty;

        Tally(IndexManifest index) {
            this.index = index;
            for (IndexManifest.WorkInfo w : index.works()) {
                byWork.put(w.id(), new TreeMap<>(BY_VALUES));
            }
        }

        void sampled(PrevalenceRecord r) {
            long[] c = byStratum.computeIfAbsent(r.stratum(), k -> new long[2]);
            c[0]++;
            if (r.reproduces()) {
                c[1]++;
            }
            if (r.words() == 0) {
                empty++;
            }
            for (String w : r.works()) {
                byWork.computeIfAbsent(w, k -> new TreeMap<>(BY_VALUES))
                        .computeIfAbsent(r.stratum(), k -> new long[1])[0]++;
            }
        }

        PrevalenceSummary summary(
                Map<List<String>, Long> population, Options options, PrevalenceConfig config) {
            List<StratifiedProportion.Stratum> overall = new ArrayList<>();
            List<PrevalenceSummary.StratumShare> strata = new ArrayList<>();
            for (Map.Entry<List<String>, Long> e : population.entrySet()) {
                long[] c = byStratum.get(e.getKey());
                if (c == null) {
                    throw new IllegalStateException("stratum " + e.getKey() + " has no sample");
                }
                var s = new StratifiedProportion.Stratum(e.getValue(), c[0], c[1]);
                overall.add(s);
                strata.add(
                        new PrevalenceSummary.StratumShare(
                                e.getKey(),
                                share(
                                        StratifiedProportion.stratum(s, options.confidence()),
                                        c[1])));
            }
            Map<String, PrevalenceSummary.WorkShare> works = new LinkedHashMap<>();
            Map<String, String> titles = new LinkedHashMap<>();
            for (IndexManifest.WorkInfo w : index.works()) {
                titles.put(w.id(), w.title());
            }
            for (Map.Entry<String, Map<List<String>, long[]>> w : byWork.entrySet()) {
                List<StratifiedProportion.Stratum> list = new ArrayList<>();
                long hits = 0;
                for (Map.Entry<List<String>, Long> e : population.entrySet()) {
                    long[] k = w.getValue().get(e.getKey());
                    long kh = k == null ? 0 : k[0];
                    hits += kh;
                    list.add(
                            new StratifiedProportion.Stratum(
                                    e.getValue(), byStratum.get(e.getKey())[0], kh));
                }
                works.put(
                        w.getKey(),
                        new PrevalenceSummary.WorkShare(
                                titles.get(w.getKey()),
                                share(
                                        StratifiedProportion.estimate(list, options.confidence()),
                                        hits)));
            }
            long hits = byStratum.values().stream().mapToLong(c -> c[1]).sum();
            boolean census = options.sample() == null;
            return new PrevalenceSummary(
                    PrevalenceSummary.SCHEMA_VERSION,
                    census ? "census" : "stratified sample",
                    options.strata(),
                    config.seed(),
                    options.confidence(),
                    census
                            ? "none needed: a census has no sampling error (f_h = 1), each"
                                    + " interval is the share itself"
                            : "overall and per work: Korn-Graubard (Clopper-Pearson at the"
                                    + " effective sample size, stratified variance with"
                                    + " finite-population correction); per stratum: exact"
                                    + " Clopper-Pearson",
                    empty,
                    share(StratifiedProportion.estimate(overall, options.confidence()), hits),
                    strata,
                    works);
        }

        private static PrevalenceSummary.Share share(StratifiedProportion.Estimate e, long hits) {
            return new PrevalenceSummary.Share(
                    e.share(),
                    e.low(),
                    e.high(),
                    hits,
                    e.sampled(),
                    e.population(),
                    e.effectiveSampleSize());
        }
    }
}
