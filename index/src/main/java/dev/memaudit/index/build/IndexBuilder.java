package dev.memaudit.index.build;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.FileTrees;
import dev.memaudit.core.io.Json;
import dev.memaudit.core.io.JsonlWriter;
import dev.memaudit.core.io.ToolVersion;
import dev.memaudit.core.text.NormalizedWords;
import dev.memaudit.core.text.WordNormalizer;
import dev.memaudit.index.build.WorkOutcome.Status;
import dev.memaudit.index.ngram.BloomFilter;
import dev.memaudit.index.ngram.GramHash;
import dev.memaudit.index.ngram.GramSidecar;
import dev.memaudit.index.ngram.HotGrams;
import dev.memaudit.index.source.CorpusLoader;
import dev.memaudit.index.source.CorpusManifest;
import dev.memaudit.index.source.LoadedWork;
import dev.memaudit.index.source.ReadLimits;
import dev.memaudit.index.source.WorkProblem;
import dev.memaudit.index.store.StoreRecord;
import dev.memaudit.index.store.WorksStore;
import dev.memaudit.index.store.WorksStoreWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.PointValues;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.TieredMergePolicy;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * Builds or updates an index from a corpus. Works already in the index with an unchanged source
 * hash are kept as they are; changed works replace their previous version; works of the index that
 * are not in this corpus are kept (so several corpora can be added to one index). Per-work problems
 * are recorded and counted, never fatal, unless {@code strict} is set, in which case nothing is
 * committed.
 *
 * <p>Normalization and Lucene inversion run on {@code threads} worker threads; the works store is
 * written in corpus order so that the same corpus always gives the same store.
 */
public final class IndexBuilder {
    /** Lucene point field holding the grams (see {@link GramPoints}). */
    public static final String GRAM_FIELD = "g";

    /** Lucene field holding the work id. */
    public static final String ID_FIELD = "id";

    /** Commit user-data key holding the build generation. */
    public static final String GENERATION_KEY = "memaudit.generation";

    /**
     * Build settings.
     *
     * @param ngram words per gram, 2..64; must match an existing index
     * @param strict fail (and commit nothing) if any work is empty, skipped or failed
     * @param threads worker threads for normalization and inversion
     * @param limits reading limits that override the corpus.yaml's (and the defaults), each in its
     *     key's range
     */
    public record Options(
            int ngram, boolean strict, int threads, Map<ReadLimits.Key, Long> limits) {
        public Options {
            if (ngram < 2 || ngram > 64) {
                throw MemauditException.usage("ngram must be between 2 and 64, got " + ngram);
            }
            if (threads < 1 || threads > 64) {
                throw MemauditException.usage("threads must be between 1 and 64, got " + threads);
            }
            limits = limits == null ? Map.of() : Map.copyOf(limits);
            for (Map.Entry<ReadLimits.Key, Long> e : limits.entrySet()) {
                try {
                    e.getKey().check(e.getValue());
                } catch (IllegalArgumentException bad) {
                    throw MemauditException.usage("--limit " + bad.getMessage());
                }
            }
        }

        /** Settings with the corpus.yaml's limits (or the defaults). */
        public Options(int ngram, boolean strict, int threads) {
            this(ngram, strict, threads, Map.of());
        }
    }

    /**
     * Heap bytes that indexing one work costs per UTF-8 byte of its text, at most: the text, its
     * UTF-8 copy, 16 bytes per word for the normalized words while their arrays grow, the reader's
     * copies. Measured: a 100 MB single .txt work built with -Xmx800m and ran out of memory with
     * -Xmx600m (child JVM, 2 threads). A work that needs more than the JVM's maximum heap fails
     * with that reason instead of ending the build with OutOfMemoryError.
     */
    static final int HEAP_PER_TEXT_BYTE = 8;

    /** The share of the maximum heap that the texts being indexed may take together. */
    static final int IN_FLIGHT_HEAP_SHARE = 16;

    /** Grams per Lucene document: larger works are split (12 MB of points in memory). */
    static final int CHUNK_GRAMS = 1 << 20;

    private final Clock clock;
    private final Consumer<String> log;
    private final int chunkGrams;
    private final long inFlightBudget;

    public IndexBuilder(Clock clock, Consumer<String> log) {
        this(clock, log, CHUNK_GRAMS);
    }

