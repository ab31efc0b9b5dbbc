package dev.memaudit.index.scan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.JsonlReader;
import dev.memaudit.core.io.JsonlWriter;
import dev.memaudit.core.io.RunManifest;
import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.run.WorksFile;
import dev.memaudit.core.records.scan.OutputSummary;
import dev.memaudit.core.records.scan.ScanConfig;
import dev.memaudit.core.records.scan.ScanCoverage;
import dev.memaudit.core.records.scan.ScanSummary;
import dev.memaudit.core.records.scan.ScanWork;
import dev.memaudit.core.records.scan.Span;
import dev.memaudit.core.run.Timings;
import dev.memaudit.core.text.NormalizedWords;
import dev.memaudit.index.build.IndexLayout;
import dev.memaudit.index.build.IndexManifest;
import dev.memaudit.index.store.WorksStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;

/**
 * {@code memaudit scan}: matches model outputs against an index and writes, into a run folder,
 * {@code spans.jsonl} (every maximal span, every occurrence, every work), {@code outputs.jsonl}
 * (per output), {@code works.json} (per work), {@code scan.json} (counters and problems) and {@code
 * manifest.json}. A bad output line is recorded with its line number and the rest is still scanned.
 */
public final class ScanService {
    /** Version of the scan files' layout, recorded in scan.json, works.json and the manifest. */
    public static final int SCHEMA_VERSION = ScanSummary.SCHEMA_VERSION;

    private static final int BATCH = 256;

    /** UTF-16 units of output text a batch may hold: a batch of huge outputs is cut short. */
    static final long BATCH_CHARS = 16L << 20;

    /**
     * Scan settings.
     *
     * @param minWords shortest span or passage reported, in normalized words (at least the index's
     *     ngram), in both texts
     * @param threads scanning threads
     * @param tokenCounter counts the audited model's tokens in a span's output text, or null
     * @param maxOutputBytes the largest output, in bytes: one JSONL line, or one .txt file; a
     *     larger one is a problem for that line or file (its bytes are not kept) and the scan goes
     *     on
     * @param minSimilarity the lowest word similarity of a near-verbatim passage, in [0.5, 1]
     * @param exactOnly report exact spans only, no near-verbatim passages
     */
    public record Options(
            int minWords,
            int threads,
            ToIntFunction<String> tokenCounter,
            long maxOutputBytes,
            double minSimilarity,
            boolean exactOnly) {
        public Options {
            if (minWords < 2 || minWords > 100_000) {
                throw MemauditException.usage(
                        "min-words must be between 2 and 100000, got " + minWords);
            }
            if (threads < 1 || threads > 64) {
                throw MemauditException.usage("threads must be between 1 and 64, got " + threads);
            }
            if (maxOutputBytes < 1024 || maxOutputBytes > Integer.MAX_VALUE - 64L) {
                throw MemauditException.usage(
                        "max-output-bytes must be between 1 KiB and 2 GiB, got " + maxOutputBytes);
            }
            if (!(minSimilarity >= 0.5 && minSimilarity <= 1.0)) {
                throw MemauditException.usage(
                        "min-similarity must be between 0.5 and 1, got " + minSimilarity);
            }
        }

        /** Exact spans only, outputs of at most {@code maxOutputBytes}. */
        public Options(
                int minWords,
                int threads,
                ToIntFunction<String> tokenCounter,
                long maxOutputBytes) {
            this(minWords, threads, tokenCounter, maxOutputBytes, DEFAULT_MIN_SIMILARITY, true);
        }

        /** Exact spans only, outputs of at most {@link #DEFAULT_MAX_OUTPUT_BYTES}. */
        public Options(int minWords, int threads, ToIntFunction<String> tokenCounter) {
            this(minWords, threads, tokenCounter, DEFAULT_MAX_OUTPUT_BYTES);
        }

        /** The same settings, with near-verbatim passages at {@code minSimilarity}. */
        public Options near(double minSimilarity) {
            return new Options(
                    minWords, threads, tokenCounter, maxOutputBytes, minSimilarity, false);
        }
    }

    /** The lowest word similarity of a near-verbatim passage by default. */
    public static final double DEFAULT_MIN_SIMILARITY = 0.8;

    /** The largest output by default: 64 MiB, hundreds of times any model's output. */
    public static final long DEFAULT_MAX_OUTPUT_BYTES = JsonlReader.DEFAULT_MAX_LINE_BYTES;

