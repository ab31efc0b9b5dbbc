package dev.memaudit.extractor.extract;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.RunManifest;
import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.extract.AttemptRecord;
import dev.memaudit.core.records.extract.ExtractConfig;
import dev.memaudit.core.records.extract.ExtractSummary;
import dev.memaudit.core.records.extract.ExtractWork;
import dev.memaudit.core.records.extract.NearRecord;
import dev.memaudit.core.records.extract.NearSettings;
import dev.memaudit.core.records.extract.NearSummary;
import dev.memaudit.core.records.extract.PriorSettings;
import dev.memaudit.core.records.extract.Reconstruction;
import dev.memaudit.core.records.extract.ReconstructionRecord;
import dev.memaudit.core.records.extract.WindowRecord;
import dev.memaudit.core.records.run.ModelIdentity;
import dev.memaudit.core.records.run.SkippedRecord;
import dev.memaudit.core.records.run.WorksFile;
import dev.memaudit.core.records.scan.Span;
import dev.memaudit.core.run.BatchCall;
import dev.memaudit.core.run.Progress;
import dev.memaudit.core.run.RunFolder;
import dev.memaudit.core.run.RunLedger;
import dev.memaudit.core.run.StageStop;
import dev.memaudit.core.text.CodePoints;
import dev.memaudit.extractor.ppl.PplInputs;
import dev.memaudit.extractor.ppl.PplText;
import dev.memaudit.extractor.window.TokenizedWork;
import dev.memaudit.extractor.window.Window;
import dev.memaudit.extractor.window.WindowPlanner;
import dev.memaudit.index.build.IndexManifest;
import dev.memaudit.index.scan.NgramIndex;
import dev.memaudit.index.scan.OutputScanner;
import dev.memaudit.index.scan.ScanService;
import dev.memaudit.index.store.WorksStore;
import dev.memaudit.model.Generation;
import dev.memaudit.model.GenerationSettings;
import dev.memaudit.model.LanguageModel;
import dev.memaudit.model.TokenizationPlan;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code memaudit extract}: teacher-forced extraction probabilities for every window of the
 * selected works, decoding attempts on chosen windows, chained greedy reconstruction, and per-work
 * coverage, written to a run folder (docs/run-folders.md, section extract).
 *
 * <p>Phases, each resumable: (1) windows.jsonl, one record per window; (2) attempts.jsonl for the
 * windows {@link AttemptSelection} picks from the window records; (3) reconstruction.jsonl, one
 * record per work; (4) works.json, extract.json and manifest.json, recomputed from the ledgers.
 * Records are flushed one by one; {@code resume} skips every window, attempt and reconstruction
 * whose record exists (keys: work_id + window, + attempt), so a run killed at any moment continues
 * with nothing lost and nothing duplicated. Attempts are reproducible one by one: each has its own
 * seed derived from the run seed, the work id, the window and the attempt number.
 */
public final class ExtractService {

