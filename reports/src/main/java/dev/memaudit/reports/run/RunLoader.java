package dev.memaudit.reports.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.Json;
import dev.memaudit.core.io.JsonlReader;
import dev.memaudit.core.text.CodePointIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Reads a run folder (docs/run-folders.md) into a {@link RunView}: a folder with {@code
 * manifest.json} is one stage; otherwise every direct subfolder with one is a stage (a {@code
 * report} bundle among them is skipped). Files are checked against the schema versions this reader
 * knows; an unknown version or a malformed line is an integrity failure naming the file and line.
 * Ledgers are streamed: only the windows' numbers and the best few attempts per work are kept.
 */
public final class RunLoader {
    /** The only schema version of works.json and the JSONL ledgers this reader knows. */
    public static final int KNOWN_SCHEMA = 1;

    /** Code points of context shown on each side of a scan span. */
    static final int CONTEXT = 80;

    private final SourceTexts texts;
    private final int passagesPerWork;
    private final Map<String, Optional<CodePointIndex>> workTexts = new HashMap<>();
    private final Map<String, Optional<CodePointIndex>> outputTexts = new HashMap<>();

    /**
     * @param texts where original texts come from ({@link SourceTexts#none()} for offsets only)
     * @param passagesPerWork most attempts per work kept for showing side by side (the best)
     */
    public RunLoader(SourceTexts texts, int passagesPerWork) {
        if (passagesPerWork < 0) {
            throw new IllegalArgumentException(
                    "passagesPerWork must be 0 or more, got " + passagesPerWork);
        }
        this.texts = texts;
        this.passagesPerWork = passagesPerWork;
    }

