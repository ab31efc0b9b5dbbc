package dev.memaudit.audit.meter;

import dev.memaudit.audit.canary.CanaryTraining;
import dev.memaudit.audit.canary.Excerpts;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.JsonlWriter;
import dev.memaudit.core.io.RunManifest;
import dev.memaudit.core.io.Sha256;
import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.meter.InfluenceRecord;
import dev.memaudit.core.records.meter.MeterExactConfig;
import dev.memaudit.core.records.meter.MeterSummary;
import dev.memaudit.core.records.meter.TrainedModelRecord;
import dev.memaudit.core.run.RunFolder;
import dev.memaudit.core.text.NormalizedWords;
import dev.memaudit.core.text.WordNormalizer;
import dev.memaudit.model.Generation;
import dev.memaudit.model.GenerationSettings;
import dev.memaudit.model.ModelTokenizer;
import dev.memaudit.model.canary.CanaryConfig;
import dev.memaudit.model.canary.CanaryResult;
import dev.memaudit.model.canary.CanaryTrainer;
import dev.memaudit.model.canary.CorpusText;
import dev.memaudit.model.influence.Behaviour;
import dev.memaudit.model.influence.Behaviours;
import dev.memaudit.model.influence.TokenizedBehaviour;
import dev.memaudit.model.runtime.DjlLanguageModel;
import dev.memaudit.model.runtime.ModelLoader;
import dev.memaudit.stats.SeedNull;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * {@code memaudit meter exact}: a work's influence on behaviours measured by the counterfactual
 * itself. The full canary and, for each metered work W, the canary without W (same seed, data order
 * and steps; W's copies replaced by as many background tokens, see {@link CanaryTrainer.Variant})
 * are trained, plus the full canary under further seeds (same data) for the seed-variation null.
 * Each behaviour b is scored on every model; the influence of W on b is {@code log p_full(b) − log
 * p_without-W(b)} (natural log, summed over b's scored tokens), with z and p against the null
 * ({@link SeedNull}).
 *
 * <p>Behaviours: the metered works' own text ({@code own}: {@code windowsPerWork} windows of {@code
 * windowWords} words after as many words of prompt, spread over the work), text from the same
 * source outside a work ({@code style}: the corpus folder's {@code style.jsonl}, which {@code
 * canary excerpts} writes), held-out background text ({@code unrelated}: pieces the trainer held
 * out, never trained on by any of the canaries, since they share one data seed) and a given file
 * ({@code given}). The whole set is written to {@code behaviours.jsonl} once the full canary is
 * trained.
 *
 * <p>Resumable: each canary, once complete, is appended to {@code models.jsonl} with its hashes; a
 * resumed run re-hashes those (a changed one is an integrity failure) and trains only the others.
 */
public final class ExactMeter {
    /** The behaviours file of a meter folder. */
    public static final String BEHAVIOURS = "behaviours.jsonl";

    private static final int UNRELATED_PROMPT_TOKENS = 32;

    private static final int UNRELATED_TEXT_TOKENS = 32;

    private static final int TOP = 5;

    private ExactMeter() {}

    /**
     * What to meter.
     *
     * @param members trained works with doses
     * @param works metered works (members), or empty for every member
     * @param behaviours a behaviours file, or null
     * @param seeds canaries in the seed null, the full one included (1 = no null)
     * @param canary model and training settings (members and seed are set from these options)
     */
    public record Options(
            Path corpus,
            Path background,
            Map<String, Integer> members,
            List<String> works,
            Path behaviours,
            long seed,
            int seeds,
            int windowsPerWork,
            int windowWords,
            int unrelated,
            CanaryConfig canary,
            boolean resume,
            List<String> commandLine) {}

    /** One canary of the run. */
    private record Planned(String name, long seed, String withheld) {}