    /**
     * Settings of an extraction run.
     *
     * @param prefixTokens prefix length in model tokens
     * @param suffixTokens true suffix length in model tokens
     * @param stride tokens between window starts
     * @param schemes schemes besides greedy and t1 whose p_z is computed (may be empty; the attempt
     *     scheme is added when missing)
     * @param batch windows (or attempt rows) per model call
     * @param attempts sampled attempts per chosen window (0 = no decoding); each chosen window also
     *     gets one greedy attempt
     * @param attemptScheme the scheme of the sampled attempts
     * @param attemptWindows which windows get attempts
     * @param seed run seed (attempt seeds, random window choice)
     * @param reconstructMaxTokens most tokens of chained greedy reconstruction per work (0 = off)
     * @param minWords shortest verbatim span reported when scanning a generation
     * @param minSimilarity lowest word similarity of a near attempt ({@link WordMatch}), in [0.5,
     *     1]
     * @param works work ids to audit, or null for every work of the index that is not a control
     * @param near settings of the near-verbatim extraction bound, or null for none
     * @param prior settings of the commonness control ({@link PriorScorer}), or null for none
     */
    public record Options(
            int prefixTokens,
            int suffixTokens,
            int stride,
            List<Scheme> schemes,
            int batch,
            int attempts,
            Scheme attemptScheme,
            AttemptSelection attemptWindows,
            long seed,
            int reconstructMaxTokens,
            int minWords,
            double minSimilarity,
            List<String> works,
            NearSettings near,
            PriorSettings prior) {

        /** Options without the near-verbatim bound. */
        public Options(
                int prefixTokens,
                int suffixTokens,
                int stride,
                List<Scheme> schemes,
                int batch,
                int attempts,
                Scheme attemptScheme,
                AttemptSelection attemptWindows,
                long seed,
                int reconstructMaxTokens,
                int minWords,
                double minSimilarity,
                List<String> works) {
            this(
                    prefixTokens,
                    suffixTokens,
                    stride,
                    schemes,
                    batch,
                    attempts,
                    attemptScheme,
                    attemptWindows,
                    seed,
                    reconstructMaxTokens,
                    minWords,
                    minSimilarity,
                    works,
                    null,
                    null);
        }

        /** These options with the near-verbatim bound (beam 0 for none). */
        public Options withNear(double epsilon, int beam, long budget) {
            NearSettings n =
                    beam == 0
                            ? null
                            : new NearSettings(attemptScheme.name(), epsilon, beam, budget);
            return new Options(
                    prefixTokens,
                    suffixTokens,
                    stride,
                    schemes,
                    batch,
                    attempts,
                    attemptScheme,
                    attemptWindows,
                    seed,
                    reconstructMaxTokens,
                    minWords,
                    minSimilarity,
                    works,
                    n,
                    prior);
        }

        /**
         * These options with the commonness control: {@code prefixes} unrelated prefixes per window
         * (0 for none), drawn with the run seed from the index's other works and the controls of
         * {@code controls} (a corpus.yaml or its folder; null for none).
         */
        public Options withPrior(int prefixes, Path controls) {
            PriorSettings p =
                    prefixes == 0
                            ? null
                            : new PriorSettings(
                                    prefixes, seed, controls == null ? null : controls.toString());
            return new Options(
                    prefixTokens,
                    suffixTokens,
                    stride,
                    schemes,
                    batch,
                    attempts,
                    attemptScheme,
                    attemptWindows,
                    seed,
                    reconstructMaxTokens,
                    minWords,
                    minSimilarity,
                    works,
                    near,
                    p);
        }

        public Options {
            new WindowPlanner(prefixTokens, suffixTokens, stride); // validates
            List<String> p = new ArrayList<>();
            if (batch < 1 || batch > 4096) {
                p.add("batch must be between 1 and 4096, got " + batch);
            }
            if (attempts < 0 || attempts > 1_000_000) {
                p.add("attempts must be between 0 and 1000000, got " + attempts);
            }
            if (attemptScheme.isGreedy()) {
                p.add("the attempt scheme must sample (greedy is attempt 0 already)");
            }
            if (reconstructMaxTokens < 0) {
                p.add("reconstruct max tokens must be ≥ 0, got " + reconstructMaxTokens);
            }
            if (minWords < 2) {
                p.add("min words must be ≥ 2, got " + minWords);
            }
            if (!(minSimilarity >= 0.5 && minSimilarity <= 1.0)) {
                p.add("min-similarity must be between 0.5 and 1, got " + minSimilarity);
            }
            if (near != null) {
                if (near.beam() < 1 || near.beam() > 4096) {
                    p.add("near beam must be between 1 and 4096, got " + near.beam());
                }
                if (!(near.epsilon() >= 0 && near.epsilon() <= 1)) {
                    p.add("near epsilon must be between 0 and 1, got " + near.epsilon());
                }
                if (near.budget() < 1) {
                    p.add("near budget must be at least 1, got " + near.budget());
                }
            }
            if (prior != null && (prior.prefixes() < 1 || prior.prefixes() > 1024)) {
                p.add("prior prefixes must be between 0 and 1024, got " + prior.prefixes());
            }
            if (!p.isEmpty()) {
                throw MemauditException.usage(String.join("; ", p));
            }
            List<Scheme> all = new ArrayList<>(schemes);
            if (!attemptScheme.isPlain() && !all.contains(attemptScheme)) {
                all.add(attemptScheme); // its p_z is what the attempts are compared with
            }
            schemes = List.copyOf(all);
            works = works == null ? null : List.copyOf(works);
        }

        /**
         * 50-token prefix and suffix, stride 50, no attempts, 1024-token reconstruction, near
         * attempts at word similarity 0.8.
         */
        public static Options defaults() {
            return new Options(
                    50,
                    50,
                    50,
                    List.of(),
                    16,
                    0,
                    Scheme.T1,
                    AttemptSelection.parse("all"),
                    0,
                    1024,
                    12,
                    0.8,
                    null);
        }

        public WindowPlanner planner() {
            return new WindowPlanner(prefixTokens, suffixTokens, stride);
        }

        /** The run's config record (pinned by the run folder for resume, and in the manifest). */
        ExtractConfig config(
                String model, ModelIdentity identity, NgramIndex index, String indexWorks) {
            return new ExtractConfig(
                    model,
                    identity,
                    index.manifest().indexUid(),
                    indexWorks,
                    prefixTokens,
                    suffixTokens,
                    stride,
                    schemes.stream().map(Scheme::name).toList(),
                    attempts,
                    attemptScheme.name(),
                    attemptWindows.toString(),
                    seed,
                    reconstructMaxTokens,
                    minWords,
                    minSimilarity,
                    works,
                    batch,
                    index.dir().toString(),
                    index.manifest().generation(),
                    near,
                    prior);
        }
    }