    /** With another document size, so that tests can split small works. */
    IndexBuilder(Clock clock, Consumer<String> log, int chunkGrams) {
        this(clock, log, chunkGrams, Runtime.getRuntime().maxMemory() / IN_FLIGHT_HEAP_SHARE);
    }

    /** With another in-flight budget (UTF-8 bytes), so that tests can index every work alone. */
    IndexBuilder(Clock clock, Consumer<String> log, int chunkGrams, long inFlightBudget) {
        this.inFlightBudget = inFlightBudget;
        if (chunkGrams < 1) {
            throw new IllegalArgumentException("chunkGrams must be positive, got " + chunkGrams);
        }
        this.clock = clock;
        this.log = log;
        this.chunkGrams = chunkGrams;
    }

    /**
     * Builds as {@link #build} does and appends the report to the index's build history ({@link
     * IndexLayout#BUILD_LOG}): {@code memaudit index build}.
     */
    public BuildReport buildAndRecord(Path corpus, Path indexDir, Options options)
            throws IOException {
        BuildReport r = build(corpus, indexDir, options);
        try (JsonlWriter log = JsonlWriter.append(indexDir.resolve(IndexLayout.BUILD_LOG))) {
            log.write(r);
        }
        return r;
    }

    /** Builds {@code indexDir} from the corpus at {@code corpus} (a folder or a corpus.yaml). */
    public BuildReport build(Path corpus, Path indexDir, Options options) {
        long t0 = System.nanoTime();
        resetHeapPeaks();
        CorpusManifest manifest = CorpusManifest.load(corpus);
        ReadLimits limits = manifest.limits().with(options.limits());
        IndexManifest previous = null;
        boolean created = false;
        if (IndexLayout.isIndex(indexDir)) {
            previous = IndexLayout.readManifest(indexDir);
            if (previous.ngram() != options.ngram()) {
                throw MemauditException.badInput(
                        "index "
                                + indexDir
                                + " was built with --ngram "
                                + previous.ngram()
                                + ", got "
                                + options.ngram()
                                + "; use another index folder to change it");
            }
        } else if (Files.exists(indexDir)) {
            if (!Files.isDirectory(indexDir) || !isEmptyDir(indexDir)) {
                throw MemauditException.integrity(
                        indexDir
                                + " exists and is not a memaudit index (no "
                                + IndexLayout.MANIFEST
                                + "); refusing to write into it");
            }
        } else {
            created = true;
        }
        long generation = previous == null ? 1 : previous.generation() + 1;
        try {
            Files.createDirectories(indexDir.resolve(IndexLayout.STORE_DIR));
            if (previous != null) {
                try (Directory lucene =
                        FSDirectory.open(indexDir.resolve(IndexLayout.LUCENE_DIR))) {
                    IndexLayout.checkLuceneCommit(lucene, previous, indexDir);
                }
            }
            return run(manifest, limits, indexDir, previous, generation, options, t0);
        } catch (IOException e) {
            cleanUpAfterFailure(indexDir, created, generation, e);
            throw new UncheckedIOException("index build failed in " + indexDir, e);
        } catch (RuntimeException e) {
            cleanUpAfterFailure(indexDir, created, generation, e);
            throw e;
        }
    }