    /** Runs the metering into {@code out}; returns meter.json's record. */
    public static MeterSummary run(Options o, Path out, PrintStream progress) {
        if (o.background() == null) {
            throw MemauditException.usage(
                    "meter exact needs --background: a withheld work's place is filled with"
                            + " background text");
        }
        if (o.seeds() < 1 || o.windowsPerWork() < 0 || o.windowWords() < 2 || o.unrelated() < 0) {
            throw MemauditException.usage(
                    "--seeds must be ≥ 1, --windows-per-work and --unrelated ≥ 0, --window-words"
                            + " ≥ 2");
        }
        CanaryTraining.Inputs in = CanaryTraining.inputs(o.corpus(), o.background(), progress);
        Map<String, String> texts = texts(in.works());
        List<String> unknown =
                o.members().keySet().stream()
                        .filter(id -> !texts.containsKey(id))
                        .sorted()
                        .toList();
        if (!unknown.isEmpty()) {
            throw MemauditException.usage("--members: not works of the corpus: " + unknown);
        }
        List<String> works =
                o.works().isEmpty()
                        ? o.members().entrySet().stream()
                                .filter(e -> e.getValue() > 0)
                                .map(Map.Entry::getKey)
                                .sorted()
                                .toList()
                        : o.works().stream().sorted().distinct().toList();
        List<String> notMembers =
                works.stream().filter(w -> o.members().getOrDefault(w, 0) < 1).sorted().toList();
        if (!notMembers.isEmpty()) {
            throw MemauditException.usage(
                    "--works: only members (dose ≥ 1) can be metered: " + notMembers);
        }
        CanaryConfig cfg = o.canary().withMemberDoses(o.members()).withSeed(o.seed());
        Path corpusYaml = dev.memaudit.index.source.CorpusManifest.load(o.corpus()).manifestFile();
        MeterExactConfig config =
                new MeterExactConfig(
                        o.corpus().toString(),
                        Sha256.of(corpusYaml),
                        o.background().toString(),
                        new TreeMap<>(o.members()),
                        works,
                        o.behaviours() == null ? null : o.behaviours().toString(),
                        o.behaviours() == null ? null : Sha256.of(o.behaviours()),
                        o.seed(),
                        o.seeds(),
                        o.windowsPerWork(),
                        o.windowWords(),
                        o.unrelated(),
                        settings(cfg));
        RunFolder.open(out, config, o.resume());
        RunManifest manifest = new RunManifest(Clock.systemUTC(), o.commandLine());

        List<Planned> plan = new ArrayList<>();
        plan.add(new Planned("full", o.seed(), null));
        works.forEach(w -> plan.add(new Planned("without-" + w, o.seed(), w)));
        for (int i = 1; i < o.seeds(); i++) {
            plan.add(new Planned("seed-" + (o.seed() + i), o.seed() + i, null));
        }
        Path ledger = out.resolve(Records.fileName(TrainedModelRecord.class));
        Map<String, TrainedModelRecord> done = new LinkedHashMap<>();
        if (Files.exists(ledger)) {
            Records.forEach(ledger, TrainedModelRecord.class, r -> done.put(r.name(), r));
        }
        for (Planned p : plan) {
            Path dir = out.resolve("models").resolve(p.name());
            TrainedModelRecord had = done.get(p.name());
            if (had != null) {
                checkHashes(out, had);
                progress.printf(Locale.ROOT, "%s: kept from before (hashes match)%n", p.name());
                continue;
            }
            deleteTree(dir);
            progress.printf(
                    Locale.ROOT,
                    "training %s (seed %d%s)%n",
                    p.name(),
                    p.seed(),
                    p.withheld() == null ? "" : ", without " + p.withheld());
            long t0 = System.nanoTime();
            CanaryResult r =
                    CanaryTrainer.train(
                            cfg.withSeed(p.seed()),
                            in.works(),
                            in.background(),
                            dir,
                            progress,
                            new CanaryTrainer.Variant(
                                    p.withheld() == null ? Set.of() : Set.of(p.withheld()),
                                    o.seed()));
            double secs = (System.nanoTime() - t0) / 1e9;
            if (p.name().equals("full")) {
                writeBehaviours(out, o, works, texts, r, dir);
            }
            TrainedModelRecord rec =
                    new TrainedModelRecord(
                            TrainedModelRecord.SCHEMA_VERSION,
                            p.name(),
                            out.relativize(dir).toString().replace('\\', '/'),
                            p.seed(),
                            o.seed(),
                            p.withheld(),
                            Sha256.of(dir.resolve("model.safetensors")),
                            Sha256.of(dir.resolve("tokenizer.json")),
                            secs);
            try (JsonlWriter w = JsonlWriter.append(ledger)) {
                w.write(rec);
            } catch (IOException e) {
                throw MemauditException.badInput(ledger + ": cannot append: " + e.getMessage(), e);
            }
            done.put(p.name(), rec);
        }
        // what the canaries cost when they were trained, this run or an interrupted one before it
        double trainSeconds =
                plan.stream().mapToDouble(p -> done.get(p.name()).trainSeconds()).sum();
        if (!Files.exists(out.resolve(BEHAVIOURS))) {
            throw MemauditException.integrity(
                    out.resolve(BEHAVIOURS)
                            + ": missing although the full canary is kept; start a new --out");
        }
        Set<String> tokenizers = new java.util.TreeSet<>();
        done.values().forEach(r -> tokenizers.add(r.tokenizerSha256()));
        if (tokenizers.size() != 1) {
            throw MemauditException.integrity(
                    out
                            + ": the canaries' tokenizers differ; their log-probabilities cannot be"
                            + " compared");
        }

        // score every behaviour on every model
        List<Behaviour> behaviours = Behaviours.read(out.resolve(BEHAVIOURS));
        long s0 = System.nanoTime();
        Map<String, double[]> lp = new LinkedHashMap<>();
        List<TokenizedBehaviour> tokenized = null;
        Map<String, String> skipped = new TreeMap<>();
        for (Planned p : plan) {
            try (DjlLanguageModel m = ModelLoader.load(out.resolve("models").resolve(p.name()))) {
                if (tokenized == null) {
                    tokenized = new ArrayList<>();
                    ModelTokenizer tok = m.tokenizer();
                    for (Behaviour b : behaviours) {
                        TokenizedBehaviour t = Behaviours.tokenize(tok, b, m.maxSequenceLength());
                        if (t == null) {
                            skipped.put(
                                    b.id(),
                                    "its text does not fit the model's context of "
                                            + m.maxSequenceLength()
                                            + " tokens");
                        } else {
                            tokenized.add(t);
                        }
                    }
                }
                lp.put(p.name(), Behaviours.logprobs(m, tokenized));
            }
        }
        double scoreSeconds = (System.nanoTime() - s0) / 1e9;

        // influence of each metered work on each behaviour
        double[] full = lp.get("full");
        List<double[]> seedValues = new ArrayList<>();
        seedValues.add(full);
        for (Planned p : plan) {
            if (p.name().startsWith("seed-")) {
                seedValues.add(lp.get(p.name()));
            }
        }
        Path influenceFile = out.resolve(Records.fileName(InfluenceRecord.class));
        List<MeterSummary.WorkInfluence> summaries = new ArrayList<>();
        try (JsonlWriter w = JsonlWriter.create(influenceFile, Records.MAPPER)) {
            for (String work : works) {
                double[] without = lp.get("without-" + work);
                List<InfluenceRecord> recs = new ArrayList<>();
                for (int i = 0; i < tokenized.size(); i++) {
                    TokenizedBehaviour t = tokenized.get(i);
                    double delta = full[i] - without[i];
                    double[] seedsOfB = new double[seedValues.size()];
                    for (int s = 0; s < seedsOfB.length; s++) {
                        seedsOfB[s] = seedValues.get(s)[i];
                    }
                    double[] zp = SeedNull.test(delta, seedsOfB);
                    InfluenceRecord r =
                            new InfluenceRecord(
                                    InfluenceRecord.SCHEMA_VERSION,
                                    "exact",
                                    work,
                                    t.behaviour().id(),
                                    kindFor(work, t.behaviour()),
                                    t.scoredTokens(),
                                    delta,
                                    delta / t.scoredTokens(),
                                    zp == null ? null : zp[0],
                                    zp == null ? null : zp[1],
                                    full[i],
                                    without[i]);
                    w.write(r);
                    recs.add(r);
                }
                summaries.add(summarize(work, o.members().get(work), recs));
            }
        } catch (IOException e) {
            throw MemauditException.badInput(
                    influenceFile + ": cannot write: " + e.getMessage(), e);
        }
        Map<String, Integer> byKind = new TreeMap<>();
        tokenized.forEach(t -> byKind.merge(t.behaviour().kind(), 1, Integer::sum));
        MeterSummary summary =
                new MeterSummary(
                        MeterSummary.SCHEMA_VERSION,
                        "exact",
                        CONVENTIONS,
                        o.seeds(),
                        summaries,
                        byKind,
                        skipped,
                        new MeterSummary.Cost(trainSeconds, scoreSeconds, plan.size()));
        Records.write(out.resolve(Records.fileName(MeterSummary.class)), summary);
        manifest.input("corpus/" + corpusYaml.getFileName(), corpusYaml);
        if (o.behaviours() != null) {
            manifest.input("behaviours/" + o.behaviours().getFileName(), o.behaviours());
        }
        manifest.seeds(Map.of("seed", o.seed()));
        manifest.write(out, config);
        return summary;
    }