    /**
     * What a run did.
     *
     * @param windows window records in the ledger at the end
     * @param windowsScored windows scored by this process (not counting resumed ones)
     * @param windowSeconds seconds spent scoring them
     * @param attempts attempt records in the ledger at the end
     * @param attemptsRun attempts decoded by this process
     * @param attemptSeconds seconds spent decoding them (scan included)
     * @param works per-work sections as written to works.json, by work id
     */
    public record Summary(
            Path outDir,
            boolean resumed,
            long windows,
            long windowsScored,
            double windowSeconds,
            long attempts,
            long attemptsRun,
            double attemptSeconds,
            Map<String, ExtractWork> works) {

        public double windowsPerSecond() {
            return windowSeconds > 0 ? windowsScored / windowSeconds : 0;
        }

        public double attemptsPerSecond() {
            return attemptSeconds > 0 ? attemptsRun / attemptSeconds : 0;
        }
    }

    private final Clock clock;
    private final PrintStream err;
    private final boolean progressBars;

    /**
     * @param err where progress bars and messages go
     * @param progressBars draw progress bars (pass {@link Progress#stderrIsTerminal()})
     */
    public ExtractService(Clock clock, PrintStream err, boolean progressBars) {
        this.clock = clock;
        this.err = err;
        this.progressBars = progressBars;
    }