    /**
     * One output to scan; {@code text} null when the line had none; {@code fields} the line's other
     * fields, null when it had none.
     */
    public record Output(long line, String id, String text, ObjectNode fields) {}

    private final Clock clock;
    private final Consumer<String> log;
    private final BackgroundGrams background; // null: no chance scores

    public ScanService(Clock clock, Consumer<String> log) {
        this(clock, log, null);
    }

    /**
     * @param background non-member text that gives every span a chance score, or null for none
     */
    public ScanService(Clock clock, Consumer<String> log, BackgroundGrams background) {
        this.clock = clock;
        this.log = log;
        this.background = background;
    }

    /** Scans {@code outputs} (a JSONL file or a folder of .txt files) into {@code outDir}. */
    public ScanSummary scan(
            Path indexDir, Path outputs, Path outDir, Options options, List<String> commandLine) {
        return scan(indexDir, outputs, outDir, options, commandLine, null);
    }

    /**
     * As {@link #scan(Path, Path, Path, Options, List)}, marking its phases in {@code timings}
     * (null: not timed).
     */
    public ScanSummary scan(
            Path indexDir,
            Path outputs,
            Path outDir,
            Options options,
            List<String> commandLine,
            Timings timings) {
        if (!Files.exists(outputs)) {
            throw MemauditException.badInput("outputs " + outputs + " do not exist");
        }
        long t0 = System.nanoTime();
        RunManifest manifest = new RunManifest(clock, commandLine);
        manifest.hashAhead(outputInputs(outputs));
        try (NgramIndex index = NgramIndex.open(indexDir, timings)) {
            if (options.minWords() < index.ngram()) {
                throw MemauditException.usage(
                        "--min-words "
                                + options.minWords()
                                + " is shorter than the index's n-gram size "
                                + index.ngram()
                                + " (index "
                                + indexDir
                                + "); use --min-words "
                                + index.ngram()
                                + " or more, or an index built with a smaller --ngram");
            }
            Files.createDirectories(outDir);
            ScanTally tally = run(index, outputs, outDir, options, timings);
            double seconds = (System.nanoTime() - t0) / 1e9;
            ScanSummary summary = tally.build(index.manifest().works().size(), seconds);
            Records.write(outDir.resolve(Records.fileName(ScanSummary.class)), summary);
            manifest.input("index/" + IndexLayout.MANIFEST, indexDir.resolve(IndexLayout.MANIFEST));
            for (IndexManifest.WorkInfo w : index.manifest().works()) {
                manifest.inputHash("work/" + w.id(), w.sourceSha256());
            }
            for (Map.Entry<String, Path> in : outputInputs(outputs).entrySet()) {
                manifest.input(in.getKey(), in.getValue());
            }
            if (background != null) {
                background.inputs().forEach(manifest::inputHash);
            }
            manifest.schemaVersions(Map.of("spans.jsonl", Span.SCHEMA_VERSION));
            manifest.write(
                    outDir,
                    new ScanConfig(
                            options.minWords(),
                            options.threads(),
                            options.maxOutputBytes(),
                            indexDir.toString(),
                            index.manifest().indexUid(),
                            index.manifest().generation(),
                            index.ngram(),
                            index.manifest().normalizerVersion(),
                            options.tokenCounter() != null,
                            !options.exactOnly(),
                            options.exactOnly() ? null : options.minSimilarity(),
                            background == null
                                    ? null
                                    : new ScanConfig.Chance(
                                            background.n(),
                                            background.sources(),
                                            background.texts(),
                                            background.words(),
                                            background.positions(),
                                            background.distinct())));
            mark(timings, "manifest: input hashes, write");
            return summary;
        } catch (IOException e) {
            throw new UncheckedIOException("scan failed writing " + outDir, e);
        }
    }

    private static void mark(Timings timings, String phase) {
        if (timings != null) {
            timings.mark(phase);
        }
    }