    /**
     * The stage folders of {@code run}: the folder itself when it has a manifest, otherwise its
     * direct subfolders that have one, without {@code report} bundles; sorted in report order.
     */
    public static List<StageFolder> stages(Path run) {
        if (!Files.isDirectory(run)) {
            throw MemauditException.badInput("run folder " + run + " does not exist");
        }
        List<StageFolder> found = new ArrayList<>();
        if (Files.isRegularFile(run.resolve("manifest.json"))) {
            found.add(stage(run));
        } else {
            try (var list = Files.list(run)) {
                for (Path sub : list.sorted().toList()) {
                    if (Files.isRegularFile(sub.resolve("manifest.json"))) {
                        found.add(stage(sub));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + run, e);
            }
        }
        found.removeIf(s -> s.command().equals("report"));
        Map<String, Path> seen = new HashMap<>();
        for (StageFolder s : found) {
            Path other = seen.put(s.command(), s.dir());
            if (other != null) {
                throw MemauditException.badInput(
                        "two "
                                + s.command()
                                + " stages in "
                                + run
                                + " ("
                                + other.getFileName()
                                + ", "
                                + s.dir().getFileName()
                                + "): report one run folder with one of each stage");
            }
        }
        if (found.isEmpty()) {
            throw MemauditException.badInput(
                    "no stage folder in "
                            + run
                            + ": expected a manifest.json in it or in its direct subfolders"
                            + " (an unfinished run has none)");
        }
        found.sort(
                Comparator.comparingInt(
                        s -> {
                            int i = RunView.KNOWN_STAGES.indexOf(s.command());
                            return i < 0 ? RunView.KNOWN_STAGES.size() : i;
                        }));
        return found;
    }

    private static StageFolder stage(Path dir) {
        Path file = dir.resolve("manifest.json");
        JsonNode m = readJson(file);
        String command = Nodes.str(m, "command");
        if (command == null || !m.path("outputs").isObject()) {
            throw MemauditException.integrity(
                    file + ": not a memaudit run manifest (no \"command\" or \"outputs\")");
        }
        checkSchema(file, m);
        return new StageFolder(dir, command, m);
    }

    /** Reads the run folder into a view. */
    public RunView load(Path run) {
        List<StageFolder> stages = stages(run);
        List<String> notes = new ArrayList<>();
        Map<String, Builder> works = new TreeMap<>();
        Map<String, double[]> controls = new TreeMap<>();
        JsonNode pplRun = null;
        for (StageFolder s : stages) {
            switch (s.command()) {
                case "scan" -> loadScan(s, works);
                case "extract" -> loadExtract(s, works);
                case "ppl" -> {
                    loadPpl(s, works, controls);
                    Path summary = s.dir().resolve("ppl.json");
                    pplRun = Files.exists(summary) ? readJson(summary) : null;
                }
                default -> {
                    // sample: generations are reported through the scan of them
                }
            }
        }
        for (String stage : List.of("scan", "extract", "ppl")) {
            if (stages.stream().noneMatch(s -> s.command().equals(stage))) {
                notes.add("The " + stage + " stage did not run in this run folder.");
            }
        }
        // after loading: a text source learns of changed works only when asked for them
        texts.notes().stream().distinct().forEach(notes::add);
        List<WorkView> views = new ArrayList<>();
        for (Builder b : works.values()) {
            views.add(b.build());
        }
        return new RunView(run, List.copyOf(stages), views, controls, pplRun, notes);
    }

    // ---------------------------------------------------------------- scan

    private void loadScan(StageFolder s, Map<String, Builder> works) {
        JsonNode section = worksJson(s);
        Map<String, List<Passage>> spans = new HashMap<>();
        Path spansFile = s.dir().resolve("spans.jsonl");
        if (Files.exists(spansFile)) {
            checkFileSchema(s, "spans.jsonl");
            forEachRecord(
                    spansFile,
                    r ->
                            spans.computeIfAbsent(text(r, "work_id"), k -> new ArrayList<>())
                                    .add(scanPassage(r)));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = section.fields(); it.hasNext(); ) {
            var e = it.next();
            JsonNode w = e.getValue();
            JsonNode sc = w.path("scan");
            List<Passage> list = spans.getOrDefault(e.getKey(), List.of());
            List<Passage> shown =
                    list.stream()
                            .sorted(
                                    Comparator.comparing(
                                                    (Passage p) ->
                                                            p.words() == null ? 0 : p.words())
                                            .reversed()
                                            .thenComparing(Passage::label)
                                            .thenComparing(Passage::workCharStart))
                            .toList();
            Builder b = work(works, e.getKey(), w);
            if (b.workChars == null) {
                b.workChars = Nodes.integer(sc, "work_chars");
            }
            b.scan =
                    new WorkView.Scan(
                            firstInt(sc, "outputs_hit", "outputs_hitting"),
                            Nodes.integer(sc, "spans"),
                            Nodes.lng(sc, "chars_reproduced"),
                            Nodes.dbl(sc, "share_reproduced"),
                            Nodes.integer(sc, "longest_span_words"),
                            Optional.ofNullable(Nodes.str(sc, "longest_span_output_id"))
                                    .orElse(Nodes.str(sc, "longest_span", "output_id")),
                            withTexts(shown, e.getKey()));
        }
        for (String workId : spans.keySet()) {
            if (!section.has(workId)) {
                throw MemauditException.integrity(
                        spansFile + ": spans of work \"" + workId + "\" that works.json lacks");
            }
        }
    }

    private static Passage scanPassage(ObjectNode r) {
        return new Passage(
                "scan",
                text(r, "output_id"),
                Nodes.integer(r, "output_char_start"),
                Nodes.integer(r, "output_char_end"),
                Nodes.integer(r, "work_char_start"),
                Nodes.integer(r, "work_char_end"),
                Nodes.integer(r, "words"),
                Nodes.integer(r, "tokens"),
                Boolean.TRUE.equals(Nodes.bool(r, "exact")),
                null,
                null);
    }

    /** Adds the side-by-side texts to every span (the report shows the first few). */
    private List<Passage> withTexts(List<Passage> spans, String workId) {
        List<Passage> out = new ArrayList<>(spans.size());
        for (int i = 0; i < spans.size(); i++) {
            Passage p = spans.get(i);
            if (p.workCharStart() == null) {
                out.add(p);
                continue;
            }
            List<Passage.Segment> model =
                    context(outputText(p.label()), p.outputCharStart(), p.outputCharEnd());
            List<Passage.Segment> original =
                    context(workText(workId).orElse(null), p.workCharStart(), p.workCharEnd());
            out.add(
                    new Passage(
                            p.source(),
                            p.label(),
                            p.outputCharStart(),
                            p.outputCharEnd(),
                            p.workCharStart(),
                            p.workCharEnd(),
                            p.words(),
                            p.tokens(),
                            p.exact(),
                            model,
                            original));
        }
        return out;
    }

    /** Context before, the span (shared), context after; null when the text or range is bad. */
    private static List<Passage.Segment> context(CodePointIndex text, Integer start, Integer end) {
        if (text == null || start == null || end == null) {
            return null;
        }
        int n = text.codePointCount();
        if (start < 0 || end < start || end > n) {
            return null;
        }
        String s = text.text();
        int a = text.toUtf16(Math.max(0, start - CONTEXT));
        int b = text.toUtf16(start);
        int c = text.toUtf16(end);
        int d = text.toUtf16(Math.min(n, end + CONTEXT));
        List<Passage.Segment> segs = new ArrayList<>(3);
        segs.add(new Passage.Segment((a > 0 ? "…" : "") + s.substring(a, b), false));
        segs.add(new Passage.Segment(s.substring(b, c), true));
        segs.add(new Passage.Segment(s.substring(c, d) + (d < s.length() ? "…" : ""), false));
        return segs;
    }

    // ---------------------------------------------------------------- extract

    private void loadExtract(StageFolder s, Map<String, Builder> works) {
        JsonNode section = worksJson(s);
        Map<String, List<WorkView.Window>> windows = new HashMap<>();
        Map<String, Map<Integer, int[]>> suffixes = new HashMap<>();
        String[] scheme = {null};
        Path windowsFile = s.dir().resolve("windows.jsonl");
        if (Files.exists(windowsFile)) {
            forEachRecord(
                    windowsFile,
                    r -> {
                        JsonNode pz = r.path("p_z");
                        if (scheme[0] == null) {
                            scheme[0] =
                                    pz.has("t1")
                                            ? "t1"
                                            : pz.has("greedy")
                                                    ? "greedy"
                                                    : pz.fieldNames().hasNext()
                                                            ? pz.fieldNames().next()
                                                            : "t1";
                        }
                        String w = text(r, "work_id");
                        int window = intField(r, "window");
                        int start = intField(r, "suffix_char_start");
                        int end = intField(r, "suffix_char_end");
                        windows.computeIfAbsent(w, k -> new ArrayList<>())
                                .add(
                                        new WorkView.Window(
                                                window,
                                                start,
                                                end,
                                                Nodes.dbl(pz, scheme[0]),
                                                Nodes.dbl(r, "log_p_z", scheme[0]),
                                                Boolean.TRUE.equals(
                                                        Nodes.bool(r, "greedy_extractable"))));
                        suffixes.computeIfAbsent(w, k -> new HashMap<>())
                                .put(window, new int[] {start, end});
                    });
        }
        Map<String, LedgerTally> ledgers = new HashMap<>();
        Path attemptsFile = s.dir().resolve("attempts.jsonl");
        if (Files.exists(attemptsFile)) {
            forEachRecord(
                    attemptsFile,
                    r ->
                            ledgers.computeIfAbsent(
                                            text(r, "work_id"),
                                            k -> new LedgerTally(passagesPerWork))
                                    .add(r));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = section.fields(); it.hasNext(); ) {
            var e = it.next();
            String id = e.getKey();
            JsonNode ex = e.getValue().path("extract");
            Builder b = work(works, id, e.getValue());
            List<WorkView.Window> ws = windows.getOrDefault(id, List.of());
            ws = ws.stream().sorted(Comparator.comparingInt(WorkView.Window::window)).toList();
            Map<String, Double> coverage = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> c = ex.path("coverage").fields();
                    c.hasNext(); ) {
                var ce = c.next();
                if (ce.getValue().isNumber()) {
                    coverage.put(ce.getKey(), ce.getValue().doubleValue());
                }
            }
            LedgerTally tally = ledgers.get(id);
            WorkView.Ledger ledger =
                    tally != null
                            ? tally.ledger()
                            : new WorkView.Ledger(
                                    orZero(Nodes.lng(ex, "attempts", "total")),
                                    orZero(Nodes.lng(ex, "attempts", "exact")),
                                    orZero(Nodes.lng(ex, "attempts", "failed")),
                                    Map.of(),
                                    Map.of());
            List<Passage> attempts =
                    tally == null ? List.of() : tally.passages(this, id, suffixes.get(id));
            b.extract =
                    new WorkView.Extract(
                            Nodes.integer(ex, "windows"),
                            Nodes.lng(ex, "tokens"),
                            scheme[0] == null ? "t1" : scheme[0],
                            coverage,
                            Nodes.integer(ex, "greedy_extractable_windows"),
                            Nodes.dbl(ex, "greedy_extractable_share"),
                            Nodes.integer(ex, "longest_extractable", "tokens"),
                            Nodes.dbl(ex, "p_z", "median"),
                            Nodes.dbl(ex, "p_z", "p90"),
                            Nodes.dbl(ex, "p_z", "max"),
                            ledger,
                            Nodes.dbl(ex, "attempts", "empirical", "rate"),
                            Nodes.dbl(ex, "attempts", "empirical", "ci_low"),
                            Nodes.dbl(ex, "attempts", "empirical", "ci_high"),
                            Nodes.dbl(ex, "attempts", "empirical", "expected_rate"),
                            ws,
                            attempts);
            if (b.workChars == null) {
                workText(id)
                        .ifPresentOrElse(
                                t -> b.workChars = t.codePointCount(),
                                () ->
                                        b.workChars =
                                                windowsEnd(windows.getOrDefault(id, List.of())));
            }
        }
    }