    /**
     * Runs (or, with {@code resume}, continues) an extraction into {@code outDir}.
     *
     * @param args the command line, recorded in the manifest
     */
    public Summary run(
            LanguageModel model,
            NgramIndex index,
            Options o,
            Path outDir,
            boolean resume,
            List<String> args) {
        if (!model.capabilities().promptLogprobs()) {
            throw MemauditException.backend(
                    model.describe()
                            + ": the backend returns no prompt log-probabilities, so extraction"
                            + " windows cannot be scored teacher-forced",
                    null);
        }
        if (o.near() != null && !model.givesLogits()) {
            throw MemauditException.usage(
                    model.describe()
                            + " gives no whole next-token distribution: the near-verbatim bound"
                            + " (--near-beam) needs a local model (--model <folder>)");
        }
        if (o.prefixTokens() + o.suffixTokens() > model.maxSequenceLength()) {
            // every window would be refused: a setting, not an input, is wrong
            throw MemauditException.usage(
                    "prefix tokens + suffix tokens = "
                            + (o.prefixTokens() + o.suffixTokens())
                            + " exceed the model's "
                            + model.maxSequenceLength()
                            + " positions");
        }
        List<WorkRef> works = selectWorks(index, o.works());
        TokenizationPlan.announce(
                model.tokenizer(), works.stream().map(WorkRef::text).toList(), err);
        // The works themselves, not the index generation: rebuilding an unchanged corpus (as
        // `memaudit audit` does) bumps the generation and must not block --resume.
        ExtractConfig config =
                o.config(model.describe(), model.identity(), index, worksDigest(works));
        RunFolder folder = RunFolder.open(outDir, config, resume);
        List<String> servedBy = folder.servedBy(model.address());
        WindowScorer scorer = new WindowScorer(model, o.schemes());
        PriorScorer prior = o.prior() == null ? null : priorScorer(model, index, o);
        long windowsScored;
        double windowSeconds;
        Path windowsFile = outDir.resolve(Records.fileName(WindowRecord.class));
        long attemptsRun = 0;
        double attemptSeconds = 0;
        Map<String, List<WindowRecord>> windowRecords;
        // inputs the backend refused for good: done, never retried, never counted as a try
        try (RunLedger<SkippedRecord> skipped = folder.ledger(SkippedRecord.class)) {
            Set<String> skippedIds = new HashSet<>();
            skipped.forEachExisting(r -> skippedIds.add(r.item() + " " + r.id()));
            try (RunLedger<WindowRecord> ledger = folder.ledger(WindowRecord.class)) {
                long t0 = System.nanoTime();
                windowsScored =
                        scoreWindows(model, scorer, prior, works, o, ledger, skipped, skippedIds);
                windowSeconds = (System.nanoTime() - t0) / 1e9;
            }
            windowRecords = windowsByWork(windowsFile);
            try (RunLedger<AttemptRecord> ledger = folder.ledger(AttemptRecord.class)) {
                if (o.attempts() >= 0) {
                    long t0 = System.nanoTime();
                    attemptsRun =
                            runAttempts(
                                    model,
                                    index,
                                    works,
                                    windowRecords,
                                    o,
                                    ledger,
                                    skipped,
                                    skippedIds);
                    attemptSeconds = (System.nanoTime() - t0) / 1e9;
                }
            }
        }
        try (RunLedger<ReconstructionRecord> ledger = folder.ledger(ReconstructionRecord.class)) {
            if (o.reconstructMaxTokens() > 0) {
                reconstruct(model, works, o, ledger);
            }
        }
        if (o.near() != null) {
            try (RunLedger<NearRecord> ledger = folder.ledger(NearRecord.class)) {
                NearStage.run(model, works, windowRecords, o.near(), ledger);
            }
        }
        Map<String, int[]> skippedCounts = new HashMap<>(); // work → {windows, attempts}
        Records.forEach(
                outDir.resolve(Records.fileName(SkippedRecord.class)),
                SkippedRecord.class,
                r ->
                        skippedCounts
                                .computeIfAbsent(r.workId(), k -> new int[2])[
                                r.item().equals(WINDOW) ? 0 : 1]++);
        // attempts are counted as they stream by: a ledger of millions is never held
        Map<String, WorkSummary.Attempts> attemptCounts = new HashMap<>();
        long[] attemptCount = {0};
        Records.forEach(
                outDir.resolve(Records.fileName(AttemptRecord.class)),
                AttemptRecord.class,
                a -> {
                    attemptCount[0]++;
                    attemptCounts
                            .computeIfAbsent(a.workId(), k -> new WorkSummary.Attempts())
                            .add(a);
                });
        Map<String, Reconstruction> reconstructions = new HashMap<>();
        Records.forEach(
                outDir.resolve(Records.fileName(ReconstructionRecord.class)),
                ReconstructionRecord.class,
                r -> reconstructions.putIfAbsent(r.workId(), r.result()));

        Map<String, ExtractWork> summaries = new TreeMap<>();
        Map<String, WorksFile.WorkEntry> entries = new TreeMap<>();
        long windowCount = 0;
        for (WorkRef w : works) {
            TokenizedWork tw = WindowPlanner.tokenize(model.tokenizer(), w.id(), w.text());
            List<WindowRecord> ws = windowRecords.getOrDefault(w.id(), List.of());
            windowCount += ws.size();
            int[] skippedOfWork = skippedCounts.getOrDefault(w.id(), new int[2]);
            WorkSummary.Attempts counted =
                    attemptCounts.getOrDefault(w.id(), new WorkSummary.Attempts());
            counted.addSkipped(skippedOfWork[1]);
            ExtractWork summary =
                    WorkSummary.of(
                            tw.length(),
                            ws,
                            skippedOfWork[0],
                            counted,
                            o.attemptScheme().name(),
                            reconstructions.get(w.id()),
                            windowsFile.toString(),
                            w.text());
            if (o.prior() != null) {
                summary = summary.withPrior(WorkSummary.prior(ws));
            }
            summaries.put(w.id(), summary);
            entries.put(w.id(), WorksFile.WorkEntry.extract(w.title(), summary));
        }
        Records.write(outDir.resolve(Records.fileName(WorksFile.class)), WorksFile.of(entries));
        if (o.near() != null) {
            Map<String, Integer> tokens = new HashMap<>();
            summaries.forEach((id, e) -> tokens.put(id, (int) e.tokens()));
            Records.write(
                    outDir.resolve(Records.fileName(NearSummary.class)),
                    NearStage.summary(
                            o.near(),
                            Records.readAll(
                                    outDir.resolve(Records.fileName(NearRecord.class)),
                                    NearRecord.class),
                            windowRecords,
                            tokens));
        }
        Records.write(
                outDir.resolve(Records.fileName(ExtractSummary.class)),
                new ExtractSummary(
                        ExtractSummary.SCHEMA_VERSION,
                        model.describe(),
                        works.size(),
                        windowCount,
                        attemptCount[0],
                        scorer.schemes().stream().map(Scheme::name).toList(),
                        folder.resumed(),
                        windowsScored,
                        windowSeconds,
                        windowSeconds > 0 ? windowsScored / windowSeconds : null,
                        attemptsRun,
                        attemptSeconds,
                        attemptSeconds > 0 ? attemptsRun / attemptSeconds : null,
                        WindowRecord.BITS_RANK_CUTOFF,
                        easiestOfRun(summaries),
                        summaries.values().stream()
                                .mapToLong(ExtractWork::bitsNotMeasuredWindows)
                                .sum(),
                        o.minSimilarity(),
                        WorkSummary.pooled(
                                o.attemptScheme().name(),
                                summaries.values().stream()
                                        .map(x -> x.attempts().empirical())
                                        .toList(),
                                false),
                        WorkSummary.pooled(
                                o.attemptScheme().name(),
                                summaries.values().stream()
                                        .map(x -> x.attempts().empiricalNear())
                                        .toList(),
                                true),
                        WorkSummary.pooledCoverage(
                                summaries.values().stream()
                                        .map(x -> x.attempts().coverage())
                                        .toList())));

        RunManifest manifest = new RunManifest(clock, args);
        manifest.seeds(Map.of("seed", o.seed()));
        manifest.backend(withServedBy(model.manifestSection(), servedBy));
        for (WorkRef w : works) {
            if (w.sourceSha256() != null) {
                manifest.inputHash("work/" + w.id(), w.sourceSha256());
            }
        }
        manifest.write(outDir, config);
        return new Summary(
                outDir,
                folder.resumed(),
                windowCount,
                windowsScored,
                windowSeconds,
                attemptCount[0],
                attemptsRun,
                attemptSeconds,
                summaries);
    }

