package dev.memaudit.reports.run;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.extract.AttemptRecord;
import dev.memaudit.core.records.extract.ExtractWork;
import dev.memaudit.core.records.extract.NearRecord;
import dev.memaudit.core.records.extract.NearSummary;
import dev.memaudit.core.records.extract.WindowRecord;
import dev.memaudit.core.records.ppl.ChunkRecord;
import dev.memaudit.core.records.ppl.PplSummary;
import dev.memaudit.core.records.ppl.PplWork;
import dev.memaudit.core.records.prevalence.PrevalenceSummary;
import dev.memaudit.core.records.run.Manifest;
import dev.memaudit.core.records.run.Reservation;
import dev.memaudit.core.records.run.SkippedRecord;
import dev.memaudit.core.records.run.WorksFile;
import dev.memaudit.core.records.scan.ScanConfig;
import dev.memaudit.core.records.scan.ScanWork;
import dev.memaudit.core.records.scan.Span;
import dev.memaudit.core.text.CodePointIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * Reads a run folder (docs/run-folders.md) into a {@link RunView}: a folder with {@code
 * manifest.json} is one stage; otherwise every direct subfolder with one is a stage (a {@code
 * report} bundle among them is skipped). Every file is read through its record type ({@link
 * Records}): an unknown schema version, a malformed line or a missing field is an integrity failure
 * naming the file and line. Ledgers are streamed: only the windows' numbers and the best few
 * attempts per work are kept.
 */
public final class RunLoader {
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

    /** The stage folder {@code dir} (its manifest read and checked). */
    public static StageFolder stage(Path dir) {
        Manifest m = Records.read(dir.resolve("manifest.json"), Manifest.class);
        return new StageFolder(dir, m.command(), m);
    }