    /** The definitions meter.json states. */
    static final String CONVENTIONS =
            "delta_logprob = log p_with(b) - log p_without(b), natural log, summed over b's scored"
                    + " tokens (its text after its prompt); delta_per_token = delta_logprob /"
                    + " tokens; positive = the work made b more likely. z = delta_logprob / (sqrt(2)"
                    + " s), s = standard deviation of log p(b) over the full canary's seeds (same"
                    + " data); p two-sided, Student t with seeds - 1 degrees of freedom.";

    /**
     * A behaviour's kind relative to the metered work: a work's own text or held-out text of its
     * source is {@code own} / {@code style} for that work and {@code other} / {@code other-style}
     * for every other metered work; {@code unrelated} and {@code given} stay as they are.
     */
    public static String kindFor(String work, Behaviour b) {
        if (b.workId() == null || work.equals(b.workId())) {
            return b.kind();
        }
        return switch (b.kind()) {
            case "own" -> "other";
            case "style" -> "other-style";
            case "generation" -> "other-generation";
            default -> b.kind();
        };
    }

    private static MeterSummary.WorkInfluence summarize(
            String work, Integer dose, List<InfluenceRecord> recs) {
        Map<String, List<InfluenceRecord>> byKind = new TreeMap<>();
        for (InfluenceRecord r : recs) {
            byKind.computeIfAbsent(r.behaviourKind(), k -> new ArrayList<>()).add(r);
        }
        Map<String, MeterSummary.KindSummary> kinds = new TreeMap<>();
        byKind.forEach((k, rs) -> kinds.put(k, kindSummary(rs)));
        List<MeterSummary.Top> top =
                recs.stream()
                        .sorted(
                                Comparator.comparingDouble(InfluenceRecord::deltaLogprob)
                                        .reversed())
                        .limit(TOP)
                        .map(
                                r ->
                                        new MeterSummary.Top(
                                                r.behaviourId(),
                                                r.behaviourKind(),
                                                r.deltaLogprob(),
                                                r.deltaPerToken(),
                                                r.z(),
                                                r.p()))
                        .toList();
        return new MeterSummary.WorkInfluence(work, dose, kinds, top);
    }