    private BuildReport run(
            CorpusManifest corpus,
            ReadLimits limits,
            Path indexDir,
            IndexManifest previous,
            long generation,
            Options options,
            long t0)
            throws IOException {
        String gen = Long.toString(generation);
        byte[] uid;
        if (previous == null) {
            uid = new byte[16];
            new SecureRandom().nextBytes(uid);
        } else {
            uid = IndexLayout.uid(previous);
        }
        Map<String, IndexManifest.WorkInfo> before = new LinkedHashMap<>();
        if (previous != null) {
            previous.works().forEach(w -> before.put(w.id(), w));
        }

        List<WorkOutcome> outcomes = new ArrayList<>();
        Map<String, IndexManifest.WorkInfo> after = new LinkedHashMap<>();
        long[] sourceBytes = {0};

        try (Directory storeDir = FSDirectory.open(indexDir.resolve(IndexLayout.STORE_DIR));
                Directory luceneDir = FSDirectory.open(indexDir.resolve(IndexLayout.LUCENE_DIR));
                WorksStore old =
                        previous == null
                                ? null
                                : WorksStore.open(
                                        storeDir,
                                        previous.storeFile(),
                                        uid,
                                        Long.toString(previous.generation()));
                IndexWriter writer = new IndexWriter(luceneDir, writerConfig(options));
                WorksStoreWriter store =
                        new WorksStoreWriter(
                                storeDir, IndexLayout.storeFile(generation), uid, gen)) {
            ExecutorService pool = Executors.newFixedThreadPool(options.threads());
            try {
                Set<String> inCorpus = new HashSet<>();
                List<LoadedWork> corpusWorks = new ArrayList<>();
                // Lightweight first pass: the ids this corpus holds decide which old works stay.
                // Texts are read in the second pass, one work at a time, to keep the heap small.
                OrderedWriter ordered =
                        new OrderedWriter(
                                store,
                                pool,
                                options.threads() * 2 + 2,
                                writer,
                                options,
                                chunkGrams,
                                inFlightBudget);
                CorpusLoader loader = new CorpusLoader(limits);
                Map<String, Integer> seen = new HashMap<>();
                loader.load(
                        corpus.works(),
                        work -> {
                            if (seen.putIfAbsent(work.id(), 1) != null) {
                                addSynchronized(
                                        outcomes,
                                        new WorkOutcome(
                                                work.id(),
                                                work.relativePath(),
                                                null,
                                                Status.FAILED,
                                                "duplicate work id (already read from another source)"));
                                return;
                            }
                            inCorpus.add(work.id());
                            IndexManifest.WorkInfo prev = before.get(work.id());
                            if (prev != null
                                    && prev.sourceSha256().equals(work.sourceSha256())
                                    && old.ordinal(work.id()) >= 0) {
                                synchronized (outcomes) {
                                    after.put(work.id(), withMetadata(prev, work));
                                    outcomes.add(
                                            new WorkOutcome(
                                                    work.id(),
                                                    work.relativePath(),
                                                    null,
                                                    Status.UNCHANGED,
                                                    null));
                                }
                                ordered.copy(old, old.ordinal(work.id()));
                                return;
                            }
                            byte[] utf8 = work.text().getBytes(StandardCharsets.UTF_8);
                            String tooBig = heapProblem(utf8.length);
                            if (tooBig != null) {
                                addSynchronized(
                                        outcomes,
                                        new WorkOutcome(
                                                work.id(),
                                                work.relativePath(),
                                                null,
                                                Status.FAILED,
                                                tooBig));
                                return;
                            }
                            sourceBytes[0] += utf8.length;
                            ordered.index(
                                    work,
                                    utf8,
                                    before.containsKey(work.id()),
                                    (words, codePoints) -> {
                                        synchronized (outcomes) {
                                            if (words == 0) {
                                                outcomes.add(
                                                        new WorkOutcome(
                                                                work.id(),
                                                                work.relativePath(),
                                                                null,
                                                                Status.EMPTY,
                                                                "no words in the extracted text"));
                                            } else {
                                                outcomes.add(
                                                        new WorkOutcome(
                                                                work.id(),
                                                                work.relativePath(),
                                                                null,
                                                                Status.INDEXED,
                                                                null));
                                                after.put(work.id(), info(work, words, codePoints));
                                            }
                                        }
                                    });
                        },
                        problem -> addSynchronized(outcomes, outcome(problem, corpus)));
                ordered.drain();
                // Old works that this corpus does not mention stay in the index.
                Map<String, IndexManifest.WorkInfo> merged = new LinkedHashMap<>();
                if (old != null) {
                    for (IndexManifest.WorkInfo w : previous.works()) {
                        if (!inCorpus.contains(w.id())) {
                            merged.put(w.id(), w);
                            ordered.copy(old, old.ordinal(w.id()));
                        }
                    }
                    ordered.drain();
                    // A work whose source became empty is removed. (One that failed to read never
                    // entered inCorpus, so its previous version was kept by the loop above.)
                    for (WorkOutcome o : outcomes) {
                        if (o.status() == Status.EMPTY
                                && o.id() != null
                                && before.containsKey(o.id())) {
                            writer.deleteDocuments(new Term(ID_FIELD, o.id()));
                        }
                    }
                }
                merged.putAll(after);
                // Store order: this corpus's works in corpus order, then the index's other works.
                List<IndexManifest.WorkInfo> storeOrder = ordered.order(merged);

                outcomes.sort(
                        Comparator.comparing(
                                        (WorkOutcome o) -> o.source() == null ? "" : o.source())
                                .thenComparing(o -> o.line() == null ? 0 : o.line())
                                .thenComparing(o -> o.id() == null ? "" : o.id()));
                Map<String, Integer> counts = counts(outcomes);
                long problems =
                        outcomes.stream()
                                .filter(
                                        o ->
                                                o.status() != Status.INDEXED
                                                        && o.status() != Status.UNCHANGED)
                                .count();
                if (storeOrder.isEmpty()) {
                    writer.rollback();
                    throw MemauditException.badInput(
                            "corpus "
                                    + corpus.root()
                                    + " has no indexable works ("
                                    + describe(counts)
                                    + ")"
                                    + firstProblems(outcomes));
                }
                if (options.strict() && problems > 0) {
                    writer.rollback();
                    throw MemauditException.badInput(
                            "--strict: "
                                    + problems
                                    + " work(s) were not indexed ("
                                    + describe(counts)
                                    + ")"
                                    + firstProblems(outcomes));
                }
                store.finish();
                store.close();
                log.accept(
                        String.format(
                                java.util.Locale.ROOT,
                                "read, normalized and inverted in %.1f s; merging the Lucene index"
                                        + " into one segment",
                                (System.nanoTime() - t0) / 1e9));
                long tMerge = System.nanoTime();
                writer.forceMerge(1);
                writer.setLiveCommitData(Map.of(GENERATION_KEY, gen).entrySet());
                writer.commit();
                writer.close();

                log.accept(
                        String.format(
                                java.util.Locale.ROOT,
                                "merged and committed in %.1f s; writing the Bloom filter and the"
                                        + " hot-gram table",
                                (System.nanoTime() - tMerge) / 1e9));
                long[] distinct = {0};
                GramSidecar sidecar = buildSidecar(luceneDir, distinct);
                sidecar.write(storeDir, IndexLayout.gramsFile(generation), uid, gen);

                String now = Instant.now(clock).toString();
                long totalWords =
                        storeOrder.stream().mapToLong(IndexManifest.WorkInfo::words).sum();
                IndexManifest m =
                        new IndexManifest(
                                IndexLayout.FORMAT,
                                IndexLayout.FORMAT_VERSION,
                                HexFormat.of().formatHex(uid),
                                generation,
                                options.ngram(),
                                WordNormalizer.VERSION,
                                GramHash.NAME,
                                ToolVersion.get(),
                                previous == null ? now : previous.created(),
                                now,
                                IndexLayout.storeFile(generation),
                                IndexLayout.gramsFile(generation),
                                totalWords,
                                distinct[0],
                                sidecar.hot().size(),
                                storeOrder);
                Json.writePretty(indexDir.resolve(IndexLayout.MANIFEST), m);
                if (previous != null) {
                    Files.deleteIfExists(
                            indexDir.resolve(IndexLayout.STORE_DIR).resolve(previous.storeFile()));
                    Files.deleteIfExists(
                            indexDir.resolve(IndexLayout.STORE_DIR).resolve(previous.gramsFile()));
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                return new BuildReport(
                        indexDir.toString(),
                        generation,
                        storeOrder.size(),
                        totalWords,
                        distinct[0],
                        sidecar.hot().size(),
                        counts,
                        sourceBytes[0],
                        seconds,
                        sourceBytes[0] / 1e6 / seconds,
                        heapPeak(),
                        FileTrees.size(indexDir),
                        limits.toMap(),
                        outcomes);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static IndexWriterConfig writerConfig(Options options) {
        IndexWriterConfig config = new IndexWriterConfig(null);
        config.setCodec(new GramCodec());
        config.setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND);
        // Measured on 2 cores (50 MB corpus, 6.5 M grams, -Xmx1g), inverting and merging only:
        // 64 MB took 5.3-5.5 s, 128 MB 7.1 s, 256 MB 6.8-7.7 s (with fewer flushes, the points
        // are sorted in one large flush at the end instead of while indexing goes on).
        config.setRAMBufferSizeMB(64);
        config.setMaxBufferedDocs(IndexWriterConfig.DISABLE_AUTO_FLUSH);
        config.setUseCompoundFile(false);
        TieredMergePolicy merge = new TieredMergePolicy();
        merge.setNoCFSRatio(0);
        config.setMergePolicy(merge);
        config.setCommitOnClose(false);
        return config;
    }

    /**
     * Walks every point of the merged index once, in (gram, position) order: the Bloom filter gets
     * every distinct gram, the hot-gram table the exact count of every gram occurring twice or
     * more. The counts must be corpus-wide, so this needs the single segment forceMerge(1) left.
     */
    private static GramSidecar buildSidecar(Directory luceneDir, long[] distinctOut)
            throws IOException {
        try (DirectoryReader reader = DirectoryReader.open(luceneDir)) {
            if (reader.leaves().size() > 1) {
                throw new IllegalStateException(
                        "expected one Lucene segment after forceMerge(1), found "
                                + reader.leaves().size());
            }
            PointValues points =
                    reader.leaves().isEmpty()
                            ? null
                            : reader.leaves().get(0).reader().getPointValues(GRAM_FIELD);
            long total = points == null ? 0 : points.size();
            BloomFilter bloom = BloomFilter.create(Math.max(total, 1024), 10);
            GramCounter counter = new GramCounter(bloom);
            if (points != null) {
                GramPoints.forEach(points.getPointTree(), counter);
            }
            counter.finish();
            HotGrams table = HotGrams.withCapacity(counter.repeated.size());
            for (int i = 0; i < counter.repeated.size(); i++) {
                table.put(counter.repeated.get(i), counter.counts.get(i));
            }
            distinctOut[0] = counter.distinct;
            return new GramSidecar(bloom, table);
        }
    }

    /** Counts runs of equal grams in a sorted stream of points. */
    private static final class GramCounter implements GramPoints.Visitor {
        private final BloomFilter bloom;
        private final LongList repeated = new LongList();
        private final LongList counts = new LongList();
        private long distinct;
        private boolean any;
        private long current;
        private long count;
        private final byte[] previous = new byte[GramPoints.BYTES];

        GramCounter(BloomFilter bloom) {
            this.bloom = bloom;
        }

        @Override
        public void point(int doc, byte[] packed) {
            if (any
                    && Arrays.compareUnsigned(
                                    packed, 0, GramPoints.BYTES, previous, 0, GramPoints.BYTES)
                            < 0) {
                throw new IllegalStateException("Lucene returned the gram points out of order");
            }
            System.arraycopy(packed, 0, previous, 0, GramPoints.BYTES);
            long gram = GramPoints.gram(packed);
            if (any && gram == current) {
                count++;
                return;
            }
            finish();
            any = true;
            current = gram;
            count = 1;
        }

        /** Records the last run. */
        void finish() {
            if (count == 0) {
                return;
            }
            bloom.add(current);
            distinct++;
            if (count >= HotGrams.MIN_FREQUENCY) {
                repeated.add(current);
                counts.add(count);
            }
            count = 0;
        }
    }

    /** A growable list of longs. */
    private static final class LongList {
        private long[] values = new long[1024];
        private int size;

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        long get(int i) {
            return values[i];
        }

        int size() {
            return size;
        }
    }

    /** Why a work of {@code bytes} bytes of UTF-8 text cannot be indexed in this JVM's heap. */
    static String heapProblem(long bytes) {
        long max = Runtime.getRuntime().maxMemory();
        long needed = bytes * HEAP_PER_TEXT_BYTE;
        if (max == Long.MAX_VALUE || needed <= max) {
            return null;
        }
        return String.format(
                java.util.Locale.ROOT,
                "indexing it needs about %,d MB of heap (%d bytes per byte of its %,d MB of text),"
                        + " and this JVM may use %,d MB: give Java more (MEMAUDIT_JAVA_OPTS=-Xmx%dg"
                        + " for ./memaudit) or split the work",
                needed >> 20,
                HEAP_PER_TEXT_BYTE,
                bytes >> 20,
                max >> 20,
                (needed >> 30) + 2);
    }

    private static IndexManifest.WorkInfo info(LoadedWork w, int words, int codePoints) {
        return new IndexManifest.WorkInfo(
                w.id(),
                w.title(),
                w.authors(),
                w.rightsholder(),
                w.license(),
                w.year(),
                w.role().name().toLowerCase(java.util.Locale.ROOT),
                w.format(),
                w.relativePath(),
                w.sourceSha256(),
                words,
                codePoints,
                w.reservation());
    }

    /** Unchanged text, possibly changed metadata in corpus.yaml: the manifest follows the yaml. */
    private static IndexManifest.WorkInfo withMetadata(IndexManifest.WorkInfo prev, LoadedWork w) {
        return info(w, prev.words(), prev.codePoints());
    }

    private static WorkOutcome outcome(WorkProblem p, CorpusManifest corpus) {
        String source;
        try {
            source = corpus.root().relativize(p.file().toAbsolutePath()).toString();
        } catch (IllegalArgumentException e) {
            source = p.file().toString();
        }
        Status status = p.kind() == WorkProblem.Kind.SKIPPED ? Status.SKIPPED : Status.FAILED;
        return new WorkOutcome(
                p.id(),
                source,
                p.line(),
                status,
                p.reason(),
                p.limit() == null ? null : p.limit().key());
    }

    private static <T> void addSynchronized(List<T> list, T item) {
        synchronized (list) {
            list.add(item);
        }
    }

    private static Map<String, Integer> counts(List<WorkOutcome> outcomes) {
        Map<Status, Integer> byStatus = new EnumMap<>(Status.class);
        for (Status s : Status.values()) {
            byStatus.put(s, 0);
        }
        outcomes.forEach(o -> byStatus.merge(o.status(), 1, Integer::sum));
        Map<String, Integer> named = new LinkedHashMap<>();
        byStatus.forEach((k, v) -> named.put(k.name().toLowerCase(java.util.Locale.ROOT), v));
        return named;
    }

    private static String describe(Map<String, Integer> counts) {
        StringBuilder sb = new StringBuilder();
        counts.forEach(
                (k, v) -> {
                    if (sb.length() > 0) {
                        sb.append(", ");
                    }
                    sb.append(v).append(' ').append(k);
                });
        return sb.toString();
    }

    private static String firstProblems(List<WorkOutcome> outcomes) {
        StringBuilder sb = new StringBuilder();
        int shown = 0;
        for (WorkOutcome o : outcomes) {
            if (o.status() == Status.INDEXED || o.status() == Status.UNCHANGED) {
                continue;
            }
            if (shown++ == 5) {
                sb.append("\n  ...");
                break;
            }
            sb.append("\n  ")
                    .append(o.source())
                    .append(o.line() == null ? "" : ":" + o.line())
                    .append(": ")
                    .append(o.status().name().toLowerCase(java.util.Locale.ROOT))
                    .append(": ")
                    .append(o.reason());
        }
        return sb.toString();
    }

    private static boolean isEmptyDir(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    private static void cleanUpAfterFailure(
            Path indexDir, boolean created, long generation, Exception cause) {
        try {
            if (!created) {
                // An existing index keeps its last committed state: the manifest was not
                // rewritten and Lucene was rolled back; only this build's own files go.
                Path store = indexDir.resolve(IndexLayout.STORE_DIR);
                Files.deleteIfExists(store.resolve(IndexLayout.storeFile(generation)));
                Files.deleteIfExists(store.resolve(IndexLayout.gramsFile(generation)));
                return;
            }
            FileTrees.delete(indexDir);
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    private static void resetHeapPeaks() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    private static long heapPeak() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    /** Called when a work has been normalized: its word and code-point counts. */
    interface Indexed {
        void done(int words, int codePoints);
    }

    /**
     * Runs normalization and inversion on the pool while writing store records strictly in
     * submission order; at most {@code window} works, and at most 1/{@value #IN_FLIGHT_HEAP_SHARE}
     * of the maximum heap in UTF-8 text (each byte costs about {@value #HEAP_PER_TEXT_BYTE} in heap
     * while indexed), are in memory at once. A larger work is indexed alone.
     */
    private static final class OrderedWriter {
        private final WorksStoreWriter store;
        private final ExecutorService pool;
        private final Semaphore permits;
        private final IndexWriter writer;
        private final Options options;
        private final int chunkGrams;
        private final ArrayDeque<Future<StoreRecord>> pending = new ArrayDeque<>();
        private final ArrayDeque<Long> costs = new ArrayDeque<>(); // UTF-8 bytes, as pending
        private final long inFlightBudget;
        private long inFlight;
        private final List<String> written = new ArrayList<>();

        OrderedWriter(
                WorksStoreWriter store,
                ExecutorService pool,
                int window,
                IndexWriter writer,
                Options options,
                int chunkGrams,
                long inFlightBudget) {
            this.store = store;
            this.chunkGrams = chunkGrams;
            this.pool = pool;
            this.permits = new Semaphore(window);
            this.writer = writer;
            this.options = options;
            this.inFlightBudget = inFlightBudget;
        }

        /** {@code replaces}: the index already holds a version of this work. */
        void index(LoadedWork work, byte[] utf8, boolean replaces, Indexed done) {
            long bytes = utf8.length;
            acquire(bytes);
            pending.add(
                    pool.submit(
                            () -> {
                                String text = work.text();
                                NormalizedWords words = WordNormalizer.normalize(text);
                                int cps = text.codePointCount(0, text.length());
                                done.done(words.size(), cps);
                                if (words.size() == 0) {
                                    return null;
                                }
                                // A huge work goes in as several documents: Lucene can only
                                // flush between documents, so this bounds the indexing memory.
                                int grams = Math.max(0, words.size() - options.ngram() + 1);
                                if (replaces) {
                                    // deletes apply only to documents added before them
                                    writer.deleteDocuments(new Term(ID_FIELD, work.id()));
                                }
                                for (int from = 0; from == 0 || from < grams; from += chunkGrams) {
                                    writer.addDocument(
                                            new GramPoints(
                                                    work.id(),
                                                    words.hashes(),
                                                    words.size(),
                                                    options.ngram(),
                                                    from,
                                                    from + chunkGrams));
                                }
                                return new StoreRecord(work.id(), utf8, cps, words);
                            }));
            costs.add(bytes);
            if (bytes > inFlightBudget) {
                // alone, and finished before the loader reads the next work
                drain();
            }
        }

        void copy(WorksStore old, int ordinal) {
            long bytes = old.textBytes(ordinal);
            acquire(bytes);
            int n = old.words(ordinal);
            NormalizedWords words =
                    new NormalizedWords(
                            old.hashes(ordinal), old.starts(ordinal), old.ends(ordinal), n);
            StoreRecord r =
                    new StoreRecord(
                            old.id(ordinal), old.textUtf8(ordinal), old.codePoints(ordinal), words);
            pending.add(java.util.concurrent.CompletableFuture.completedFuture(r));
            costs.add(bytes);
        }

        /**
         * Waits for a place in the window and for room in the byte budget: a work larger than the
         * whole budget waits until nothing else is in flight.
         */
        private void acquire(long bytes) {
            while (!permits.tryAcquire()) {
                writeHead();
            }
            while (!pending.isEmpty() && inFlight + bytes > inFlightBudget) {
                writeHead();
            }
            inFlight += bytes;
            // Write whatever finished already, so memory is released early.
            while (!pending.isEmpty() && pending.peek().isDone()) {
                writeHead();
            }
        }

        private void writeHead() {
            Future<StoreRecord> head = pending.poll();
            if (head == null) {
                throw new IllegalStateException("no pending work but no permits");
            }
            inFlight -= costs.poll();
            try {
                StoreRecord r = head.get();
                if (r != null) {
                    store.add(r);
                    written.add(r.id());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof RuntimeException re) {
                    throw re;
                }
                throw new IllegalStateException("indexing failed: " + c, c);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                permits.release();
            }
        }

        void drain() {
            while (!pending.isEmpty()) {
                writeHead();
            }
        }

        /** The manifest entries in the order their records were written to the store. */
        List<IndexManifest.WorkInfo> order(Map<String, IndexManifest.WorkInfo> infos) {
            List<IndexManifest.WorkInfo> list = new ArrayList<>(written.size());
            for (String id : written) {
                IndexManifest.WorkInfo info = infos.get(id);
                if (info == null) {
                    throw new IllegalStateException(
                            "store holds work " + id + " with no manifest entry");
                }
                list.add(info);
            }
            return list;
        }
    }
}