    /** The backend's manifest section plus every address that served part of the run. */
    public static Map<String, Object> withServedBy(
            Map<String, Object> section, List<String> servedBy) {
        Map<String, Object> m = new LinkedHashMap<>(section);
        m.put("served_by", List.copyOf(servedBy));
        return m;
    }

    /** A work to audit, as the index stores it. */
    record WorkRef(String id, String title, String sourceSha256, String text) {}

    private static List<WorkRef> selectWorks(NgramIndex index, List<String> wanted) {
        WorksStore store = index.store();
        Map<String, IndexManifest.WorkInfo> info = new HashMap<>();
        for (IndexManifest.WorkInfo w : index.manifest().works()) {
            info.put(w.id(), w);
        }
        List<WorkRef> out = new ArrayList<>();
        if (wanted != null) {
            List<String> unknown = new ArrayList<>();
            for (String id : wanted) {
                if (store.ordinal(id) < 0) {
                    unknown.add(id);
                }
            }
            if (!unknown.isEmpty()) {
                throw MemauditException.usage(
                        index.dir() + ": no work with id " + String.join(", ", unknown));
            }
        }
        Set<String> want = wanted == null ? null : new HashSet<>(wanted);
        for (int ord = 0; ord < store.size(); ord++) {
            String id = store.id(ord);
            IndexManifest.WorkInfo wi = info.get(id);
            boolean control = wi != null && "control".equals(wi.role());
            if (want == null ? control : !want.contains(id)) {
                continue;
            }
            out.add(
                    new WorkRef(
                            id,
                            wi == null ? null : wi.title(),
                            wi == null ? null : wi.sourceSha256(),
                            store.text(ord)));
        }
        return out;
    }

    private long scoreWindows(
            LanguageModel model,
            WindowScorer scorer,
            PriorScorer prior,
            List<WorkRef> works,
            Options o,
            RunLedger<WindowRecord> ledger,
            RunLedger<SkippedRecord> skipped,
            Set<String> skippedIds) {
        Set<String> done = new HashSet<>();
        ledger.forEachExisting(r -> done.add(key(r.workId(), r.window())));
        long totalChars = 0;
        for (WorkRef w : works) {
            totalChars += w.text().length();
        }
        long[] scored = {0};
        long[] refused = {0};
        WindowPlanner planner = o.planner();
        // every work's windows first: a stopped run says how many there are in all
        List<TokenizedWork> tokenized = new ArrayList<>();
        List<List<Window>> planned = new ArrayList<>();
        long total = 0;
        for (WorkRef w : works) {
            TokenizedWork tw = WindowPlanner.tokenize(model.tokenizer(), w.id(), w.text());
            tokenized.add(tw);
            planned.add(planner.windows(tw));
            total += planned.get(planned.size() - 1).size();
        }
        try (Progress bar = Progress.of(err, "windows", "chars", totalChars, 0, progressBars)) {
            for (int wi = 0; wi < works.size(); wi++) {
                WorkRef w = works.get(wi);
                TokenizedWork tw = tokenized.get(wi);
                List<Window> pending = new ArrayList<>();
                for (Window win : planned.get(wi)) {
                    if (!done.contains(key(w.id(), win.index()))
                            && !skippedIds.contains(WINDOW + " " + windowId(w.id(), win))) {
                        pending.add(win);
                    }
                }
                for (int i = 0; i < pending.size(); i += o.batch()) {
                    List<Window> batch =
                            pending.subList(i, Math.min(pending.size(), i + o.batch()));
                    try {
                        BatchCall.run(
                                batch,
                                b ->
                                        prior == null
                                                ? scorer.score(tw, b)
                                                : prior.attach(tw, b, scorer.score(tw, b)),
                                (win, r) -> {
                                    ledger.append(r);
                                    scored[0]++;
                                },
                                (win, reason) -> {
                                    skipped.append(
                                            SkippedRecord.of(
                                                    WINDOW, windowId(w.id(), win), w.id(), reason));
                                    refused[0]++;
                                });
                    } catch (RuntimeException e) {
                        if (StageStop.isBackendFailure(e)) {
                            throw StageStop.backend(
                                    "extract (window scoring)",
                                    ledger.existingCount()
                                            + scored[0]
                                            + skippedOf(WINDOW, skippedIds)
                                            + refused[0],
                                    total,
                                    "windows",
                                    ledger.file(),
                                    true,
                                    e);
                        }
                        throw e;
                    }
                    bar.advance(
                            (long) w.text().length() * batch.size() / Math.max(1, pending.size()));
                }
            }
        }
        return scored[0];
    }

    /**
     * Texts the commonness control draws unrelated prefixes from: at most this many, a seeded
     * choice among the index's texts and the {@code --prior-controls} when there are more, so a
     * catalogue of thousands of works is not tokenized (through a server: requested) for it.
     */
    static final int PRIOR_POOL = 32;