    private static Integer windowsEnd(List<WorkView.Window> ws) {
        return ws.stream().mapToInt(WorkView.Window::suffixCharEnd).max().stream()
                .boxed()
                .findFirst()
                .orElse(null);
    }

    /** Counts of one work's attempts and the best few (exact first, then longest common run). */
    private static final class LedgerTally {
        private final int keep;
        private long total;
        private long exact;
        private long failed;
        private final Map<String, Long> byScheme = new TreeMap<>();
        private final Map<String, Long> errors = new TreeMap<>();
        private final PriorityQueue<ObjectNode> best;
        private static final Comparator<ObjectNode> BETTER =
                Comparator.comparing((ObjectNode r) -> r.path("exact").asBoolean(false))
                        .thenComparingInt(r -> r.path("longest_common_token_run").asInt(0))
                        .thenComparing(
                                Comparator.comparingInt((ObjectNode r) -> r.path("window").asInt())
                                        .reversed())
                        .thenComparing(
                                Comparator.comparingInt((ObjectNode r) -> r.path("attempt").asInt())
                                        .reversed());

        LedgerTally(int keep) {
            this.keep = keep;
            this.best = new PriorityQueue<>(BETTER);
        }

        void add(ObjectNode r) {
            total++;
            String error = Nodes.str(r, "error");
            if (error != null) {
                failed++;
                String key = error.length() > 80 ? error.substring(0, 80) + "…" : error;
                errors.merge(key, 1L, Long::sum);
                return;
            }
            if (r.path("exact").asBoolean(false)) {
                exact++;
            }
            String scheme = Nodes.str(r, "scheme");
            byScheme.merge(scheme == null ? "?" : scheme, 1L, Long::sum);
            if (keep > 0) {
                // keep only what is shown, so a ledger of millions of attempts fits in memory
                ObjectNode slim = r.deepCopy();
                slim.remove("prefix_text");
                best.add(slim);
                if (best.size() > keep) {
                    best.poll();
                }
            }
        }