    private ScanTally run(
            NgramIndex index, Path outputs, Path outDir, Options options, Timings timings)
            throws IOException {
        ScanTally summary = new ScanTally(!options.exactOnly());
        WorkTally tally = new WorkTally(index, !options.exactOnly(), options.minWords());
        ExecutorService pool = Executors.newFixedThreadPool(options.threads());
        ThreadLocal<OutputScanner> scanners =
                ThreadLocal.withInitial(() -> OutputScanner.of(index, options));
        CommonGrams common =
                CommonGrams.of(
                        index.store(),
                        index.manifest().works().stream()
                                .filter(w -> "control".equals(w.role()))
                                .map(IndexManifest.WorkInfo::id)
                                .collect(java.util.stream.Collectors.toSet()),
                        background == null ? null : background.controlTexts());
        mark(timings, "common grams");
        CoverageFinder coverage =
                new CoverageFinder(
                        index.store(),
                        new KGramTables(index.store(), CoverageFinder.K),
                        options.minWords());
        mark(timings, "coverage tables");
        Map<String, Long> seenIds = new HashMap<>();
        try (JsonlWriter spans =
                        JsonlWriter.create(
                                outDir.resolve(Records.fileName(Span.class)), Records.MAPPER);
                JsonlWriter perOutput =
                        JsonlWriter.create(
                                outDir.resolve(Records.fileName(OutputSummary.class)),
                                Records.MAPPER);
                OutputSource source = OutputSource.open(outputs, options.maxOutputBytes())) {
            List<Output> batch = new ArrayList<>(BATCH);
            long batchChars = 0;
            for (Output o; (o = source.next(summary)) != null; ) {
                Long first = seenIds.putIfAbsent(o.id(), o.line());
                if (first != null) {
                    summary.problem(
                            source.name(),
                            o.line(),
                            "duplicate output id '"
                                    + o.id()
                                    + "' (first at line "
                                    + first
                                    + "); skipped");
                    continue;
                }
                batch.add(o);
                batchChars += o.text() == null ? 0 : o.text().length();
                if (batch.size() == BATCH || batchChars >= BATCH_CHARS) {
                    flush(
                            batch,
                            pool,
                            scanners,
                            common,
                            index.store(),
                            coverage,
                            spans,
                            perOutput,
                            tally,
                            summary);
                    batch.clear();
                    batchChars = 0;
                }
            }
            flush(
                    batch,
                    pool,
                    scanners,
                    common,
                    index.store(),
                    coverage,
                    spans,
                    perOutput,
                    tally,
                    summary);
        } finally {
            pool.shutdownNow();
        }
        mark(timings, "scan outputs");
        Records.write(outDir.resolve(Records.fileName(WorksFile.class)), tally.works());
        mark(timings, "works.json");
        for (ScanSummary.Problem p : summary.problems()) {
            log.accept(p.file() + (p.line() == null ? "" : ":" + p.line()) + ": " + p.reason());
        }
        return summary;
    }

    private void flush(
            List<Output> batch,
            ExecutorService pool,
            ThreadLocal<OutputScanner> scanners,
            CommonGrams common,
            WorksStore store,
            CoverageFinder coverage,
            JsonlWriter spans,
            JsonlWriter perOutput,
            WorkTally tally,
            ScanTally summary)
            throws IOException {
        List<Future<Scanned>> futures = new ArrayList<>(batch.size());
        for (Output o : batch) {
            futures.add(
                    pool.submit(
                            () -> {
                                OutputScanner.Result r =
                                        withCommon(
                                                common, store, withChance(scanners.get().scan(o)));
                                return new Scanned(
                                        r, coverage.find(o, r.words(), r.runs(), r.passages()));
                            }));
        }
        for (Future<Scanned> f : futures) {
            OutputScanner.Result r;
            Scanned done;
            try {
                done = f.get();
                r = done.result();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw new IllegalStateException(e.getCause());
            }
            for (Span s : r.spans()) {
                spans.write(s);
                tally.add(s);
            }
            tally.add(done.coverage());
            perOutput.write(r.summary());
            summary.output(r.summary());
        }
    }

    /** The result with every span marked common or distinctive ({@link CommonGrams}). */
    private static OutputScanner.Result withCommon(
            CommonGrams common, WorksStore store, OutputScanner.Result r) {
        if (r.spans().isEmpty()) {
            return r;
        }
        List<Span> marked = new ArrayList<>(r.spans().size());
        for (Span s : r.spans()) {
            marked.add(common.mark(store, s));
        }
        return new OutputScanner.Result(marked, r.summary(), r.runs(), r.words(), r.passages());
    }