    /**
     * The commonness control's scorer over the prior pool ({@link #PRIOR_POOL} texts of the index,
     * controls included, and of {@code --prior-controls}), tokenized by the audited model; a
     * control that cannot be read is reported on stderr and left out.
     */
    private PriorScorer priorScorer(LanguageModel model, NgramIndex index, Options o) {
        record Candidate(String id, String text) {}
        List<Candidate> candidates = new ArrayList<>();
        WorksStore store = index.store();
        for (int ord = 0; ord < store.size(); ord++) {
            candidates.add(new Candidate(store.id(ord), null));
        }
        if (o.prior().controls() != null) {
            PplInputs.Loaded c = PplInputs.controls(Path.of(o.prior().controls()));
            c.problems().forEach(p -> err.println("prior controls: " + p));
            for (PplText t : c.texts()) {
                // a control that is also in the index is drawn from once
                if (store.ordinal(t.id()) < 0) {
                    candidates.add(new Candidate("control:" + t.id(), t.text()));
                }
            }
        }
        if (candidates.size() > PRIOR_POOL) {
            java.util.Collections.shuffle(
                    candidates, new java.util.Random(o.prior().seed() ^ 0x9E3779B97F4A7C15L));
            candidates = new ArrayList<>(candidates.subList(0, PRIOR_POOL));
            err.println(
                    "commonness control: unrelated prefixes from a seeded choice of "
                            + PRIOR_POOL
                            + " of the index's and controls' texts");
        }
        List<PriorScorer.Source> sources = new ArrayList<>();
        for (Candidate c : candidates) {
            String text = c.text() != null ? c.text() : store.text(store.ordinal(c.id()));
            sources.add(
                    new PriorScorer.Source(
                            c.id(), WindowPlanner.tokenize(model.tokenizer(), c.id(), text).ids()));
        }
        if (sources.size() < 2) {
            err.println(
                    "commonness control: no text besides the audited work to draw unrelated"
                            + " prefixes from (--prior-controls adds some); windows get no prior");
        }
        return new PriorScorer(model, sources, o.prior().prefixes(), o.prior().seed(), o.batch());
    }

    /** The kind of a skipped window and of a skipped attempt in skipped.jsonl. */
    static final String WINDOW = "window";

    static final String ATTEMPT = "attempt";

    private static String windowId(String work, Window win) {
        return work + "#" + win.index();
    }

    private static String attemptId(String work, int window, int attempt) {
        return work + "#" + window + "/" + attempt;
    }

    private static long skippedOf(String item, Set<String> skippedIds) {
        return skippedIds.stream().filter(k -> k.startsWith(item + " ")).count();
    }

    private long runAttempts(
            LanguageModel model,
            NgramIndex index,
            List<WorkRef> works,
            Map<String, List<WindowRecord>> windowRecords,
            Options o,
            RunLedger<AttemptRecord> ledger,
            RunLedger<SkippedRecord> skipped,
            Set<String> skippedIds) {
        Set<String> done = new HashSet<>();
        ledger.forEachExisting(r -> done.add(key(r.workId(), r.window()) + "/" + r.attempt()));
        for (String k : skippedIds) {
            if (k.startsWith(ATTEMPT + " ")) {
                String id = k.substring(ATTEMPT.length() + 1);
                int hash = id.lastIndexOf('#');
                int slash = id.lastIndexOf('/');
                done.add(
                        key(id.substring(0, hash), Integer.parseInt(id.substring(hash + 1, slash)))
                                + id.substring(slash));
            }
        }
        // plan every missing attempt first so the bar knows the total
        Map<String, List<int[]>> plan = new LinkedHashMap<>(); // work → [window, attempt]
        long total = 0;
        String schemeName = o.attemptScheme().name();
        for (WorkRef w : works) {
            List<WindowRecord> recs = windowRecords.getOrDefault(w.id(), List.of());
            List<Integer> indexes = new ArrayList<>();
            double[] lp = new double[recs.size()];
            for (int i = 0; i < recs.size(); i++) {
                indexes.add(recs.get(i).window());
                // null: p_z is exactly 0; absent: not measured for this window, which top:K then
                // ranks after every window where it was measured (its p_z is unknown, not 0: the
                // attempts' expected rate says "not measured")
                Double v = recs.get(i).logPZ().get(schemeName);
                lp[i] = v != null ? v : Double.NEGATIVE_INFINITY;
            }
            if (!recs.isEmpty()
                    && !recs.get(0).pZ().containsKey(schemeName)
                    && !recs.get(0).notMeasuredOrEmpty().containsKey(schemeName)) {
                throw MemauditException.usage(
                        "attempt scheme " + schemeName + " is not among the scored schemes");
            }
            List<int[]> todo = new ArrayList<>();
            if (o.attempts() > 0) {
                for (int win : o.attemptWindows().choose(indexes, lp, o.seed(), w.id())) {
                    for (int a = 0; a <= o.attempts(); a++) {
                        if (!done.contains(key(w.id(), win) + "/" + a)) {
                            todo.add(new int[] {win, a});
                        }
                    }
                }
            }
            total += todo.size();
            plan.put(w.id(), todo);
        }
        if (total == 0) {
            return 0;
        }
        OutputScanner scanner =
                OutputScanner.of(
                        index,
                        new ScanService.Options(Math.max(o.minWords(), index.ngram()), 1, null));
        long[] run = {0};
        long[] refused = {0};
        long before = ledger.existingCount() + skippedOf(ATTEMPT, skippedIds);
        try (Progress bar = Progress.of(err, "attempts", "attempts", total, 0, progressBars)) {
            for (WorkRef w : works) {
                List<int[]> todo = plan.get(w.id());
                if (todo.isEmpty()) {
                    continue;
                }
                TokenizedWork tw = WindowPlanner.tokenize(model.tokenizer(), w.id(), w.text());
                List<Window> windows = o.planner().windows(tw);
                List<int[]> greedy = new ArrayList<>();
                List<int[]> sampled = new ArrayList<>();
                for (int[] t : todo) {
                    (t[1] == 0 ? greedy : sampled).add(t);
                }
                for (List<int[]> group : List.of(greedy, sampled)) {
                    for (int i = 0; i < group.size(); i += o.batch()) {
                        List<int[]> rows = group.subList(i, Math.min(group.size(), i + o.batch()));
                        try {
                            attemptBatch(
                                    model,
                                    scanner,
                                    tw,
                                    windows,
                                    rows,
                                    o,
                                    r -> {
                                        ledger.append(r);
                                        run[0]++;
                                    },
                                    (row, reason) -> {
                                        skipped.append(
                                                SkippedRecord.of(
                                                        ATTEMPT,
                                                        attemptId(w.id(), row[0], row[1]),
                                                        w.id(),
                                                        reason));
                                        refused[0]++;
                                    });
                        } catch (RuntimeException e) {
                            if (StageStop.isBackendFailure(e)) {
                                throw StageStop.backend(
                                        "extract (decoding attempts)",
                                        before + run[0] + refused[0],
                                        before + total,
                                        "attempts",
                                        ledger.file(),
                                        true,
                                        e);
                            }
                            throw e;
                        }
                        bar.advance(rows.size());
                    }
                }
            }
        }
        return run[0];
    }