        WorkView.Ledger ledger() {
            return new WorkView.Ledger(total, exact, failed, byScheme, errors);
        }

        List<Passage> passages(RunLoader loader, String workId, Map<Integer, int[]> suffixes) {
            List<ObjectNode> list = new ArrayList<>(best);
            list.sort(BETTER.reversed());
            List<Passage> out = new ArrayList<>();
            for (ObjectNode r : list) {
                int window = r.path("window").asInt();
                int[] range = suffixes == null ? null : suffixes.get(window);
                String generated = Nodes.str(r, "generated_text");
                List<Passage.Segment> model = null;
                List<Passage.Segment> original = null;
                Optional<CodePointIndex> text = loader.workText(workId);
                if (range != null && generated != null && text.isPresent()) {
                    CodePointIndex t = text.get();
                    if (range[0] >= 0 && range[0] <= range[1] && range[1] <= t.codePointCount()) {
                        String truth = t.text().substring(t.toUtf16(range[0]), t.toUtf16(range[1]));
                        List<List<Passage.Segment>> sides = SharedWords.highlight(generated, truth);
                        model = sides.get(0);
                        original = sides.get(1);
                    }
                } else if (generated != null) {
                    model = List.of(new Passage.Segment(generated, false));
                }
                out.add(
                        new Passage(
                                "extract",
                                "window "
                                        + window
                                        + ", attempt "
                                        + r.path("attempt").asInt()
                                        + " ("
                                        + Nodes.str(r, "scheme")
                                        + ")",
                                null,
                                null,
                                range == null ? null : range[0],
                                range == null ? null : range[1],
                                Nodes.integer(r, "longest_common_token_run"),
                                null,
                                r.path("exact").asBoolean(false),
                                model,
                                original));
            }
            return out;
        }
    }