    /**
     * The kind a behaviour is summarized under for {@code work}: its own kind, except that the own
     * text of another work is {@code other}.
     */
    /** Summary of one kind's records (any method). */
    public static MeterSummary.KindSummary kindSummary(List<InfluenceRecord> rs) {
        boolean hasNull = rs.stream().allMatch(r -> r.z() != null);
        return new MeterSummary.KindSummary(
                rs.size(),
                rs.stream()
                        .mapToDouble(InfluenceRecord::deltaPerToken)
                        .average()
                        .orElse(Double.NaN),
                rs.stream().mapToDouble(InfluenceRecord::deltaLogprob).average().orElse(Double.NaN),
                hasNull ? (int) rs.stream().filter(r -> r.p() < 0.05).count() : null,
                hasNull ? (int) rs.stream().filter(r -> Math.abs(r.z()) < 2).count() : null);
    }

    /**
     * The run's behaviours: own windows of the metered works, the corpus's style.jsonl, held-out
     * background pieces, the given file; written to behaviours.jsonl.
     */
    private static void writeBehaviours(
            Path out,
            Options o,
            List<String> works,
            Map<String, String> texts,
            CanaryResult full,
            Path fullDir) {
        List<Behaviour> all = new ArrayList<>();
        List<Behaviour> own = new ArrayList<>();
        for (String w : works) {
            own.addAll(ownWindows(w, texts.get(w), o.windowsPerWork(), o.windowWords()));
        }
        all.addAll(own);
        all.addAll(generations(fullDir, own, texts));
        Path style =
                dev.memaudit.index.source.CorpusManifest.load(o.corpus())
                        .root()
                        .resolve(Excerpts.STYLE_FILE);
        if (Files.exists(style)) {
            all.addAll(Behaviours.read(style));
        }
        try (ModelTokenizer tok = ModelTokenizer.load(fullDir.resolve("tokenizer.json"))) {
            // every window of prompt + text tokens of the held-out pieces, then n evenly spread
            int span = UNRELATED_PROMPT_TOKENS + UNRELATED_TEXT_TOKENS;
            List<int[]> held = new ArrayList<>();
            for (int[] p : full.heldOutBackground()) {
                for (int at = 0; at + span <= p.length; at += span) {
                    held.add(Arrays.copyOfRange(p, at, at + span));
                }
            }
            int n = Math.min(o.unrelated(), held.size());
            for (int i = 0; i < n; i++) {
                int[] piece = held.get((int) ((long) i * held.size() / Math.max(1, n)));
                String prompt =
                        tok.decode(Arrays.copyOfRange(piece, 0, UNRELATED_PROMPT_TOKENS)).strip();
                String text =
                        tok.decode(
                                        Arrays.copyOfRange(
                                                piece,
                                                UNRELATED_PROMPT_TOKENS,
                                                UNRELATED_PROMPT_TOKENS + UNRELATED_TEXT_TOKENS))
                                .strip();
                if (!text.isEmpty()) {
                    all.add(new Behaviour("unrelated-" + i, prompt, text, "unrelated", null));
                }
            }
        }
        if (o.behaviours() != null) {
            all.addAll(Behaviours.read(o.behaviours()));
        }
        Set<String> ids = new java.util.HashSet<>();
        for (Behaviour b : all) {
            if (!ids.add(b.id())) {
                throw MemauditException.badInput(
                        "behaviour id "
                                + b.id()
                                + " occurs twice (the given file's ids must"
                                + " not clash with <work>#own-<k>, unrelated-<k> or style ids)");
            }
        }
        Path file = out.resolve(BEHAVIOURS);
        Path tmp = out.resolve(BEHAVIOURS + ".tmp");
        try (JsonlWriter w = JsonlWriter.create(tmp)) {
            for (Behaviour b : all) {
                w.write(jsonLine(b));
            }
        } catch (IOException e) {
            throw MemauditException.badInput(file + ": cannot write: " + e.getMessage(), e);
        }
        try {
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw MemauditException.badInput(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** A behaviour as its behaviours.jsonl line {id, prompt?, text, kind, work_id?}. */
    static Map<String, Object> jsonLine(Behaviour b) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("id", b.id());
        if (b.prompt() != null) {
            line.put("prompt", b.prompt());
        }
        line.put("text", b.text());
        line.put("kind", b.kind());
        if (b.workId() != null) {
            line.put("work_id", b.workId());
        }
        return line;
    }

    /** Consecutive words a generation must share with its work to count as matching it. */
    static final int GENERATION_MATCH_WORDS = 8;

    /** Tokens generated after each own window's prompt, at most. */
    static final int GENERATION_TOKENS = 48;

    /**
     * The full canary's own generations that matched a work, as a sampling campaign finds them: the
     * greedy continuation of each own window's prompt, kept when it shares at least {@link
     * #GENERATION_MATCH_WORDS} consecutive words (lower-cased, punctuation dropped) with the work.
     * Ids {@code <work>#gen-<k>} (k of the window), kind {@code generation}.
     */
    static List<Behaviour> generations(
            Path fullDir, List<Behaviour> own, Map<String, String> texts) {
        List<Behaviour> out = new ArrayList<>();
        if (own.isEmpty()) {
            return out;
        }
        try (DjlLanguageModel m = ModelLoader.load(fullDir)) {
            ModelTokenizer tok = m.tokenizer();
            int context = m.maxSequenceLength();
            List<int[]> prefixes = new ArrayList<>();
            List<Behaviour> from = new ArrayList<>();
            for (Behaviour b : own) {
                int[] p = tok.encodeIds(b.prompt());
                if (p.length > 0 && p.length + GENERATION_MATCH_WORDS <= context) {
                    prefixes.add(p);
                    from.add(b);
                }
            }
            for (int i = 0; i < prefixes.size(); i++) {
                int room = Math.min(GENERATION_TOKENS, context - prefixes.get(i).length);
                Generation g =
                        m.generate(List.of(prefixes.get(i)), GenerationSettings.greedy(room))
                                .get(0);
                String text = tok.decode(g.tokens()).strip();
                Behaviour b = from.get(i);
                if (!text.isEmpty() && sharesRun(text, texts.get(b.workId()))) {
                    String k = b.id().substring(b.id().lastIndexOf('-') + 1);
                    out.add(
                            new Behaviour(
                                    b.workId() + "#gen-" + k,
                                    b.prompt(),
                                    text,
                                    "generation",
                                    b.workId()));
                }
            }
        }
        return out;
    }

    /**
     * Whether {@code a} and {@code b} share a run of {@link #GENERATION_MATCH_WORDS} words,
     * compared as the scan compares them ({@link WordNormalizer}).
     */
    static boolean sharesRun(String a, String b) {
        long[] wa = hashes(a);
        long[] wb = hashes(b);
        Set<String> grams = new java.util.HashSet<>();
        for (int i = 0; i + GENERATION_MATCH_WORDS <= wb.length; i++) {
            grams.add(Arrays.toString(Arrays.copyOfRange(wb, i, i + GENERATION_MATCH_WORDS)));
        }
        for (int i = 0; i + GENERATION_MATCH_WORDS <= wa.length; i++) {
            if (grams.contains(
                    Arrays.toString(Arrays.copyOfRange(wa, i, i + GENERATION_MATCH_WORDS)))) {
                return true;
            }
        }
        return false;
    }

    private static long[] hashes(String text) {
        NormalizedWords w = WordNormalizer.normalize(text);
        return Arrays.copyOf(w.hashes(), w.size());
    }

    /**
     * {@code count} windows of a work's text, evenly spread: {@code words} words of prompt, then
     * {@code words} words scored. Ids {@code <work>#own-<k>}.
     */
    static List<Behaviour> ownWindows(String work, String text, int count, int words) {
        String[] w = text.strip().split("\\s+");
        List<Behaviour> out = new ArrayList<>();
        int starts = w.length - 2 * words;
        if (count == 0 || starts < 0) {
            return out;
        }
        int n = Math.min(count, starts / words + 1);
        for (int k = 0; k < n; k++) {
            int from = n == 1 ? 0 : (int) ((long) k * starts / (n - 1));
            String prompt = String.join(" ", Arrays.copyOfRange(w, from, from + words));
            String scored = String.join(" ", Arrays.copyOfRange(w, from + words, from + 2 * words));
            out.add(new Behaviour(work + "#own-" + k, prompt, scored, "own", work));
        }
        return out;
    }

    private static MeterExactConfig.CanarySettings settings(CanaryConfig c) {
        return new MeterExactConfig.CanarySettings(
                c.arch().name().toLowerCase(Locale.ROOT),
                c.vocabSize(),
                c.hidden(),
                c.layers(),
                c.heads(),
                c.intermediate(),
                c.contextLength(),
                c.batchSize(),
                c.learningRate(),
                c.steps(),
                c.backgroundTokens());
    }

    static void checkHashes(Path out, TrainedModelRecord r) {
        Path dir = out.resolve(r.path());
        Path weights = dir.resolve("model.safetensors");
        Path tok = dir.resolve("tokenizer.json");
        if (!Files.exists(weights)
                || !Sha256.of(weights).equals(r.weightsSha256())
                || !Files.exists(tok)
                || !Sha256.of(tok).equals(r.tokenizerSha256())) {
            throw MemauditException.integrity(
                    dir
                            + ": the canary recorded in models.jsonl is missing or changed (its"
                            + " hashes differ); start a new --out");
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw MemauditException.badInput(dir + ": cannot remove: " + e.getMessage(), e);
        }
    }

    /** The corpus works' texts, by id. */
    static Map<String, String> texts(List<CorpusText> works) {
        Map<String, String> m = new TreeMap<>();
        works.forEach(t -> m.put(t.id(), t.text()));
        return m;
    }
}