    /** Reads the run folder into a view. */
    public RunView load(Path run) {
        List<StageFolder> stages = stages(run);
        List<String> notes = new ArrayList<>();
        Map<String, Builder> works = new TreeMap<>();
        Map<String, double[]> controls = new TreeMap<>();
        PplSummary pplRun = null;
        PrevalenceSummary prevalence = null;
        for (StageFolder s : stages) {
            switch (s.command()) {
                case "scan" -> loadScan(s, works);
                case "extract" -> loadExtract(s, works);
                case "ppl" -> {
                    loadPpl(s, works, controls);
                    pplRun =
                            Records.read(
                                    s.dir().resolve(Records.fileName(PplSummary.class)),
                                    PplSummary.class);
                }
                case "prevalence" ->
                        prevalence =
                                Records.read(
                                        s.dir().resolve(Records.fileName(PrevalenceSummary.class)),
                                        PrevalenceSummary.class);
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
        return new RunView(run, List.copyOf(stages), views, controls, pplRun, prevalence, notes);
    }

    // ---------------------------------------------------------------- scan

    private void loadScan(StageFolder s, Map<String, Builder> works) {
        Map<String, WorksFile.WorkEntry> section = worksJson(s);
        // near-verbatim figures only where the scan looked for near passages
        boolean near = s.config() instanceof ScanConfig c && c.near();
        Map<String, List<Passage>> spans = new HashMap<>();
        Path spansFile = s.dir().resolve(Records.fileName(Span.class));
        Records.forEach(
                spansFile,
                Span.class,
                r -> spans.computeIfAbsent(r.workId(), k -> new ArrayList<>()).add(scanPassage(r)));
        for (Map.Entry<String, WorksFile.WorkEntry> e : section.entrySet()) {
            ScanWork sc = e.getValue().scan();
            List<Passage> shown =
                    spans.getOrDefault(e.getKey(), List.of()).stream()
                            .sorted(
                                    Comparator.comparing(Passage::words)
                                            .reversed()
                                            .thenComparing(Passage::label)
                                            .thenComparing(Passage::workCharStart))
                            .toList();
            Builder b = work(works, e.getKey(), e.getValue());
            if (b.workChars == null) {
                b.workChars = sc.workChars();
            }
            b.scan =
                    new WorkView.Scan(
                            sc.outputsHitting(),
                            sc.spans(),
                            sc.charsReproduced(),
                            sc.shareReproduced(),
                            sc.longestSpanWords(),
                            sc.longestSpanOutputId(),
                            near ? sc.nearPassages() : null,
                            near ? sc.shareReproducedNear() : null,
                            near ? sc.longestNearWords() : null,
                            sc.coverage(),
                            sc.distinctivePassages(),
                            sc.commonPassages(),
                            withTexts(shown, e.getKey()));
        }
        for (String workId : spans.keySet()) {
            if (!section.containsKey(workId)) {
                throw MemauditException.integrity(
                        spansFile + ": spans of work \"" + workId + "\" that works.json lacks");
            }
        }
    }

    /** The windows that have a near-verbatim bound, the bound in place of p_z. */
    private static List<WorkView.Window> nearWindows(
            List<WorkView.Window> windows, Map<Integer, NearRecord> bounds) {
        List<WorkView.Window> out = new ArrayList<>();
        for (WorkView.Window w : windows) {
            NearRecord r = bounds.get(w.window());
            if (r != null) {
                out.add(
                        new WorkView.Window(
                                w.window(),
                                w.suffixCharStart(),
                                w.suffixCharEnd(),
                                r.bound(),
                                r.logBound(),
                                w.greedyExtractable()));
            }
        }
        return out;
    }

    private static Passage scanPassage(Span r) {
        return new Passage(
                "scan",
                r.outputId(),
                r.outputCharStart(),
                r.outputCharEnd(),
                r.workCharStart(),
                r.workCharEnd(),
                r.words(),
                r.tokens(),
                r.exact(),
                null,
                null,
                r.near()
                        ? new Passage.Near(
                                r.similarity(), r.editDistance(), r.wordsWork(), r.alignment())
                        : null,
                r.chanceLog10());
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
            CodePointIndex outText = outputText(p.label());
            CodePointIndex wText = workText(workId).orElse(null);
            List<Passage.Segment> model = context(outText, p.outputCharStart(), p.outputCharEnd());
            List<Passage.Segment> original = context(wText, p.workCharStart(), p.workCharEnd());
            if (p.near() != null && model != null && original != null) {
                List<List<Passage.Segment>> sides =
                        NearSegments.of(
                                p.near().alignment(),
                                outText,
                                p.outputCharStart(),
                                p.outputCharEnd(),
                                wText,
                                p.workCharStart(),
                                p.workCharEnd());
                if (sides != null) {
                    model = withMiddle(model, sides.get(0));
                    original = withMiddle(original, sides.get(1));
                }
            }
            out.add(p.withSides(model, original));
        }
        return out;
    }

    /** The context segments around {@code middle} in place of the single shared segment. */
    private static List<Passage.Segment> withMiddle(
            List<Passage.Segment> context, List<Passage.Segment> middle) {
        List<Passage.Segment> segs = new ArrayList<>(middle.size() + 2);
        segs.add(context.get(0));
        segs.addAll(middle);
        segs.add(context.get(2));
        return segs;
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
        Map<String, WorksFile.WorkEntry> section = worksJson(s);
        Map<String, List<WorkView.Window>> windows = new HashMap<>();
        Map<String, Map<Integer, int[]>> suffixes = new HashMap<>();
        String[] scheme = {null};
        // per work and scheme, the window with the highest p_z (for attempts needed)
        Map<String, Map<String, WorkView.BestWindow>> best = new HashMap<>();
        Records.forEach(
                s.dir().resolve(Records.fileName(WindowRecord.class)),
                WindowRecord.class,
                r -> {
                    Map<String, Double> pz = r.pZ();
                    if (scheme[0] == null) {
                        scheme[0] =
                                pz.containsKey("t1")
                                        ? "t1"
                                        : pz.containsKey("greedy")
                                                ? "greedy"
                                                : pz.isEmpty()
                                                        ? "t1"
                                                        : pz.keySet().iterator().next();
                    }
                    windows.computeIfAbsent(r.workId(), k -> new ArrayList<>())
                            .add(
                                    new WorkView.Window(
                                            r.window(),
                                            r.suffixCharStart(),
                                            r.suffixCharEnd(),
                                            // absent: not measured for this window; shown so
                                            pz.get(scheme[0]),
                                            r.logPZ().get(scheme[0]),
                                            r.greedyExtractable()));
                    suffixes.computeIfAbsent(r.workId(), k -> new HashMap<>())
                            .put(r.window(), new int[] {r.suffixCharStart(), r.suffixCharEnd()});
                    Map<String, WorkView.BestWindow> mine =
                            best.computeIfAbsent(r.workId(), k -> new TreeMap<>());
                    for (Map.Entry<String, Double> e : pz.entrySet()) {
                        Double lp = r.logPZ().get(e.getKey());
                        double key = lp == null ? Double.NEGATIVE_INFINITY : lp;
                        WorkView.BestWindow old = mine.get(e.getKey());
                        // the highest ln p_z, ties to the lower window index
                        if (old == null
                                || key > old.logKey()
                                || (key == old.logKey() && r.window() < old.window())) {
                            mine.put(
                                    e.getKey(),
                                    new WorkView.BestWindow(
                                            r.window(),
                                            e.getValue(),
                                            lp,
                                            new TreeMap<>(
                                                    r.attemptsNeeded()
                                                            .getOrDefault(e.getKey(), Map.of()))));
                        }
                    }
                });
        Map<String, LedgerTally> ledgers = new HashMap<>();
        Records.forEach(
                s.dir().resolve(Records.fileName(AttemptRecord.class)),
                AttemptRecord.class,
                r ->
                        ledgers.computeIfAbsent(r.workId(), k -> new LedgerTally(passagesPerWork))
                                .add(r));
        Map<String, Map<String, Long>> skippedReasons = new HashMap<>();
        Path skippedFile = s.dir().resolve(Records.fileName(SkippedRecord.class));
        if (Files.exists(skippedFile)) { // absent in folders of earlier versions
            Records.forEach(
                    skippedFile,
                    SkippedRecord.class,
                    r -> {
                        String reason = r.reason();
                        String key = reason.length() > 80 ? reason.substring(0, 80) + "…" : reason;
                        skippedReasons
                                .computeIfAbsent(r.workId(), k -> new TreeMap<>())
                                .merge(key, 1L, Long::sum);
                    });
        }
        Path nearFile = s.dir().resolve(Records.fileName(NearSummary.class));
        NearSummary nearBound =
                Files.exists(nearFile) ? Records.read(nearFile, NearSummary.class) : null;
        Map<String, Map<Integer, NearRecord>> nearRecords = new HashMap<>();
        Path nearLedger = s.dir().resolve(Records.fileName(NearRecord.class));
        if (nearBound != null && Files.exists(nearLedger)) {
            for (NearRecord r : Records.readAll(nearLedger, NearRecord.class)) {
                nearRecords.computeIfAbsent(r.workId(), k -> new HashMap<>()).put(r.window(), r);
            }
        }
        for (Map.Entry<String, WorksFile.WorkEntry> e : section.entrySet()) {
            String id = e.getKey();
            ExtractWork ex = e.getValue().extract();
            Builder b = work(works, id, e.getValue());
            List<WorkView.Window> ws = windows.getOrDefault(id, List.of());
            ws = ws.stream().sorted(Comparator.comparingInt(WorkView.Window::window)).toList();
            LedgerTally tally = ledgers.get(id);
            // skipped counts as works.json has them (recomputed from skipped.jsonl by extract)
            WorkView.Ledger ledger =
                    new WorkView.Ledger(
                            tally != null ? tally.total : ex.attempts().total(),
                            tally != null ? tally.exact : ex.attempts().exact(),
                            ex.attempts().skipped(),
                            ex.skippedWindows(),
                            tally != null ? tally.byScheme : Map.of(),
                            skippedReasons.getOrDefault(id, Map.of()));
            List<Passage> attempts =
                    tally == null ? List.of() : tally.passages(this, id, suffixes.get(id));
            ExtractWork.Empirical emp = ex.attempts().empirical();
            ExtractWork.Empirical near = ex.attempts().empiricalNear();
            ExtractWork.AttemptCoverage byAttempts = ex.attempts().coverage();
            b.extract =
                    new WorkView.Extract(
                            ex.windows(),
                            (long) ex.tokens(),
                            scheme[0] == null ? "t1" : scheme[0],
                            new TreeMap<>(ex.coverage()),
                            new TreeMap<>(ex.coverageByScheme()),
                            new TreeMap<>(ex.coverageNotMeasured()),
                            bestWindows(best.get(id), ex.coverageByScheme().keySet()),
                            ex.greedyExtractableWindows(),
                            ex.greedyExtractableShare(),
                            ex.longestExtractable().tokens(),
                            ex.pZ().median(),
                            ex.pZ().p90(),
                            ex.pZ().max(),
                            ledger,
                            emp.rate(),
                            emp.ciLow(),
                            emp.ciHigh(),
                            emp.expectedRate(),
                            emp.notMeasured() == null
                                    ? null
                                    : emp.notMeasured().get("expected_rate"),
                            ex.attempts().near(),
                            near.rate(),
                            near.ciLow(),
                            near.ciHigh(),
                            byAttempts.exact(),
                            byAttempts.near(),
                            ex.easiestWindow(),
                            ex.bitsNotMeasuredWindows(),
                            ex.bitsNotMeasured(),
                            nearBound == null ? null : nearBound.settings(),
                            nearBound == null ? null : nearBound.works().get(id),
                            ex.prior(),
                            ws,
                            nearWindows(ws, nearRecords.getOrDefault(id, Map.of())),
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

    /** The best windows of the schemes measured for every window of the work. */
    private static Map<String, WorkView.BestWindow> bestWindows(
            Map<String, WorkView.BestWindow> best, java.util.Set<String> measured) {
        Map<String, WorkView.BestWindow> out = new TreeMap<>();
        if (best != null) {
            best.forEach(
                    (k, v) -> {
                        if (measured.contains(k)) {
                            out.put(k, v);
                        }
                    });
        }
        return out;
    }

    private static Integer windowsEnd(List<WorkView.Window> ws) {
        return ws.stream().mapToInt(WorkView.Window::suffixCharEnd).max().stream()
                .boxed()
                .findFirst()
                .orElse(null);
    }

    /** An attempt as shown: what a passage needs, without the prefix text. */
    private record Shown(
            int window,
            int attempt,
            String scheme,
            boolean exact,
            int longestCommonTokenRun,
            String generatedText) {}

    /** Counts of one work's attempts and the best few (exact first, then longest common run). */
    private static final class LedgerTally {
        private final int keep;
        private long total;
        private long exact;
        private final Map<String, Long> byScheme = new TreeMap<>();
        private final PriorityQueue<Shown> best;
        private static final Comparator<Shown> BETTER =
                Comparator.comparing(Shown::exact)
                        .thenComparingInt(Shown::longestCommonTokenRun)
                        .thenComparing(Comparator.comparingInt(Shown::window).reversed())
                        .thenComparing(Comparator.comparingInt(Shown::attempt).reversed());

        LedgerTally(int keep) {
            this.keep = keep;
            this.best = new PriorityQueue<>(BETTER);
        }

        void add(AttemptRecord r) {
            total++;
            if (r.exact()) {
                exact++;
            }
            byScheme.merge(r.scheme(), 1L, Long::sum);
            if (keep > 0) {
                // keep only what is shown, so a ledger of millions of attempts fits in memory
                best.add(
                        new Shown(
                                r.window(),
                                r.attempt(),
                                r.scheme(),
                                r.exact(),
                                r.longestCommonTokenRun(),
                                r.generatedText()));
                if (best.size() > keep) {
                    best.poll();
                }
            }
        }

        List<Passage> passages(RunLoader loader, String workId, Map<Integer, int[]> suffixes) {
            List<Shown> list = new ArrayList<>(best);
            list.sort(BETTER.reversed());
            List<Passage> out = new ArrayList<>();
            for (Shown r : list) {
                int[] range = suffixes == null ? null : suffixes.get(r.window());
                String generated = r.generatedText();
                List<Passage.Segment> model = null;
                List<Passage.Segment> original = null;
                Optional<CodePointIndex> text = loader.workText(workId);
                if (range != null && text.isPresent()) {
                    CodePointIndex t = text.get();
                    if (range[0] >= 0 && range[0] <= range[1] && range[1] <= t.codePointCount()) {
                        String truth = t.text().substring(t.toUtf16(range[0]), t.toUtf16(range[1]));
                        List<List<Passage.Segment>> sides = SharedWords.highlight(generated, truth);
                        model = sides.get(0);
                        original = sides.get(1);
                    }
                } else {
                    model = List.of(new Passage.Segment(generated, false));
                }
                out.add(
                        new Passage(
                                "extract",
                                "window "
                                        + r.window()
                                        + ", attempt "
                                        + r.attempt()
                                        + " ("
                                        + r.scheme()
                                        + ")",
                                null,
                                null,
                                range == null ? null : range[0],
                                range == null ? null : range[1],
                                r.longestCommonTokenRun(),
                                null,
                                r.exact(),
                                model,
                                original));
            }
            return out;
        }
    }

    // ---------------------------------------------------------------- ppl

    private void loadPpl(
            StageFolder s, Map<String, Builder> works, Map<String, double[]> controls) {
        Map<String, WorksFile.WorkEntry> section = worksJson(s);
        Map<String, Map<String, List<Double>>> perWork = new HashMap<>();
        Map<String, List<Double>> control = new TreeMap<>();
        Records.forEach(
                s.dir().resolve(Records.fileName(ChunkRecord.class)),
                ChunkRecord.class,
                r -> {
                    Map<String, List<Double>> target =
                            r.isControl()
                                    ? control
                                    : perWork.computeIfAbsent(r.workId(), k -> new TreeMap<>());
                    r.features()
                            .forEach(
                                    (k, v) ->
                                            target.computeIfAbsent(k, x -> new ArrayList<>())
                                                    .add(v));
                });
        control.forEach((k, v) -> controls.put(k, toArray(v)));
        for (Map.Entry<String, WorksFile.WorkEntry> e : section.entrySet()) {
            PplWork p = e.getValue().ppl();
            List<WorkView.Feature> features = new ArrayList<>();
            p.features()
                    .forEach(
                            (name, v) ->
                                    features.add(
                                            new WorkView.Feature(
                                                    name,
                                                    v.orientation(),
                                                    v.workMean(),
                                                    v.controlMean(),
                                                    v.gap(),
                                                    v.gapCiLow(),
                                                    v.gapCiHigh(),
                                                    v.effectSize(),
                                                    v.welchP(),
                                                    v.mannwhitneyP())));
            features.sort(Comparator.comparing(WorkView.Feature::name));
            Map<String, double[]> chunkFeatures = new TreeMap<>();
            perWork.getOrDefault(e.getKey(), Map.of())
                    .forEach((k, v) -> chunkFeatures.put(k, toArray(v)));
            Builder b = work(works, e.getKey(), e.getValue());
            PplWork.Aggregate a = p.aggregate();
            b.ppl =
                    new WorkView.Ppl(
                            p.status(),
                            p.chunks(),
                            a.p(),
                            a.pHolm(),
                            a.pBh(),
                            a.testChunks(),
                            a.pChunks(),
                            a.pTexts(),
                            p.warnings(),
                            features,
                            chunkFeatures);
        }
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
        Reservation reservation;

        Builder(String id) {
            this.id = id;
        }

        WorkView build() {
            return new WorkView(id, title, workChars, scan, extract, ppl, reservation);
        }
    }

    private Builder work(Map<String, Builder> works, String id, WorksFile.WorkEntry entry) {
        Builder b = works.computeIfAbsent(id, Builder::new);
        if (b.title == null) {
            b.title = entry.title();
        }
        if (b.workChars == null) {
            workText(id).ifPresent(t -> b.workChars = t.codePointCount());
        }
        if (b.reservation == null) {
            b.reservation = texts.reservation(id).orElse(null);
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

    /** The works of a stage's works.json, each with that stage's section. */
    private static Map<String, WorksFile.WorkEntry> worksJson(StageFolder s) {
        Path file = s.dir().resolve(Records.fileName(WorksFile.class));
        return Records.read(file, WorksFile.class).requireSection(file, s.command()).works();
    }
}