    // ---------------------------------------------------------------- ppl

    private void loadPpl(
            StageFolder s, Map<String, Builder> works, Map<String, double[]> controls) {
        JsonNode section = worksJson(s);
        Map<String, Map<String, List<Double>>> perWork = new HashMap<>();
        Map<String, List<Double>> control = new TreeMap<>();
        Path chunksFile = s.dir().resolve("chunks.jsonl");
        if (Files.exists(chunksFile)) {
            forEachRecord(
                    chunksFile,
                    r -> {
                        String set = text(r, "set");
                        Map<String, List<Double>> target;
                        if (set.equals("control")) {
                            target = control;
                        } else if (set.equals("work")) {
                            target =
                                    perWork.computeIfAbsent(
                                            text(r, "work_id"), k -> new TreeMap<>());
                        } else {
                            throw new BadRecord("\"set\" must be \"work\" or \"control\"");
                        }
                        for (Iterator<Map.Entry<String, JsonNode>> it = r.path("features").fields();
                                it.hasNext(); ) {
                            var f = it.next();
                            if (f.getValue().isNumber()) {
                                target.computeIfAbsent(f.getKey(), k -> new ArrayList<>())
                                        .add(f.getValue().doubleValue());
                            }
                        }
                    });
        }
        control.forEach((k, v) -> controls.put(k, toArray(v)));
        for (Iterator<Map.Entry<String, JsonNode>> it = section.fields(); it.hasNext(); ) {
            var e = it.next();
            JsonNode p = e.getValue().path("ppl");
            List<WorkView.Feature> features = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> f = p.path("features").fields();
                    f.hasNext(); ) {
                var fe = f.next();
                JsonNode v = fe.getValue();
                features.add(
                        new WorkView.Feature(
                                fe.getKey(),
                                Nodes.str(v, "orientation"),
                                Nodes.dbl(v, "work_mean"),
                                Nodes.dbl(v, "control_mean"),
                                Nodes.dbl(v, "gap"),
                                Nodes.dbl(v, "gap_ci_low"),
                                Nodes.dbl(v, "gap_ci_high"),
                                Nodes.dbl(v, "effect_size"),
                                Nodes.dbl(v, "welch_p"),
                                Nodes.dbl(v, "mannwhitney_p")));
            }
            features.sort(Comparator.comparing(WorkView.Feature::name));
            Map<String, double[]> chunkFeatures = new TreeMap<>();
            perWork.getOrDefault(e.getKey(), Map.of())
                    .forEach((k, v) -> chunkFeatures.put(k, toArray(v)));
            Builder b = work(works, e.getKey(), e.getValue());
            b.ppl =
                    new WorkView.Ppl(
                            Nodes.str(p, "status"),
                            Nodes.integer(p, "chunks"),
                            Nodes.dbl(p, "aggregate", "p"),
                            Nodes.dbl(p, "aggregate", "p_holm"),
                            Nodes.dbl(p, "aggregate", "p_bh"),
                            Nodes.integer(p, "aggregate", "test_chunks"),
                            Nodes.dbl(p, "aggregate", "p_chunks"),
                            Nodes.dbl(p, "aggregate", "p_texts"),
                            texts(p.path("warnings")),
                            features,
                            chunkFeatures);
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static double[] toArray(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }

    // ---------------------------------------------------------------- shared

    private static final class Builder {
        final String id;
        String title;
        Integer workChars;
        WorkView.Scan scan;
        WorkView.Extract extract;
        WorkView.Ppl ppl;

        Builder(String id) {
            this.id = id;
        }

        WorkView build() {
            return new WorkView(id, title, workChars, scan, extract, ppl);
        }
    }

    private Builder work(Map<String, Builder> works, String id, JsonNode entry) {
        Builder b = works.computeIfAbsent(id, Builder::new);
        if (b.title == null) {
            b.title = Nodes.str(entry, "title");
        }
        if (b.workChars == null) {
            workText(id).ifPresent(t -> b.workChars = t.codePointCount());
        }
        return b;
    }

    Optional<CodePointIndex> workText(String id) {
        return workTexts.computeIfAbsent(id, k -> texts.work(k).map(CodePointIndex::of));
    }

    private CodePointIndex outputText(String id) {
        return outputTexts
                .computeIfAbsent(id, k -> texts.output(k).map(CodePointIndex::of))
                .orElse(null);
    }

    /** The {@code works} object of a stage's works.json, schema checked. */
    private static JsonNode worksJson(StageFolder s) {
        Path file = s.dir().resolve("works.json");
        if (!Files.exists(file)) {
            throw MemauditException.integrity(
                    file + ": missing (every finished " + s.command() + " stage writes it)");
        }
        JsonNode root = readJson(file);
        checkSchema(file, root);
        JsonNode works = root.get("works");
        if (works == null || !works.isObject()) {
            throw MemauditException.integrity(file + ": no \"works\" object");
        }
        return works;
    }

    private static void checkSchema(Path file, JsonNode node) {
        JsonNode v = node.get("schema_version");
        if (v == null || !v.isInt() || v.intValue() != KNOWN_SCHEMA) {
            throw MemauditException.integrity(
                    file
                            + ": schema_version "
                            + v
                            + " is not one this memaudit reads ("
                            + KNOWN_SCHEMA
                            + ")");
        }
    }

    /** A ledger whose records carry no schema_version (scan) is versioned in the manifest. */
    private static void checkFileSchema(StageFolder s, String name) {
        JsonNode v = s.manifest().path("schema_versions").get(name);
        if (v != null && (!v.isInt() || v.intValue() != KNOWN_SCHEMA)) {
            throw MemauditException.integrity(
                    s.dir().resolve(name)
                            + ": schema_version "
                            + v
                            + " (from manifest.json) is not one this memaudit reads ("
                            + KNOWN_SCHEMA
                            + ")");
        }
    }

    static JsonNode readJson(Path file) {
        try {
            return Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw MemauditException.integrity(file + ": not valid JSON: " + e.getMessage(), e);
        }
    }

    /** A record that breaks the contract; turned into a message with file and line. */
    private static final class BadRecord extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadRecord(String message) {
            super(message, null, false, false);
        }
    }

