package dev.memaudit.index.scan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.Json;
import dev.memaudit.core.io.JsonlReader;
import dev.memaudit.core.io.JsonlWriter;
import dev.memaudit.core.io.RunManifest;
import dev.memaudit.index.build.IndexLayout;
import dev.memaudit.index.build.IndexManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
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
    public static final int SCHEMA_VERSION = 1;

    private static final int BATCH = 256;

    /** UTF-16 units of output text a batch may hold: a batch of huge outputs is cut short. */
    static final long BATCH_CHARS = 16L << 20;

    /**
     * Scan settings.
     *
     * @param minWords shortest span reported, in normalized words (at least the index's ngram)
     * @param threads scanning threads
     * @param tokenCounter counts the audited model's tokens in a span's output text, or null
     * @param maxOutputBytes the largest output, in bytes: one JSONL line, or one .txt file; a
     *     larger one is a problem for that line or file (its bytes are not kept) and the scan goes
     *     on
     */
    public record Options(
            int minWords, int threads, ToIntFunction<String> tokenCounter, long maxOutputBytes) {
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
        }

        /** Settings with outputs of at most {@link #DEFAULT_MAX_OUTPUT_BYTES}. */
        public Options(int minWords, int threads, ToIntFunction<String> tokenCounter) {
            this(minWords, threads, tokenCounter, DEFAULT_MAX_OUTPUT_BYTES);
        }
    }

    /** The largest output by default: 64 MiB, hundreds of times any model's output. */
    public static final long DEFAULT_MAX_OUTPUT_BYTES = JsonlReader.DEFAULT_MAX_LINE_BYTES;

    /** One output to scan; {@code text} null when the line had none. */
    public record Output(long line, String id, String text, JsonNode fields) {}

    private final Clock clock;
    private final Consumer<String> log;

    public ScanService(Clock clock, Consumer<String> log) {
        this.clock = clock;
        this.log = log;
    }

    /** Scans {@code outputs} (a JSONL file or a folder of .txt files) into {@code outDir}. */
    public ScanSummary scan(
            Path indexDir, Path outputs, Path outDir, Options options, List<String> commandLine) {
        if (!Files.exists(outputs)) {
            throw MemauditException.badInput("outputs " + outputs + " do not exist");
        }
        long t0 = System.nanoTime();
        RunManifest manifest = new RunManifest(clock, "scan", commandLine);
        try (NgramIndex index = NgramIndex.open(indexDir)) {
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
            ScanSummary summary = run(index, outputs, outDir, options);
            double seconds = (System.nanoTime() - t0) / 1e9;
            summary = summary.withSeconds(seconds);
            Json.writePretty(outDir.resolve("scan.json"), summary);
            manifest.config("min_words", options.minWords())
                    .config("threads", options.threads())
                    .config("max_output_bytes", options.maxOutputBytes())
                    .config("index", indexDir.toString())
                    .config("index_uid", index.manifest().indexUid())
                    .config("index_generation", index.manifest().generation())
                    .config("ngram", index.ngram())
                    .config("normalizer_version", index.manifest().normalizerVersion())
                    .config("tokenizer", options.tokenCounter() != null);
            manifest.input("index/" + IndexLayout.MANIFEST, indexDir.resolve(IndexLayout.MANIFEST));
            for (IndexManifest.WorkInfo w : index.manifest().works()) {
                manifest.inputHash("work/" + w.id(), w.sourceSha256());
            }
            if (Files.isDirectory(outputs)) {
                for (Path p : listTxt(outputs)) {
                    manifest.input("outputs/" + outputs.relativize(p), p);
                }
            } else {
                manifest.input("outputs/" + outputs.getFileName(), outputs);
            }
            manifest.section("schema_versions", Map.of("spans.jsonl", SCHEMA_VERSION));
            manifest.write(outDir);
            return summary;
        } catch (IOException e) {
            throw new UncheckedIOException("scan failed writing " + outDir, e);
        }
    }

    private ScanSummary run(NgramIndex index, Path outputs, Path outDir, Options options)
            throws IOException {
        ScanSummary.Builder summary = new ScanSummary.Builder();
        WorkTally tally = new WorkTally(index);
        ExecutorService pool = Executors.newFixedThreadPool(options.threads());
        ThreadLocal<OutputScanner> scanners =
                ThreadLocal.withInitial(() -> OutputScanner.of(index, options));
        Map<String, Long> seenIds = new HashMap<>();
        try (JsonlWriter spans = JsonlWriter.create(outDir.resolve("spans.jsonl"));
                JsonlWriter perOutput = JsonlWriter.create(outDir.resolve("outputs.jsonl"));
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
                    flush(batch, pool, scanners, spans, perOutput, tally, summary);
                    batch.clear();
                    batchChars = 0;
                }
            }
            flush(batch, pool, scanners, spans, perOutput, tally, summary);
        } finally {
            pool.shutdownNow();
        }
        Json.writePretty(outDir.resolve("works.json"), tally.toJson(SCHEMA_VERSION));
        for (ScanSummary.Problem p : summary.problems()) {
            log.accept(p.file() + (p.line() == null ? "" : ":" + p.line()) + ": " + p.reason());
        }
        return summary.build(index.manifest().works().size());
    }

    private void flush(
            List<Output> batch,
            ExecutorService pool,
            ThreadLocal<OutputScanner> scanners,
            JsonlWriter spans,
            JsonlWriter perOutput,
            WorkTally tally,
            ScanSummary.Builder summary)
            throws IOException {
        List<Future<OutputScanner.Result>> futures = new ArrayList<>(batch.size());
        for (Output o : batch) {
            futures.add(pool.submit(() -> scanners.get().scan(o)));
        }
        for (Future<OutputScanner.Result> f : futures) {
            OutputScanner.Result r;
            try {
                r = f.get();
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
            perOutput.write(r.summary());
            summary.output(r.summary());
        }
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
        abstract Output next(ScanSummary.Builder summary) throws IOException;

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
        Output next(ScanSummary.Builder summary) throws IOException {
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
        Output next(ScanSummary.Builder summary) throws IOException {
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
        private final Map<String, Acc> byWork = new LinkedHashMap<>();

        WorkTally(NgramIndex index) {
            this.index = index;
        }

        void add(Span s) {
            Acc a = byWork.computeIfAbsent(s.workId(), k -> new Acc());
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

        Map<String, Object> toJson(int schemaVersion) {
            Map<String, Object> works = new LinkedHashMap<>();
            for (IndexManifest.WorkInfo w : index.manifest().works()) {
                Acc a = byWork.getOrDefault(w.id(), new Acc());
                long chars = Intervals.unionLength(a.ranges);
                Map<String, Object> scan = new LinkedHashMap<>();
                scan.put("outputs_hitting", a.outputs);
                scan.put("spans", a.spans);
                scan.put("chars_reproduced", chars);
                scan.put("work_chars", w.codePoints());
                scan.put(
                        "share_reproduced",
                        w.codePoints() == 0 ? 0.0 : (double) chars / w.codePoints());
                scan.put("longest_span_words", a.longest);
                scan.put("longest_span_output_id", a.longestOutput);
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("title", w.title());
                entry.put("scan", scan);
                works.put(w.id(), entry);
            }
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("schema_version", schemaVersion);
            root.put("works", works);
            return root;
        }

        static final class Acc {
            int outputs;
            int spans;
            int longest;
            String longestOutput;
            String lastOutput;
            final List<int[]> ranges = new ArrayList<>();
        }
    }
}
