package dev.memaudit.audit.meter;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.JsonlWriter;
import dev.memaudit.core.io.RunManifest;
import dev.memaudit.core.io.Sha256;
import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.meter.ApproxConfig;
import dev.memaudit.core.records.meter.ApproxSummary;
import dev.memaudit.core.records.meter.InfluenceRecord;
import dev.memaudit.core.records.meter.MeterSummary;
import dev.memaudit.core.records.run.ModelIdentity;
import dev.memaudit.core.run.RunFolder;
import dev.memaudit.extractor.ppl.PplInputs;
import dev.memaudit.extractor.ppl.PplText;
import dev.memaudit.model.ModelIdentities;
import dev.memaudit.model.ModelTokenizer;
import dev.memaudit.model.influence.ApproxInfluence;
import dev.memaudit.model.influence.Behaviour;
import dev.memaudit.model.influence.Behaviours;
import dev.memaudit.model.influence.TokenizedBehaviour;
import dev.memaudit.model.influence.TrainableModel;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code memaudit meter approx}: approximate influence of works on behaviours for a model that
 * cannot be retrained (see {@link ApproxInfluence} for the two methods and their units). Reads a
 * local Hugging Face folder (config.json, safetensors, tokenizer.json), cuts each work's text into
 * chunks, meters, and writes {@code influence.jsonl} (appended work by work), {@code approx.json}
 * and {@code manifest.json} into a new run folder.
 *
 * <p>Chunks: a text is tokenized whole and cut into consecutive pieces of {@code chunkTokens}
 * tokens (a last piece under 2 tokens is dropped); at most {@code chunksPerWork} of them are used,
 * evenly spread over the text (piece {@code ⌊k · n / m⌋} for k = 0..m−1). Retain chunks are cut the
 * same way from the retain texts (in id order) and {@code retainChunks} of them taken evenly.
 *
 * <p>For other commands ({@code meter validate}): build {@link Options} with the texts by id and
 * the behaviours, and call {@link #run(Options, Path, PrintStream)}.
 */
public final class ApproxMeter {
    private ApproxMeter() {}

    /**
     * How to meter (the model and texts are in {@link Options}).
     *
     * @param method {@code unlearn} or {@code gradient}
     * @param chunkTokens tokens per chunk (≥ 2, ≤ the model's context)
     * @param chunksPerWork most chunks per work (≥ 1)
     * @param retainChunks retain chunks used by unlearn (≥ 0)
     * @param steps unlearning steps per work (≥ 1)
     * @param learningRate rate of each unlearning step; with clipping a step moves the parameters
     *     by at most {@code learningRate × clipNorm} (L2)
     * @param retainWeight weight of the retain text's mean log-likelihood (≥ 0)
     * @param clipNorm gradient norm each step is clipped to (0 = none)
     * @param projectionDim count-sketch size for gradient (≥ 1)
     * @param seed seed of the projection
     */
    public record Settings(
            String method,
            int chunkTokens,
            int chunksPerWork,
            int retainChunks,
            int steps,
            double learningRate,
            double retainWeight,
            double clipNorm,
            int projectionDim,
            long seed) {
        /** The defaults of {@code meter approx} for {@code method}. */
        public static Settings defaults(String method) {
            return new Settings(method, 128, 8, 8, 5, 0.1, 1.0, 1.0, 4096, 42);
        }

        /**
         * Refuses a method other than unlearn or gradient (usage error), before anything is read.
         */
        public void checkMethod() {
            parsedMethod();
        }

        ApproxInfluence.Method parsedMethod() {
            ApproxInfluence.Method m = ApproxInfluence.Method.of(method);
            if (m == null) {
                throw MemauditException.usage(
                        "--method must be unlearn or gradient, got " + method);
            }
            return m;
        }
    }

    /**
     * What to meter.
     *
     * @param model the Hugging Face model folder
     * @param works the metered works' texts by id
     * @param retain non-member texts by id whose likelihood unlearning keeps (may be empty)
     * @param retainSource where they came from, for the config ({@code index} or a file), or null
     * @param behaviours the behaviours
     * @param behavioursFile the file they were read from, or null
     * @param index the index folder the texts came from, or null
     * @param indexUid its uid, or null
     * @param commandLine the arguments, for the manifest
     */
    public record Options(
            Path model,
            Map<String, String> works,
            Map<String, String> retain,
            String retainSource,
            List<Behaviour> behaviours,
            Path behavioursFile,
            Settings settings,
            String index,
            String indexUid,
            List<String> commandLine) {
        /** These options with other settings. */
        public Options withSettings(Settings s) {
            return new Options(
                    model,
                    works,
                    retain,
                    retainSource,
                    behaviours,
                    behavioursFile,
                    s,
                    index,
                    indexUid,
                    commandLine);
        }

        /** Texts and behaviours given directly, no index, default settings of {@code method}. */
        public static Options of(
                Path model,
                Map<String, String> works,
                Map<String, String> retain,
                List<Behaviour> behaviours,
                String method) {
            return new Options(
                    model,
                    works,
                    retain,
                    retain.isEmpty() ? null : "given",
                    behaviours,
                    null,
                    Settings.defaults(method),
                    null,
                    null,
                    List.of());
        }
    }

    /**
     * Texts read from an index.
     *
     * @param works the metered works' texts by id
     * @param retain the retain texts by id (the index's other works, or the file's text)
     * @param retainSource {@code index} or the retain file
     */
    public record IndexTexts(
            Map<String, String> works,
            Map<String, String> retain,
            String retainSource,
            String index,
            String indexUid) {}

    /**
     * What the run wrote.
     *
     * @param records the influence.jsonl lines, work by work, behaviours in the order given
     * @param summary approx.json
     */
    public record Result(List<InfluenceRecord> records, ApproxSummary summary) {}

    /**
     * The works {@code ids} from the works store of {@code index} (the original text the index
     * keeps, as extract and ppl read it; controls excluded), and retain text: the UTF-8 file {@code
     * retainFile}, or else every other non-control work of the index.
     *
     * @throws MemauditException bad input naming ids the index does not hold or an unreadable file
     */
    public static IndexTexts fromIndex(Path index, List<String> ids, Path retainFile) {
        if (ids == null || ids.isEmpty()) {
            throw MemauditException.usage("--works: name at least one work of the index");
        }
        PplInputs.Loaded metered = PplInputs.works(index, ids);
        Map<String, String> works = new TreeMap<>();
        for (PplText t : metered.texts()) {
            works.put(t.id(), t.text());
        }
        List<String> controls = ids.stream().filter(id -> !works.containsKey(id)).toList();
        if (!controls.isEmpty()) {
            throw MemauditException.usage(
                    "--works: " + controls + " are controls of the index, not works");
        }
        Map<String, String> retain = new TreeMap<>();
        String source;
        if (retainFile != null) {
            try {
                retain.put("retain", Files.readString(retainFile, StandardCharsets.UTF_8));
            } catch (IOException | UncheckedIOException e) {
                throw MemauditException.badInput(
                        retainFile + ": cannot read as UTF-8 text: " + e.getMessage(), e);
            }
            source = retainFile.toString();
        } else {
            for (PplText t : PplInputs.works(index, null).texts()) {
                if (!works.containsKey(t.id())) {
                    retain.put(t.id(), t.text());
                }
            }
            source = "index";
        }
        return new IndexTexts(works, retain, source, index.toString(), metered.indexUid());
    }

    /** Meters into {@code out} (a new folder, or an empty one); returns what it wrote. */
    public static Result run(Options o, Path out, PrintStream progress) {
        long t0 = System.nanoTime();
        Settings s = o.settings();
        ApproxInfluence.Method method = s.parsedMethod();
        List<String> problems = new ArrayList<>();
        if (o.works() == null || o.works().isEmpty()) {
            problems.add("no works to meter");
        }
        if (o.behaviours() == null || o.behaviours().isEmpty()) {
            problems.add("no behaviours");
        }
        if (s.chunkTokens() < 2) {
            problems.add("--chunk-tokens must be ≥ 2, got " + s.chunkTokens());
        }
        if (s.chunksPerWork() < 1) {
            problems.add("--chunks-per-work must be ≥ 1, got " + s.chunksPerWork());
        }
        if (s.retainChunks() < 0) {
            problems.add("--retain-chunks must be ≥ 0, got " + s.retainChunks());
        }
        ApproxInfluence.Settings engine = null;
        try {
            engine =
                    new ApproxInfluence.Settings(
                            method,
                            s.steps(),
                            s.learningRate(),
                            s.retainWeight(),
                            s.clipNorm(),
                            s.projectionDim(),
                            s.seed());
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        boolean unlearn = method == ApproxInfluence.Method.UNLEARN;
        if (unlearn
                && s.retainWeight() > 0
                && s.retainChunks() > 0
                && (o.retain() == null || o.retain().isEmpty())) {
            problems.add(
                    "unlearn needs retain text (non-member text whose likelihood is kept): the"
                            + " index holds no other works; give --retain <file>, or"
                            + " --retain-weight 0");
        }
        if (!problems.isEmpty()) {
            throw MemauditException.usage(String.join("; ", problems));
        }
        Path tokPath = o.model().resolve("tokenizer.json");
        if (!Files.isDirectory(o.model())) {
            throw MemauditException.badInput(o.model() + ": model folder not found");
        }
        try (ModelTokenizer tok = ModelTokenizer.load(tokPath);
                TrainableModel model = TrainableModel.load(o.model())) {
            int context = model.config().maxPositions();
            if (s.chunkTokens() > context) {
                throw MemauditException.usage(
                        "--chunk-tokens must be ≤ the model's context of "
                                + context
                                + " tokens, got "
                                + s.chunkTokens());
            }
            if (tok.vocabSize() > model.config().vocabSize()) {
                throw MemauditException.badInput(
                        o.model()
                                + ": tokenizer.json produces ids up to "
                                + (tok.vocabSize() - 1)
                                + " but config.json vocab_size is "
                                + model.config().vocabSize());
            }
            List<TokenizedBehaviour> tokenized = new ArrayList<>();
            Map<String, String> skipped = new TreeMap<>();
            for (Behaviour b : o.behaviours()) {
                TokenizedBehaviour t = Behaviours.tokenize(tok, b, context);
                if (t == null) {
                    skipped.put(
                            b.id(),
                            "too short to score, or its text does not fit the model's context of "
                                    + context
                                    + " tokens");
                } else {
                    tokenized.add(t);
                }
            }
            if (tokenized.isEmpty()) {
                throw MemauditException.badInput("no behaviour can be scored: " + skipped);
            }
            List<String> ids = o.works().keySet().stream().sorted().toList();
            List<ApproxInfluence.WorkChunks> works = new ArrayList<>();
            Map<String, String> worksSha = new TreeMap<>();
            for (String id : ids) {
                String text = o.works().get(id);
                List<int[]> chunks =
                        spread(chunks(tok.encodeIds(text), s.chunkTokens()), s.chunksPerWork());
                if (chunks.isEmpty()) {
                    throw MemauditException.badInput(
                            "work " + id + ": its text has fewer than 2 tokens; nothing to meter");
                }
                works.add(new ApproxInfluence.WorkChunks(id, chunks));
                worksSha.put(id, Sha256.of(text.getBytes(StandardCharsets.UTF_8)));
            }
            List<int[]> retain = new ArrayList<>();
            if (unlearn && o.retain() != null) {
                List<int[]> pool = new ArrayList<>();
                for (String id : new TreeMap<>(o.retain()).keySet()) {
                    pool.addAll(chunks(tok.encodeIds(o.retain().get(id)), s.chunkTokens()));
                }
                retain = spread(pool, s.retainChunks());
            }
            ModelIdentity identity = ModelIdentities.localFolder(o.model(), tok, context);
            ApproxConfig config =
                    new ApproxConfig(
                            o.model().toString(),
                            identity,
                            o.index(),
                            o.indexUid(),
                            ids,
                            worksSha,
                            o.behavioursFile() == null ? null : o.behavioursFile().toString(),
                            o.behavioursFile() == null
                                    ? behavioursSha(o.behaviours())
                                    : Sha256.of(o.behavioursFile()),
                            method.id(),
                            s.chunkTokens(),
                            s.chunksPerWork(),
                            unlearn ? o.retainSource() : null,
                            unlearn ? retain.size() : null,
                            unlearn ? s.steps() : null,
                            unlearn ? s.learningRate() : null,
                            unlearn ? s.retainWeight() : null,
                            unlearn ? s.clipNorm() : null,
                            unlearn ? null : s.projectionDim(),
                            unlearn ? null : s.seed());
            RunFolder.open(out, config, false);
            RunManifest manifest = new RunManifest(Clock.systemUTC(), o.commandLine());
            progress.printf(
                    java.util.Locale.ROOT,
                    "meter approx (%s): %d works, %d behaviours, %d retain chunks, model of %d"
                            + " parameters%n",
                    method.id(),
                    works.size(),
                    tokenized.size(),
                    retain.size(),
                    model.parameterCount());
            Path influenceFile = out.resolve(Records.fileName(InfluenceRecord.class));
            List<InfluenceRecord> records = new ArrayList<>();
            List<ApproxSummary.WorkCost> costs = new ArrayList<>();
            ApproxInfluence.Result result;
            try (JsonlWriter w = JsonlWriter.create(influenceFile, Records.MAPPER)) {
                final List<int[]> retainChunks = retain;
                result =
                        ApproxInfluence.run(
                                model,
                                engine,
                                tokenized,
                                works,
                                retainChunks,
                                progress,
                                r -> {
                                    List<InfluenceRecord> recs = records(method, r, tokenized);
                                    try {
                                        for (InfluenceRecord rec : recs) {
                                            w.write(rec);
                                        }
                                        w.flush();
                                    } catch (IOException e) {
                                        throw new UncheckedIOException(e);
                                    }
                                    records.addAll(recs);
                                    costs.add(cost(r, recs, tokenized));
                                });
            } catch (IOException | UncheckedIOException e) {
                throw MemauditException.badInput(
                        influenceFile + ": cannot write: " + e.getMessage(), e);
            }
            Map<String, Integer> byKind = new TreeMap<>();
            tokenized.forEach(t -> byKind.merge(t.behaviour().kind(), 1, Integer::sum));
            ApproxSummary summary =
                    new ApproxSummary(
                            ApproxSummary.SCHEMA_VERSION,
                            method.id(),
                            unlearn ? UNLEARN_CONVENTIONS : GRADIENT_CONVENTIONS,
                            model.parameterCount(),
                            costs,
                            byKind,
                            skipped,
                            result.behaviourSeconds(),
                            (System.nanoTime() - t0) / 1e9);
            Records.write(out.resolve(Records.fileName(ApproxSummary.class)), summary);
            if (o.behavioursFile() != null) {
                manifest.input(
                        "behaviours/" + o.behavioursFile().getFileName(), o.behavioursFile());
            }
            if (!unlearn) {
                manifest.seeds(Map.of("seed", s.seed()));
            }
            manifest.write(out, config);
            return new Result(List.copyOf(records), summary);
        }
    }

    /** What approx.json says unlearn's numbers are. */
    static final String UNLEARN_CONVENTIONS =
            "delta_logprob = log p_original(b) - log p_unlearned(b), natural log, summed over b's"
                    + " scored tokens; unlearned = after the run's gradient steps ascending the"
                    + " work's mean NLL and descending retain_weight x the retain text's;"
                    + " positive = the work made b more likely as far as forgetting it undoes"
                    + " that. delta_per_token = delta_logprob / tokens. No null: z and p null.";

    /** What approx.json says gradient's numbers are. */
    static final String GRADIENT_CONVENTIONS =
            "delta_logprob = <P grad log p(b), P sum_c grad log p(c)> over the work's chunks c at"
                    + " the checkpoint, P a seeded count-sketch: d log p(b) / d eta of one"
                    + " gradient step of rate eta raising the work's log-likelihood, at eta = 0"
                    + " (TracIn without the rate). Units: nats per unit learning rate, not nats;"
                    + " sign as log p_with - log p_without. delta_per_token = delta_logprob /"
                    + " tokens. logprob_with, logprob_without, z and p null.";

    private static List<InfluenceRecord> records(
            ApproxInfluence.Method method,
            ApproxInfluence.WorkResult r,
            List<TokenizedBehaviour> tokenized) {
        List<InfluenceRecord> out = new ArrayList<>();
        boolean unlearn = method == ApproxInfluence.Method.UNLEARN;
        for (int i = 0; i < tokenized.size(); i++) {
            TokenizedBehaviour t = tokenized.get(i);
            double d = r.delta()[i];
            out.add(
                    new InfluenceRecord(
                            InfluenceRecord.SCHEMA_VERSION,
                            method.id(),
                            r.workId(),
                            t.behaviour().id(),
                            t.behaviour().kind(),
                            t.scoredTokens(),
                            d,
                            d / t.scoredTokens(),
                            null,
                            null,
                            unlearn ? r.logprobBefore()[i] : null,
                            unlearn ? r.logprobAfter()[i] : null));
        }
        return out;
    }

    private static ApproxSummary.WorkCost cost(
            ApproxInfluence.WorkResult r,
            List<InfluenceRecord> recs,
            List<TokenizedBehaviour> tokenized) {
        Map<String, List<InfluenceRecord>> byKind = new TreeMap<>();
        for (int i = 0; i < recs.size(); i++) {
            String kind = ExactMeter.kindFor(r.workId(), tokenized.get(i).behaviour());
            byKind.computeIfAbsent(kind, k -> new ArrayList<>()).add(recs.get(i));
        }
        Map<String, MeterSummary.KindSummary> kinds = new TreeMap<>();
        byKind.forEach((k, rs) -> kinds.put(k, ExactMeter.kindSummary(rs)));
        return new ApproxSummary.WorkCost(
                r.workId(),
                r.chunks(),
                r.tokens(),
                r.seconds(),
                r.seconds() / recs.size(),
                r.forgetNllBefore(),
                r.forgetNllAfter(),
                r.retainNllBefore(),
                r.retainNllAfter(),
                r.gradientNorms(),
                kinds);
    }

    /** Consecutive pieces of {@code size} tokens; a last piece under 2 tokens is dropped. */
    static List<int[]> chunks(int[] tokens, int size) {
        List<int[]> out = new ArrayList<>();
        for (int from = 0; from < tokens.length; from += size) {
            int to = Math.min(tokens.length, from + size);
            if (to - from >= 2) {
                out.add(Arrays.copyOfRange(tokens, from, to));
            }
        }
        return out;
    }

    /** At most {@code count} of {@code all}, evenly spread: element ⌊k · n / m⌋, k = 0..m−1. */
    static List<int[]> spread(List<int[]> all, int count) {
        int m = Math.min(count, all.size());
        List<int[]> out = new ArrayList<>(m);
        for (int k = 0; k < m; k++) {
            out.add(all.get((int) ((long) k * all.size() / m)));
        }
        return out;
    }

    /** SHA-256 of the behaviours as JSONL lines {id, prompt?, text, kind, work_id?}. */
    private static String behavioursSha(List<Behaviour> behaviours) {
        StringBuilder b = new StringBuilder();
        for (Behaviour x : behaviours) {
            try {
                b.append(Records.MAPPER.writeValueAsString(ExactMeter.jsonLine(x))).append('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return Sha256.of(b.toString().getBytes(StandardCharsets.UTF_8));
    }
}