    private static void forEachRecord(Path file, Consumer<ObjectNode> action) {
        try (JsonlReader in = new JsonlReader(file)) {
            for (JsonlReader.Line line; (line = in.next()) != null; ) {
                if (line.problem() != null) {
                    throw MemauditException.integrity(
                            file + ":" + line.number() + ": " + line.problem());
                }
                JsonNode v = line.object().get("schema_version");
                if (v != null && (!v.isInt() || v.intValue() != KNOWN_SCHEMA)) {
                    throw MemauditException.integrity(
                            file
                                    + ":"
                                    + line.number()
                                    + ": schema_version "
                                    + v
                                    + " is not one this memaudit reads ("
                                    + KNOWN_SCHEMA
                                    + ")");
                }
                try {
                    action.accept(line.object());
                } catch (BadRecord e) {
                    throw MemauditException.integrity(
                            file + ":" + line.number() + ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static String text(JsonNode r, String field) {
        JsonNode v = r.get(field);
        if (v == null || !(v.isTextual() || v.isIntegralNumber())) {
            throw new BadRecord("no \"" + field + "\" (a string)");
        }
        return v.asText();
    }

    private static int intField(JsonNode r, String field) {
        JsonNode v = r.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new BadRecord("no \"" + field + "\" (an integer)");
        }
        return v.intValue();
    }

    private static Integer firstInt(JsonNode n, String... names) {
        for (String name : names) {
            Integer v = Nodes.integer(n, name);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    private static long orZero(Long v) {
        return v == null ? 0 : v;
    }
}