    /** The result with every span's chance score, when there is a background. */
    private OutputScanner.Result withChance(OutputScanner.Result r) {
        if (background == null || r.spans().isEmpty()) {
            return r;
        }
        NormalizedWords w = r.words();
        List<Span> scored = new ArrayList<>(r.spans().size());
        for (Span s : r.spans()) {
            int from = firstWordAtOrAfter(w, s.outputCharStart());
            int to = firstWordAtOrAfter(w, s.outputCharEnd());
            scored.add(s.withChance(background.chanceLog10(w.hashes(), from, to, w.size())));
        }
        return new OutputScanner.Result(scored, r.summary(), r.runs(), r.words(), r.passages());
    }

    /** The index of the first word starting at or after code point {@code cp}. */
    private static int firstWordAtOrAfter(NormalizedWords w, int cp) {
        int lo = 0;
        int hi = w.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (w.starts()[mid] < cp) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** One output's spans and its share of the works' coverage. */
    private record Scanned(OutputScanner.Result result, CoverageFinder.Result coverage) {}

    /**
     * Reads the outputs a scan reads (a JSONL file or a folder of .txt files) as the scan reads
     * them, for showing their texts beside the spans; lines the scan would skip are skipped.
     *
     * @param maxOutputBytes the limit the scan read with (its config's {@code max_output_bytes})
     */
    public static void forEachOutput(Path outputs, long maxOutputBytes, Consumer<Output> action)
            throws IOException {
        ScanTally ignored = new ScanTally(false);
        try (OutputSource source = OutputSource.open(outputs, maxOutputBytes)) {
            for (Output o; (o = source.next(ignored)) != null; ) {
                action.accept(o);
            }
        }
    }

    /**
     * Reads the outputs as the scan reads them, but strictly, for estimates over all of them: the
     * first line the scan would skip (bad JSON or UTF-8, no id, too long, unreadable gzip data) or
     * that has no text ({@code text} or {@code completion} absent or null) is a bad-input error
     * naming the file, the line and the reason. Gzip JSONL is read as it streams.
     */
    public static void forEachOutputStrict(
            Path outputs, long maxOutputBytes, Consumer<Output> action) throws IOException {
        ScanTally problems = new ScanTally(false);
        try (OutputSource source = OutputSource.open(outputs, maxOutputBytes)) {
            while (true) {
                Output o = source.next(problems);
                if (!problems.problems().isEmpty()) {
                    ScanSummary.Problem p = problems.problems().get(0);
                    throw MemauditException.badInput(
                            p.file()
                                    + (p.line() == null ? "" : ":" + p.line())
                                    + ": "
                                    + p.reason());
                }
                if (o == null) {
                    return;
                }
                if (o.text() == null) {
                    throw MemauditException.badInput(
                            source.name()
                                    + ":"
                                    + o.line()
                                    + ": no \"text\" (or \"completion\") field, or it is null");
                }
                action.accept(o);
            }
        }
    }

    /** The outputs as the manifest's inputs: name to file. */
    private static Map<String, Path> outputInputs(Path outputs) {
        Map<String, Path> in = new LinkedHashMap<>();
        if (Files.isDirectory(outputs)) {
            try {
                for (Path p : listTxt(outputs)) {
                    in.put("outputs/" + outputs.relativize(p), p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + outputs, e);
            }
        } else {
            in.put("outputs/" + outputs.getFileName(), outputs);
        }
        return in;
    }

    static List<Path> listTxt(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".txt"))
                    .filter(Files::isRegularFile)
                    .sorted()
                    .toList();
        }
    }

    /** Outputs from a JSONL file or a folder of .txt files. */
    abstract static class OutputSource implements AutoCloseable {
        static OutputSource open(Path outputs, long maxOutputBytes) throws IOException {
            return Files.isDirectory(outputs)
                    ? new TxtFolder(outputs, maxOutputBytes)
                    : new Jsonl(outputs, maxOutputBytes);
        }

        abstract String name();

        /** Next output, or null; bad lines are recorded in {@code summary} and skipped. */
        abstract Output next(ScanTally summary) throws IOException;

        @Override
        public void close() throws IOException {}
    }

    static final class Jsonl extends OutputSource {
        private final JsonlReader reader;

        Jsonl(Path file, long maxOutputBytes) throws IOException {
            reader = new JsonlReader(file, maxOutputBytes);
        }

        @Override
        String name() {
            return reader.file().toString();
        }

        @Override
        Output next(ScanTally summary) throws IOException {
            for (JsonlReader.Line line; (line = reader.next()) != null; ) {
                if (line.problem() != null) {
                    summary.problem(
                            name(),
                            line.number(),
                            line.tooLong()
                                    ? line.problem() + "; not scanned (scan --max-output-bytes)"
                                    : line.problem());
                    continue;
                }
                ObjectNode obj = line.object();
                JsonNode id = obj.get("id");
                if (id == null
                        || !(id.isTextual() || id.isIntegralNumber())
                        || id.asText().isEmpty()) {
                    summary.problem(name(), line.number(), "no \"id\" (a string or integer)");
                    continue;
                }
                // `memaudit sample` writes the generated text as "completion"
                JsonNode text = obj.has("text") ? obj.get("text") : obj.get("completion");
                if (text != null && !text.isTextual() && !text.isNull()) {
                    summary.problem(
                            name(), line.number(), "\"text\" (or \"completion\") is not a string");
                    continue;
                }
                ObjectNode fields = obj.deepCopy();
                fields.remove("id");
                fields.remove(obj.has("text") ? "text" : "completion");
                return new Output(
                        line.number(),
                        id.asText(),
                        text == null || text.isNull() ? null : text.asText(),
                        fields.isEmpty() ? null : fields);
            }
            return null;
        }

        @Override
        public void close() throws IOException {
            reader.close();
        }
    }

    static final class TxtFolder extends OutputSource {
        private final Path dir;
        private final List<Path> files;
        private final long maxOutputBytes;
        private int next;

        TxtFolder(Path dir, long maxOutputBytes) throws IOException {
            this.dir = dir;
            this.files = listTxt(dir);
            this.maxOutputBytes = maxOutputBytes;
        }

        @Override
        String name() {
            return dir.toString();
        }

        @Override
        Output next(ScanTally summary) throws IOException {
            while (next < files.size()) {
                Path f = files.get(next++);
                String name = f.getFileName().toString();
                String id = name.substring(0, name.length() - ".txt".length());
                long size = Files.size(f);
                if (size > maxOutputBytes) {
                    summary.problem(
                            f.toString(),
                            null,
                            String.format(
                                    java.util.Locale.ROOT,
                                    "file is %,d bytes long, over the limit of %,d bytes; not"
                                            + " scanned (scan --max-output-bytes)",
                                    size,
                                    maxOutputBytes));
                    continue;
                }
                try {
                    String text =
                            StandardCharsets.UTF_8
                                    .newDecoder()
                                    .onMalformedInput(CodingErrorAction.REPORT)
                                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(f)))
                                    .toString();
                    if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
                        text = text.substring(1);
                    }
                    return new Output(next, id, text, null);
                } catch (CharacterCodingException e) {
                    summary.problem(f.toString(), null, "not valid UTF-8");
                }
            }
            return null;
        }
    }

    /** Per-work aggregation, fed in output order by the writing thread. */
    static final class WorkTally {
        private final NgramIndex index;
        private final boolean near; // near passages looked for
        private final int minWords;
        private final Map<String, Acc> byWork = new LinkedHashMap<>();
        private final Map<Integer, Cover> cover = new HashMap<>();

        WorkTally(NgramIndex index, boolean near, int minWords) {
            this.index = index;
            this.near = near;
            this.minWords = minWords;
        }

        void add(Span s) {
            Acc a = byWork.computeIfAbsent(s.workId(), k -> new Acc());
            if (s.common() != null) {
                if (s.common()) {
                    a.common++;
                } else {
                    a.distinctive++;
                }
            }
            a.allRanges.add(new int[] {s.workCharStart(), s.workCharEnd()});
            a.passages.add(
                    new int[] {
                        s.near() ? s.wordsWork() : s.words(),
                        s.workCharStart(),
                        s.workCharEnd(),
                        s.near() ? 1 : 0
                    });
            if (s.near()) {
                a.near++;
                if (s.wordsWork() > a.longestNear) {
                    a.longestNear = s.wordsWork();
                    a.longestNearOutput = s.outputId();
                }
                return;
            }
            if (!s.outputId().equals(a.lastOutput)) {
                a.outputs++;
                a.lastOutput = s.outputId();
            }
            a.spans++;
            if (s.words() > a.longest) {
                a.longest = s.words();
                a.longestOutput = s.outputId();
            }
            a.ranges.add(new int[] {s.workCharStart(), s.workCharEnd()});
        }

        void add(CoverageFinder.Result r) {
            for (int ord : r.compared()) {
                Cover c = cover(ord);
                c.outputs++;
                if (r.trimmed()) {
                    c.trimmed++;
                }
            }
            for (CoverageFinder.Covered v : r.covered()) {
                Cover c = cover(v.ordinal());
                BitSet b =
                        switch (v.kind()) {
                            case CoverageFinder.EXACT_K -> c.exactK;
                            case CoverageFinder.EXACT_MIN -> c.exactMin;
                            default -> c.near;
                        };
                b.set(v.start(), v.end());
            }
        }

        private Cover cover(int ordinal) {
            return cover.computeIfAbsent(ordinal, o -> new Cover());
        }

        WorksFile works() {
            Map<String, WorksFile.WorkEntry> works = new LinkedHashMap<>();
            for (IndexManifest.WorkInfo w : index.manifest().works()) {
                Acc a = byWork.getOrDefault(w.id(), new Acc());
                long chars = Intervals.unionLength(a.ranges);
                long nearChars = Intervals.unionLength(a.allRanges);
                ScanWork scan =
                        new ScanWork(
                                a.outputs,
                                a.spans,
                                chars,
                                w.codePoints(),
                                w.codePoints() == 0 ? 0.0 : (double) chars / w.codePoints(),
                                a.longest,
                                a.longestOutput,
                                near ? a.near : null,
                                near ? nearChars : null,
                                near
                                        ? (w.codePoints() == 0
                                                ? 0.0
                                                : (double) nearChars / w.codePoints())
                                        : null,
                                near ? a.longestNear : null,
                                a.longestNearOutput,
                                coverage(w.id(), a),
                                a.distinctive,
                                a.common);
                works.put(w.id(), WorksFile.WorkEntry.scan(w.title(), scan));
            }
            return WorksFile.of(works);
        }

        private ScanCoverage coverage(String id, Acc a) {
            WorksStore store = index.store();
            int ord = store.ordinal(id);
            Cover c = cover.getOrDefault(ord, new Cover());
            int words = store.words(ord);
            BitSet nearK = (BitSet) c.exactK.clone();
            nearK.or(c.near);
            BitSet nearMin = (BitSet) c.exactMin.clone();
            nearMin.or(c.near);
            return new ScanCoverage(
                    CoverageFinder.K,
                    CoverageFinder.M,
                    minWords,
                    words,
                    c.outputs,
                    c.trimmed,
                    block(ord, c.exactK, words),
                    block(ord, c.exactMin, words),
                    near ? block(ord, nearK, words) : null,
                    near ? block(ord, nearMin, words) : null,
                    Passages.countOver(a.passages, 20, false),
                    Passages.countOver(a.passages, 50, false),
                    near ? Passages.countOver(a.passages, 20, true) : null,
                    near ? Passages.countOver(a.passages, 50, true) : null);
        }

        private ScanCoverage.Block block(int ord, BitSet bits, int words) {
            int bestStart = -1;
            int bestLen = 0;
            for (int i = bits.nextSetBit(0); i >= 0; ) {
                int end = bits.nextClearBit(i);
                if (end - i > bestLen) {
                    bestLen = end - i;
                    bestStart = i;
                }
                i = bits.nextSetBit(end);
            }
            WorksStore store = index.store();
            int base = store.base(ord);
            long covered = bits.cardinality();
            return new ScanCoverage.Block(
                    covered,
                    words == 0 ? 0.0 : (double) covered / words,
                    bestLen,
                    bestStart < 0 ? null : store.start(base + bestStart),
                    bestStart < 0 ? null : store.end(base + bestStart + bestLen - 1));
        }

        static final class Acc {
            int outputs;
            int spans;
            int longest;
            String longestOutput;
            String lastOutput;
            int near;
            int longestNear;
            String longestNearOutput;
            int common; // spans and near passages marked common
            int distinctive; // and marked not common
            final List<int[]> ranges = new ArrayList<>();
            final List<int[]> allRanges = new ArrayList<>();
            final List<int[]> passages = new ArrayList<>(); // {words, start, end, near}
        }

        /** A work's coverage masks, by work-local word index. */
        static final class Cover {
            int outputs;
            int trimmed;
            final BitSet exactK = new BitSet();
            final BitSet exactMin = new BitSet();
            final BitSet near = new BitSet();
        }
    }
}