    /**
     * Decodes one batch of attempts ({window, attempt} rows of one work and one kind) and hands
     * each result on; rows the backend refuses for good go to {@code onRefused}. A backend failure
     * propagates: nothing is handed on for a row that was not decoded.
     */
    private void attemptBatch(
            LanguageModel model,
            OutputScanner scanner,
            TokenizedWork tw,
            List<Window> windows,
            List<int[]> rows,
            Options o,
            java.util.function.Consumer<AttemptRecord> onResult,
            java.util.function.BiConsumer<int[], String> onRefused) {
        boolean greedy = rows.get(0)[1] == 0;
        Scheme scheme = greedy ? Scheme.GREEDY : o.attemptScheme();
        int maxNew = 1;
        for (int[] row : rows) {
            maxNew = Math.max(maxNew, windows.get(row[0]).suffixTokens());
        }
        GenerationSettings settings =
                new GenerationSettings(
                        maxNew, scheme.temperature(), scheme.topK(), scheme.topP(), 0, true);
        AttemptRecord.Settings recSettings =
                new AttemptRecord.Settings(
                        scheme.temperature(), scheme.topK(), scheme.topP(), maxNew);
        BatchCall.run(
                rows,
                batch -> {
                    List<int[]> prefixes = new ArrayList<>();
                    long[] seeds = new long[batch.size()];
                    for (int r = 0; r < batch.size(); r++) {
                        Window win = windows.get(batch.get(r)[0]);
                        prefixes.add(tw.slice(win.prefixStart(), win.suffixStart()));
                        seeds[r] = seedOf(o, tw, batch.get(r), greedy);
                    }
                    return model.generate(prefixes, seeds, settings);
                },
                (row, gen) ->
                        onResult.accept(
                                attemptRecord(
                                        model,
                                        scanner,
                                        tw,
                                        windows.get(row[0]),
                                        row[1],
                                        scheme,
                                        seedOf(o, tw, row, greedy),
                                        recSettings,
                                        o.minSimilarity(),
                                        gen)),
                onRefused);
    }

    private static long seedOf(Options o, TokenizedWork tw, int[] row, boolean greedy) {
        return greedy ? 0 : attemptSeed(o.seed(), tw.workId(), row[0], row[1]);
    }

    private static AttemptRecord attemptRecord(
            LanguageModel model,
            OutputScanner scanner,
            TokenizedWork tw,
            Window win,
            int attempt,
            Scheme scheme,
            long seed,
            AttemptRecord.Settings recSettings,
            double minSimilarity,
            Generation gen) {
        String prefixText =
                CodePoints.substring(tw.text(), win.prefixCharStart(), win.prefixCharEnd());
        int[] generated = gen.tokens();
        int[] truth = tw.slice(win.suffixStart(), win.suffixEnd());
        Match m = Match.of(generated, truth);
        String text = model.tokenizer().decode(generated);
        // both sides decoded by the same tokenizer and the generation cut to the suffix's length,
        // as for the token edit distance: an exact attempt then has word similarity 1
        WordMatch words =
                WordMatch.of(
                        generated.length > truth.length
                                ? model.tokenizer().decode(Arrays.copyOf(generated, truth.length))
                                : text,
                        model.tokenizer().decode(truth));
        String outId = tw.workId() + "#" + win.index() + "/" + attempt;
        List<AttemptRecord.ScanSpan> spans = new ArrayList<>();
        for (Span s : scanner.scan(new ScanService.Output(0, outId, text, null)).spans()) {
            spans.add(
                    new AttemptRecord.ScanSpan(
                            s.workId(),
                            s.workCharStart(),
                            s.workCharEnd(),
                            s.outputCharStart(),
                            s.outputCharEnd(),
                            s.words(),
                            s.exact()));
        }
        return new AttemptRecord(
                AttemptRecord.SCHEMA_VERSION,
                tw.workId(),
                win.index(),
                attempt,
                scheme.name(),
                seed,
                recSettings,
                prefixText,
                text,
                generated,
                m.exact(),
                m.longestCommonTokenRun(),
                m.tokenMatchShare(),
                m.editDistance(),
                words.similarity(),
                words.rougeL(),
                words.near(m.exact(), minSimilarity),
                spans,
                null);
    }

    /** The seed of sampled attempt {@code attempt} of a window: depends on nothing else. */
    public static long attemptSeed(long runSeed, String workId, int window, int attempt) {
        long h = 1125899906842597L;
        for (int i = 0; i < workId.length(); i++) {
            h = 31 * h + workId.charAt(i);
        }
        long s = LanguageModel.rowSeed(runSeed, h);
        s = LanguageModel.rowSeed(s, window);
        return LanguageModel.rowSeed(s, attempt);
    }

    private void reconstruct(
            LanguageModel model,
            List<WorkRef> works,
            Options o,
            RunLedger<ReconstructionRecord> ledger) {
        Set<String> done = new HashSet<>();
        ledger.forEachExisting(r -> done.add(r.workId()));
        List<WorkRef> todo = works.stream().filter(w -> !done.contains(w.id())).toList();
        try (Progress bar =
                Progress.of(err, "reconstruction", "works", todo.size(), 0, progressBars)) {
            long made = 0;
            for (WorkRef w : todo) {
                Reconstruction r;
                try {
                    TokenizedWork tw = WindowPlanner.tokenize(model.tokenizer(), w.id(), w.text());
                    r =
                            ChainedGreedy.run(
                                    model,
                                    tw,
                                    o.prefixTokens(),
                                    o.suffixTokens(),
                                    o.reconstructMaxTokens());
                } catch (RuntimeException e) {
                    if (StageStop.isBackendFailure(e)) {
                        throw StageStop.backend(
                                "extract (greedy reconstruction)",
                                done.size() + made,
                                works.size(),
                                "works",
                                ledger.file(),
                                true,
                                e);
                    }
                    throw e;
                }
                ledger.append(ReconstructionRecord.of(w.id(), r));
                made++;
                bar.advance(1);
            }
        }
    }

    private static String key(String work, int window) {
        return work + "\u0000" + window;
    }

    /**
     * The window records grouped by work, each sorted by window index: ledger order depends on
     * batching and resumes, summaries must not.
     */
    /**
     * The run's easiest window: the fewest bits among the works' easiest, lowest work id then
     * window on a tie; null when no window's bits were measured.
     *
     * @param summaries by work id, in id order
     */
    static ExtractWork.EasiestWindow easiestOfRun(Map<String, ExtractWork> summaries) {
        ExtractWork.EasiestWindow best = null;
        for (ExtractWork e : summaries.values()) {
            ExtractWork.EasiestWindow w = e.easiestWindow();
            // strictly fewer: the first work in id order keeps a tie
            if (w != null && (best == null || w.bits() < best.bits())) {
                best = w;
            }
        }
        return best;
    }

    static Map<String, List<WindowRecord>> windowsByWork(Path file) {
        Map<String, List<WindowRecord>> out = new HashMap<>();
        Records.forEach(
                file,
                WindowRecord.class,
                r -> out.computeIfAbsent(r.workId(), k -> new ArrayList<>()).add(r));
        for (List<WindowRecord> l : out.values()) {
            l.sort(Comparator.comparingInt(WindowRecord::window));
        }
        return out;
    }

    /** SHA-256 over the selected works' ids and source hashes, in order. */
    private static String worksDigest(List<WorkRef> works) {
        StringBuilder b = new StringBuilder();
        for (WorkRef w : works) {
            b.append(w.id()).append('=').append(w.sourceSha256()).append('\n');
        }
        return dev.memaudit.core.io.Sha256.of(b.toString().getBytes(StandardCharsets.UTF_8));
    }
}
