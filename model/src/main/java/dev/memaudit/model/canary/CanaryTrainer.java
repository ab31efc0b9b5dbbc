package dev.memaudit.model.canary;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.JsonlWriter;
import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.run.Membership;
import dev.memaudit.core.records.run.TrainingStepRecord;
import dev.memaudit.model.ModelTokenizer;
import dev.memaudit.model.ScoredSequence;
import dev.memaudit.model.runtime.Architecture;
import dev.memaudit.model.runtime.DjlLanguageModel;
import dev.memaudit.model.runtime.ModelConfig;
import dev.memaudit.model.runtime.ModelLoader;
import dev.memaudit.model.runtime.Transformer;
import dev.memaudit.model.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Trains a small canary model whose training data is known exactly: each member work appears in the
 * training stream as many times as its dose, non-members (dose 0) never. With background text, the
 * canary learns language from it and the member copies are a small share of the stream, mixed in at
 * random positions ({@link TrainingStream}); without, it is trained on its members alone. The
 * tokenizer is trained on all works (members and non-members) and the background, so all are
 * tokenized equally well.
 *
 * <p>Background: each file is tokenized and cut into pieces of {@value #PIECE_TOKENS} tokens; the
 * pieces of all files are shuffled with the seed, the first ones (about 2.5 % of the budget, at
 * most {@value #MAX_HELD_OUT_TOKENS} tokens) are held out to measure how well the canary knows the
 * language, the next ones up to {@code backgroundTokens} are trained on. A background file that
 * contains the text of one of the works is left out (and recorded as such): the background must
 * never hold a member or an audited work.
 *
 * <p>Batches are taken in stream order, wrapping with a fresh shuffle of the windows when {@code
 * steps} asks for more than one pass. The optimizer loop is {@link TrainingLoop}. After training,
 * the saved folder is loaded through the runtime and every work and the held-out background are
 * scored teacher-forced; membership.json records the per-work NLL and greedy-token share.
 */
public final class CanaryTrainer {
    private static final int PROBE_TOKENS = 32;

    /** Background pieces: the documents the background is shuffled in. */
    static final int PIECE_TOKENS = 1024;

    /** Most background tokens held out for evaluation. */
    static final int MAX_HELD_OUT_TOKENS = 50_000;

    /** Words of each probe that looks for a work's text in a background file. */
    private static final int PROBE_WORDS = 16;

    /** Characters of background text each file gives the tokenizer trainer, at most. */
    private static final int TOKENIZER_CHARS_PER_FILE = 60_000;

    private CanaryTrainer() {}

    /** Trains on the members alone (no background). */
    public static CanaryResult train(
            CanaryConfig cfg, List<CorpusText> texts, Path outDir, PrintStream progress) {
        return train(cfg, texts, null, outDir, progress);
    }

    /**
     * Trains and writes {@code outDir/{config.json, model.safetensors, tokenizer.json,
     * membership.json}}.
     *
     * @param texts the corpus as (id, text) pairs; ids unique, at least two works
     * @param background text to learn language from, or null to train on the members alone
     * @param outDir a folder that does not exist or is empty
     * @param progress where progress lines go (stderr in the CLI)
     */
    public static CanaryResult train(
            CanaryConfig cfg,
            List<CorpusText> texts,
            BackgroundCorpus background,
            Path outDir,
            PrintStream progress) {
        return train(cfg, texts, background, outDir, progress, Variant.NONE);
    }

    /**
     * How a canary departs from the one its settings make: for influence metering.
     *
     * @param withheld members whose copies are replaced by background text of the same length
     *     (taken from background pieces outside the training budget and the held-out set), so the
     *     run is the same run without them: same seed, data order, windows and steps
     * @param dataSeed the seed choosing the background pieces trained on and held out, or null for
     *     the canary's own seed (a seed-variation canary keeps another seed's data and varies only
     *     initialization and order)
     */
    public record Variant(Set<String> withheld, Long dataSeed) {
        /** An ordinary canary. */
        public static final Variant NONE = new Variant(Set.of(), null);

        public Variant {
            withheld = Set.copyOf(withheld);
        }
    }

    /** Like {@link #train(CanaryConfig, List, BackgroundCorpus, Path, PrintStream)}, varied. */
    public static CanaryResult train(
            CanaryConfig cfg,
            List<CorpusText> texts,
            BackgroundCorpus background,
            Path outDir,
            PrintStream progress,
            Variant variant) {
        Set<String> ids = new HashSet<>();
        for (CorpusText t : texts) {
            if (!ids.add(t.id())) {
                throw MemauditException.badInput("corpus has two works with id " + t.id());
            }
        }
        if (texts.size() < 2) {
            throw MemauditException.badInput(
                    "canary training needs at least 2 works (members and non-members), got "
                            + texts.size());
        }
        if (background != null && background.files().isEmpty()) {
            throw MemauditException.badInput(background.source() + ": no background files");
        }
        List<CorpusText> sorted = new ArrayList<>(texts);
        sorted.sort((a, b) -> a.id().compareTo(b.id()));
        TreeMap<String, Integer> doses = assignDoses(cfg, sorted);
        TreeSet<String> members = new TreeSet<>();
        TreeSet<String> nonMembers = new TreeSet<>();
        doses.forEach((id, d) -> (d > 0 ? members : nonMembers).add(id));
        List<String> notMembers =
                variant.withheld().stream().filter(w -> !members.contains(w)).sorted().toList();
        if (!notMembers.isEmpty()) {
            throw MemauditException.badInput(
                    "only members can be withheld; not members: " + notMembers);
        }
        if (!variant.withheld().isEmpty() && background == null) {
            throw MemauditException.badInput(
                    "withholding a work needs background text to put in its place");
        }
        if (members.size() == variant.withheld().size()) {
            throw MemauditException.badInput("withholding every member leaves none");
        }
        prepareOutDir(outDir);

        long t0 = System.nanoTime();
        Prepared prep = prepare(cfg, sorted, background);
        prep.excluded()
                .forEach(
                        (id, why) ->
                                progress.printf(
                                        Locale.ROOT, "background %s left out: %s%n", id, why));
        List<BackgroundCorpus.File> bgFiles = prep.bgFiles();
        BpeTrainer.Bpe bpe = prep.bpe();
        Path tokFile = outDir.resolve("tokenizer.json");
        try {
            bpe.write(tokFile);
        } catch (IOException e) {
            throw MemauditException.badInput(tokFile + ": cannot write: " + e.getMessage(), e);
        }
        int eot = bpe.endOfTextId();
        Map<String, int[]> tokens = prep.tokens();
        Map<String, int[]> bgTokens = prep.bgTokens();
        progress.printf(
                Locale.ROOT,
                "tokenizer: %d ids (%d merges) in %.1f s%s%n",
                bpe.vocab().size(),
                bpe.merges().size(),
                (System.nanoTime() - t0) / 1e9,
                prep.reused() ? " (the same inputs as the previous canary: reused)" : "");

        // a small corpus can run out of merges before the requested size: size the model to the
        // tokenizer actually trained
        ModelConfig mc = modelConfig(cfg, bpe.vocab().size(), eot);
        int len = cfg.contextLength();
        SplittableRandom rng = new SplittableRandom(cfg.seed());
        Map<String, Integer> memberDoses = new TreeMap<>();
        members.forEach(id -> memberDoses.put(id, doses.get(id)));
        BackgroundSplit split = null;
        TrainingStream stream;
        if (background == null) {
            stream =
                    TrainingStream.membersOnly(
                            memberDoses, tokens, eot, len, new Random(rng.split().nextLong()));
        } else {
            Random bgRng = new Random(rng.split().nextLong());
            // the same Random object when the data seed is the canary's: ordinary canaries are
            // unchanged by the variant's existence
            Random splitRng =
                    variant.dataSeed() == null || variant.dataSeed() == cfg.seed()
                            ? bgRng
                            : new Random(
                                    new SplittableRandom(variant.dataSeed()).split().nextLong());
            split = splitBackground(bgFiles, bgTokens, cfg.backgroundTokens(), splitRng);
            Map<String, int[][]> fillers =
                    fillers(variant.withheld(), memberDoses, tokens, split.spare);
            stream =
                    TrainingStream.mixed(
                            split.train, memberDoses, tokens, fillers, eot, len, bgRng);
        }
        List<int[]> windows = stream.windows;
        if (windows.isEmpty()) {
            throw MemauditException.badInput(
                    "member works hold fewer than "
                            + (len + 1)
                            + " tokens in all; add text or lower the context length");
        }
        int steps =
                cfg.steps() > 0
                        ? cfg.steps()
                        : (windows.size() + cfg.batchSize() - 1) / cfg.batchSize();
        progress.printf(
                Locale.ROOT,
                "training %s, %d parameters: members %s%s, %d windows of %d tokens, %d steps%n",
                mc.hfArchitecture(),
                mc.parameterCount(),
                describeDoses(memberDoses)
                        + (variant.withheld().isEmpty()
                                ? ""
                                : ", withheld (copies replaced by background) "
                                        + new TreeSet<>(variant.withheld())),
                split == null
                        ? ""
                        : String.format(
                                Locale.ROOT,
                                " in %,d background tokens (%,d held out)",
                                split.trainTokens,
                                split.heldOutTokens),
                windows.size(),
                len,
                steps);

        int[] probe = probeTokens(tokens.get(members.first()), len);
        Map<String, TreeSet<Integer>> seenAt = stream.newSeenMap();
        Path orderFile = outDir.resolve(Records.fileName(TrainingStepRecord.class));
        try (TrainingLoop loop = new TrainingLoop(cfg, mc, steps, rng.split())) {
            double finalLoss;
            try (JsonlWriter order = JsonlWriter.create(orderFile, Records.MAPPER)) {
                finalLoss = trainLoop(cfg, loop, stream, steps, seenAt, rng, progress, order);
            } catch (IOException e) {
                throw MemauditException.badInput(
                        orderFile + ": cannot write: " + e.getMessage(), e);
            }
            Map<String, NDArray> params = loop.parameters();
            for (NDArray p : params.values()) {
                p.setRequiresGradient(false);
            }
            float[][] probeLogits = logits(loop.model(), loop.manager(), probe);
            save(outDir, mc, params, mc.arch() == Architecture.GPT2 ? "transformer." : "");
            TreeMap<String, Integer> evalDoses = new TreeMap<>(doses);
            variant.withheld().forEach(id -> evalDoses.put(id, 0));
            Membership.Evaluation evaluation =
                    evaluate(outDir, evalDoses, tokens, split == null ? null : split.heldOut, len);
            Membership.Background bgRecord =
                    background == null
                            ? null
                            : backgroundRecord(background, prep.excluded(), bgTokens, split, cfg);
            TreeMap<String, Integer> recorded = new TreeMap<>(doses);
            variant.withheld().forEach(id -> recorded.put(id, 0));
            writeMembership(
                    outDir,
                    cfg,
                    mc,
                    recorded,
                    tokens,
                    seenAt,
                    bgRecord,
                    steps,
                    windows.size(),
                    finalLoss,
                    loop.skippedUpdates(),
                    evaluation,
                    counterfactual(variant, cfg, memberDoses, tokens));
            printEvaluation(evaluation, progress);
            progress.printf(
                    Locale.ROOT,
                    "done in %.1f s: final loss %.4f, %d updates skipped, model in %s%n",
                    (System.nanoTime() - t0) / 1e9,
                    finalLoss,
                    loop.skippedUpdates(),
                    outDir);
            members.removeAll(variant.withheld());
            nonMembers.addAll(variant.withheld());
            return new CanaryResult(
                    outDir,
                    List.copyOf(members),
                    List.copyOf(nonMembers),
                    Collections.unmodifiableMap(new TreeMap<>(doses)),
                    steps,
                    finalLoss,
                    loop.skippedUpdates(),
                    probe,
                    probeLogits,
                    split == null ? List.of() : List.copyOf(split.heldOut));
        }
    }

    private static List<CorpusText> guarded(List<CorpusText> works, BackgroundCorpus bg) {
        List<CorpusText> all = new ArrayList<>(works);
        all.addAll(bg.keepOut());
        return all;
    }

    private static String describeDoses(Map<String, Integer> memberDoses) {
        TreeMap<Integer, Integer> byDose = new TreeMap<>();
        memberDoses.values().forEach(d -> byDose.merge(d, 1, Integer::sum));
        List<String> parts = new ArrayList<>();
        byDose.forEach((d, n) -> parts.add(n + " × dose " + d));
        return String.join(", ", parts);
    }

    /** Background pieces for training and for evaluation. */
    private record BackgroundSplit(
            List<int[]> train,
            List<int[]> heldOut,
            List<int[]> spare,
            long trainTokens,
            long heldOutTokens,
            Map<String, Long> usedByFile) {}

    private static BackgroundSplit splitBackground(
            List<BackgroundCorpus.File> files,
            Map<String, int[]> bgTokens,
            long budget,
            Random rng) {
        List<int[]> pieces = new ArrayList<>();
        List<String> pieceFile = new ArrayList<>();
        for (BackgroundCorpus.File f : files) {
            int[] t = bgTokens.get(f.id());
            for (int from = 0; from < t.length; from += PIECE_TOKENS) {
                pieces.add(Arrays.copyOfRange(t, from, Math.min(t.length, from + PIECE_TOKENS)));
                pieceFile.add(f.id());
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < pieces.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, rng);
        long heldOutBudget = Math.min(MAX_HELD_OUT_TOKENS, Math.max(PIECE_TOKENS, budget / 40));
        List<int[]> heldOut = new ArrayList<>();
        List<int[]> train = new ArrayList<>();
        List<int[]> spare = new ArrayList<>();
        long held = 0;
        long trained = 0;
        Map<String, Long> used = new LinkedHashMap<>();
        for (int i : order) {
            int[] p = pieces.get(i);
            int take;
            if (held < heldOutBudget && order.size() > 1) {
                heldOut.add(p);
                take = p.length;
                held += take;
            } else if (trained < budget) {
                take = (int) Math.min(p.length, budget - trained);
                train.add(take == p.length ? p : Arrays.copyOf(p, take));
                if (take < p.length) {
                    spare.add(Arrays.copyOfRange(p, take, p.length));
                }
                trained += take;
            } else {
                // beyond the budget: never trained on, except in place of a withheld work
                spare.add(p);
                continue;
            }
            used.merge(pieceFile.get(i), (long) take, Long::sum);
        }
        return new BackgroundSplit(train, heldOut, spare, trained, held, used);
    }

    /**
     * For each withheld work, one filler per copy: consecutive runs of the spare background (in its
     * shuffled order) as long as the work, distinct for every copy, so no filler text is repeated
     * more than the background itself repeats.
     */
    private static Map<String, int[][]> fillers(
            Set<String> withheld,
            Map<String, Integer> doses,
            Map<String, int[]> tokens,
            List<int[]> spare) {
        Map<String, int[][]> out = new TreeMap<>();
        if (withheld.isEmpty()) {
            return out;
        }
        long need = 0;
        for (String id : withheld) {
            need += (long) doses.get(id) * tokens.get(id).length;
        }
        long have = spare.stream().mapToLong(p -> p.length).sum();
        if (have < need) {
            throw MemauditException.badInput(
                    String.format(
                            Locale.ROOT,
                            "withholding %s needs %,d background tokens outside the training"
                                    + " budget to put in its place; the background has %,d: lower"
                                    + " --background-tokens or give more background text",
                            new TreeSet<>(withheld),
                            need,
                            have));
        }
        int piece = 0;
        int at = 0;
        for (String id : new TreeSet<>(withheld)) {
            int n = tokens.get(id).length;
            int[][] copies = new int[doses.get(id)][];
            for (int c = 0; c < copies.length; c++) {
                int[] f = new int[n];
                int filled = 0;
                while (filled < n) {
                    int[] p = spare.get(piece);
                    int take = Math.min(n - filled, p.length - at);
                    System.arraycopy(p, at, f, filled, take);
                    filled += take;
                    at += take;
                    if (at == p.length) {
                        piece++;
                        at = 0;
                    }
                }
                copies[c] = f;
            }
            out.put(id, copies);
        }
        return out;
    }

    /**
     * Creates {@code outDir}, or accepts it when it is an empty folder.
     *
     * @throws MemauditException bad input when it is a file, a non-empty folder or cannot be made
     */
    public static void prepareOutDir(Path outDir) {
        try {
            if (Files.exists(outDir)) {
                if (!Files.isDirectory(outDir)) {
                    throw MemauditException.badInput(outDir + ": exists and is not a folder");
                }
                try (Stream<Path> s = Files.list(outDir)) {
                    if (s.findAny().isPresent()) {
                        throw MemauditException.badInput(
                                outDir + ": output folder is not empty; refusing to overwrite");
                    }
                }
            }
            Files.createDirectories(outDir);
        } catch (IOException e) {
            throw MemauditException.badInput(outDir + ": cannot create: " + e.getMessage(), e);
        }
    }

    /**
     * Every work's dose (0 = held out), by id: the named doses, the ladder round-robin over the
     * works in a seeded random order, the named members at {@code repeat}, or a seeded random
     * {@code memberFraction} of the works at {@code repeat}.
     */
    static TreeMap<String, Integer> assignDoses(CanaryConfig cfg, List<CorpusText> sorted) {
        TreeMap<String, Integer> doses = new TreeMap<>();
        sorted.forEach(t -> doses.put(t.id(), 0));
        Set<String> named =
                cfg.memberDoses() != null
                        ? cfg.memberDoses().keySet()
                        : cfg.members() != null ? cfg.members() : Set.of();
        List<String> unknown = named.stream().filter(m -> !doses.containsKey(m)).sorted().toList();
        if (!unknown.isEmpty()) {
            throw MemauditException.badInput("member ids not in the corpus: " + unknown);
        }
        if (cfg.memberDoses() != null) {
            doses.putAll(cfg.memberDoses());
        } else if (cfg.doses() != null) {
            List<String> ids = new ArrayList<>(doses.keySet());
            Collections.shuffle(ids, new Random(cfg.seed()));
            for (int i = 0; i < ids.size(); i++) {
                doses.put(ids.get(i), cfg.doses().get(i % cfg.doses().size()));
            }
        } else if (cfg.members() != null) {
            cfg.members().forEach(id -> doses.put(id, cfg.repeat()));
            if (cfg.members().isEmpty() || cfg.members().size() == sorted.size()) {
                throw MemauditException.badInput(
                        "members must be a non-empty proper subset of the "
                                + sorted.size()
                                + " works");
            }
        } else {
            List<String> ids = new ArrayList<>(doses.keySet());
            Collections.shuffle(ids, new Random(cfg.seed()));
            int n = (int) Math.round(cfg.memberFraction() * ids.size());
            n = Math.max(1, Math.min(ids.size() - 1, n));
            ids.subList(0, n).forEach(id -> doses.put(id, cfg.repeat()));
        }
        if (doses.values().stream().noneMatch(d -> d > 0)) {
            throw MemauditException.badInput(
                    "no work was given a dose ≥ 1: the ladder "
                            + cfg.doses()
                            + " over "
                            + sorted.size()
                            + " works assigns only dose 0");
        }
        return doses;
    }

    /**
     * Background files that contain the text of one of the works, by file id → why: a file holds a
     * work when one of a few {@value #PROBE_WORDS}-word passages spread over the work occurs in it
     * (whitespace collapsed).
     */
    static Map<String, String> contaminated(BackgroundCorpus bg, List<CorpusText> works) {
        Map<String, List<String>> probes = new LinkedHashMap<>();
        for (CorpusText w : works) {
            String[] words = w.text().trim().split("\\s+");
            List<String> ps = new ArrayList<>();
            if (words.length >= PROBE_WORDS) {
                int count = Math.min(5, words.length / PROBE_WORDS);
                for (int k = 0; k < count; k++) {
                    int from =
                            (int)
                                    ((long) k
                                            * (words.length - PROBE_WORDS)
                                            / Math.max(1, count - 1));
                    ps.add(String.join(" ", Arrays.copyOfRange(words, from, from + PROBE_WORDS)));
                }
            }
            probes.put(w.id(), ps);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (BackgroundCorpus.File f : bg.files()) {
            String text = f.text().replaceAll("\\s+", " ");
            for (Map.Entry<String, List<String>> e : probes.entrySet()) {
                if (e.getValue().stream().anyMatch(text::contains)) {
                    out.put(f.id(), "contains the text of " + e.getKey());
                    break;
                }
            }
        }
        return out;
    }

    /**
     * What a canary's training derives from its texts alone: background files left out (they
     * contain a work), the BPE tokenizer and every text's tokens.
     *
     * @param reused whether it came from the cache
     */
    private record Prepared(
            Map<String, String> excluded,
            List<BackgroundCorpus.File> bgFiles,
            BpeTrainer.Bpe bpe,
            Map<String, int[]> tokens,
            Map<String, int[]> bgTokens,
            boolean reused) {}

    /** The inputs {@link #lastPrepared} was made from. */
    private record PrepareKey(List<CorpusText> works, BackgroundCorpus background, int vocabSize) {}

    /**
     * The last preparation of this process, reused when the next canary has the same works, the
     * same background object and vocabulary size: {@code meter exact} and {@code canary calibrate}
     * train several canaries over the same texts, and the tokenizer and the tokens are a
     * deterministic function of them (BPE training is seeded by nothing; ties break by order). Only
     * the last one is kept, so memory stays that of one background's tokens.
     */
    private static PrepareKey lastKey;

    private static Prepared lastPrepared;

    private static synchronized Prepared prepare(
            CanaryConfig cfg, List<CorpusText> sorted, BackgroundCorpus background) {
        PrepareKey key = new PrepareKey(List.copyOf(sorted), background, cfg.vocabSize());
        if (lastPrepared != null
                && lastKey.background() == background
                && lastKey.vocabSize() == key.vocabSize()
                && lastKey.works().equals(key.works())) {
            Prepared p = lastPrepared;
            return new Prepared(p.excluded(), p.bgFiles(), p.bpe(), p.tokens(), p.bgTokens(), true);
        }
        Map<String, String> excluded =
                background == null
                        ? Map.of()
                        : contaminated(background, guarded(sorted, background));
        List<BackgroundCorpus.File> bgFiles = new ArrayList<>();
        if (background != null) {
            for (BackgroundCorpus.File f : background.files()) {
                if (!excluded.containsKey(f.id())) {
                    bgFiles.add(f);
                }
            }
            if (bgFiles.isEmpty()) {
                throw MemauditException.badInput(
                        background.source() + ": every background file contains one of the works");
            }
        }
        List<String> tokenizerTexts =
                new ArrayList<>(sorted.stream().map(CorpusText::text).toList());
        for (BackgroundCorpus.File f : bgFiles) {
            String t = f.text();
            tokenizerTexts.add(t.substring(0, Math.min(t.length(), TOKENIZER_CHARS_PER_FILE)));
        }
        BpeTrainer.Bpe bpe = BpeTrainer.train(tokenizerTexts, cfg.vocabSize());
        Map<String, int[]> tokens = new LinkedHashMap<>();
        Map<String, int[]> bgTokens = new LinkedHashMap<>();
        Path tokFile;
        try {
            tokFile = Files.createTempFile("memaudit-bpe", ".json");
            bpe.write(tokFile);
        } catch (IOException e) {
            throw MemauditException.badInput(
                    "cannot write a temporary tokenizer: " + e.getMessage(), e);
        }
        try (ModelTokenizer tok = ModelTokenizer.load(tokFile)) {
            for (CorpusText t : sorted) {
                tokens.put(t.id(), tok.encodeIds(t.text()));
            }
            for (BackgroundCorpus.File f : bgFiles) {
                bgTokens.put(f.id(), tok.encodeIds(f.text()));
            }
        } finally {
            try {
                Files.deleteIfExists(tokFile);
            } catch (IOException e) {
                // a temporary file left behind is harmless
            }
        }
        lastKey = null;
        lastPrepared = null;
        Prepared p =
                new Prepared(
                        Collections.unmodifiableMap(new LinkedHashMap<>(excluded)),
                        List.copyOf(bgFiles),
                        bpe,
                        Collections.unmodifiableMap(tokens),
                        Collections.unmodifiableMap(bgTokens),
                        false);
        lastKey = key;
        lastPrepared = p;
        return p;
    }

    /** The model shape of {@code c} over a trained tokenizer of {@code vocab} ids. */
    public static ModelConfig modelConfig(CanaryConfig c, int vocab, int eot) {
        int headDim = c.hidden() / c.heads();
        ModelConfig.Builder b =
                ModelConfig.builder(c.arch())
                        .vocabSize(vocab)
                        .hidden(c.hidden())
                        .layers(c.layers())
                        .heads(c.heads())
                        .intermediate(c.intermediate())
                        .maxPositions(c.contextLength())
                        .normEps(1e-5)
                        .bosId(eot)
                        .eosId(eot);
        if (c.arch() == Architecture.GPT_NEOX) {
            // a quarter of each head rotary, rounded down to an even count
            b.rotaryDims((headDim / 4) / 2 * 2);
        }
        return b.build();
    }

    private static int[] probeTokens(int[] memberTokens, int len) {
        return Arrays.copyOf(
                memberTokens,
                Math.max(1, Math.min(PROBE_TOKENS, Math.min(len, memberTokens.length))));
    }

    static Map<String, NDArray> initParameters(
            ModelConfig mc, String prefix, NDManager manager, SplittableRandom rng) {
        Map<String, NDArray> params = new LinkedHashMap<>();
        double std = 0.02;
        double outStd = std / Math.sqrt(2.0 * mc.layers());
        for (Map.Entry<String, long[]> e : Transformer.expectedShapes(mc, prefix).entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue();
            int n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, (int) d);
            }
            float[] v = new float[n];
            boolean norm = name.contains("norm") || name.contains("ln_");
            if (norm && name.endsWith(".weight")) {
                Arrays.fill(v, 1f);
            } else if (!name.endsWith(".bias")) {
                boolean residualOut =
                        name.contains("o_proj")
                                || name.contains("down_proj")
                                || name.contains("c_proj")
                                || name.contains("attention.dense.")
                                || name.contains("dense_4h_to_h");
                double s = residualOut ? outStd : std;
                for (int i = 0; i < n; i++) {
                    v[i] = (float) (rng.nextGaussian() * s);
                }
            }
            params.put(name, manager.create(v, new Shape(shape)));
        }
        return params;
    }

    private static double trainLoop(
            CanaryConfig cfg,
            TrainingLoop loop,
            TrainingStream stream,
            int steps,
            Map<String, TreeSet<Integer>> seenAt,
            SplittableRandom rng,
            PrintStream progress,
            JsonlWriter orderLog) {
        int b = cfg.batchSize();
        List<int[]> windows = stream.windows;
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < windows.size(); i++) {
            order.add(i);
        }
        Random shuffler = new Random(rng.nextLong());
        int cursor = 0;
        int tail = Math.max(1, Math.min(20, steps / 5));
        double tailSum = 0;
        int tailCount = 0;
        long start = System.nanoTime();
        int every = Math.max(1, steps / 20);
        for (int step = 0; step < steps; step++) {
            List<int[]> batch = new ArrayList<>(b);
            int[] taken = new int[b];
            for (int r = 0; r < b; r++) {
                if (cursor == order.size()) {
                    Collections.shuffle(order, shuffler);
                    cursor = 0;
                }
                taken[r] = order.get(cursor++);
                batch.add(windows.get(taken[r]));
            }
            stream.seen(step + 1, taken, seenAt);
            writeStep(orderLog, stream, step + 1, taken, batch);
            TrainingLoop.Step s = loop.step(batch);
            if (s.skipped()) {
                // a rare non-finite step is skipped, as mixed-precision trainers do; a run of them
                // means the model has diverged (the loop gives up after a few)
                progress.printf(
                        Locale.ROOT,
                        "step %d: non-finite loss or gradient (loss %s, gradient norm %s%s),"
                                + " update skipped%n",
                        step + 1,
                        s.loss(),
                        s.gradientNorm(),
                        s.nonFiniteGradients().isEmpty()
                                ? ""
                                : "; inf or NaN in the gradient of " + s.nonFiniteGradients());
                continue;
            }
            if (step >= steps - tail) {
                tailSum += s.loss();
                tailCount++;
            }
            if ((step + 1) % every == 0 || step == steps - 1) {
                progress.printf(
                        Locale.ROOT,
                        "step %d/%d loss %.4f (%.2f s/step)%n",
                        step + 1,
                        steps,
                        s.loss(),
                        (System.nanoTime() - start) / 1e9 / (step + 1));
            }
        }
        return tailSum / tailCount;
    }

    private static void writeStep(
            JsonlWriter order, TrainingStream stream, int step, int[] taken, List<int[]> batch) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        List<Integer> windows = new ArrayList<>();
        TreeSet<String> works = new TreeSet<>();
        for (int r = 0; r < taken.length; r++) {
            windows.add(taken[r]);
            for (int w : stream.windowWorks.get(taken[r])) {
                works.add(stream.works.get(w));
            }
            ByteBuffer buf = ByteBuffer.allocate(4 * batch.get(r).length);
            for (int id : batch.get(r)) {
                buf.putInt(id);
            }
            sha.update(buf.array());
        }
        try {
            order.write(
                    new TrainingStepRecord(
                            TrainingStepRecord.SCHEMA_VERSION,
                            step,
                            windows,
                            List.copyOf(works),
                            HexFormat.of().formatHex(sha.digest())));
        } catch (IOException e) {
            throw MemauditException.badInput(
                    "cannot write the data-order log: " + e.getMessage(), e);
        }
    }

    /** What a variant withheld, for membership.json; null for an ordinary canary. */
    private static Membership.Counterfactual counterfactual(
            Variant variant,
            CanaryConfig cfg,
            Map<String, Integer> memberDoses,
            Map<String, int[]> tokens) {
        if (variant.withheld().isEmpty() && variant.dataSeed() == null) {
            return null;
        }
        List<Membership.Withheld> w = new ArrayList<>();
        for (String id : new TreeSet<>(variant.withheld())) {
            w.add(
                    new Membership.Withheld(
                            id,
                            memberDoses.get(id),
                            (long) memberDoses.get(id) * tokens.get(id).length));
        }
        return new Membership.Counterfactual(
                variant.dataSeed() == null ? cfg.seed() : variant.dataSeed(), w);
    }

    /**
     * Scores every work and the held-out background with the saved model (loaded as any user would
     * load it), in windows of the model's context: mean NLL and greedy-token share per work.
     */
    private static Membership.Evaluation evaluate(
            Path outDir,
            Map<String, Integer> doses,
            Map<String, int[]> tokens,
            List<int[]> heldOut,
            int len) {
        try (DjlLanguageModel m = ModelLoader.load(outDir)) {
            List<Membership.WorkScore> works = new ArrayList<>();
            for (Map.Entry<String, Integer> e : doses.entrySet()) {
                double[] s = score(m, List.of(tokens.get(e.getKey())), len);
                works.add(new Membership.WorkScore(e.getKey(), e.getValue(), s[0], s[1]));
            }
            Double bg = heldOut == null || heldOut.isEmpty() ? null : score(m, heldOut, len)[0];
            return new Membership.Evaluation(bg, works);
        }
    }

    /** {mean NLL, greedy share} over the predicted tokens of {@code texts} cut into windows. */
    private static double[] score(DjlLanguageModel m, List<int[]> texts, int len) {
        List<int[]> windows = new ArrayList<>();
        for (int[] t : texts) {
            for (int from = 0; from + 1 < t.length; from += len) {
                windows.add(Arrays.copyOfRange(t, from, Math.min(t.length, from + len)));
            }
        }
        double nll = 0;
        long greedy = 0;
        long n = 0;
        for (int from = 0; from < windows.size(); from += 16) {
            for (ScoredSequence s :
                    m.score(windows.subList(from, Math.min(windows.size(), from + 16)), false)) {
                for (int i = 1; i < s.length(); i++) {
                    nll -= s.logprobs()[i];
                    if (s.greedyLogprobs()[i] == 0f) {
                        greedy++;
                    }
                    n++;
                }
            }
        }
        return new double[] {nll / n, (double) greedy / n};
    }

    private static void printEvaluation(Membership.Evaluation ev, PrintStream progress) {
        TreeMap<Integer, List<Membership.WorkScore>> byDose = new TreeMap<>();
        ev.works().forEach(w -> byDose.computeIfAbsent(w.dose(), k -> new ArrayList<>()).add(w));
        if (ev.heldOutBackgroundNll() != null) {
            progress.printf(
                    Locale.ROOT,
                    "held-out background: %.3f nats/token%n",
                    ev.heldOutBackgroundNll());
        }
        byDose.forEach(
                (d, ws) ->
                        progress.printf(
                                Locale.ROOT,
                                "dose %d: %d works, NLL %.3f nats/token, greedy-token share %.3f%n",
                                d,
                                ws.size(),
                                ws.stream()
                                        .mapToDouble(Membership.WorkScore::nll)
                                        .average()
                                        .orElseThrow(),
                                ws.stream()
                                        .mapToDouble(Membership.WorkScore::top1)
                                        .average()
                                        .orElseThrow()));
    }

    private static Membership.Background backgroundRecord(
            BackgroundCorpus bg,
            Map<String, String> excluded,
            Map<String, int[]> bgTokens,
            BackgroundSplit split,
            CanaryConfig cfg) {
        List<Membership.BackgroundFile> files = new ArrayList<>();
        for (BackgroundCorpus.File f : bg.files()) {
            int[] t = bgTokens.get(f.id());
            files.add(
                    new Membership.BackgroundFile(
                            f.id(),
                            f.path(),
                            f.sha256(),
                            t == null ? (Long) null : Long.valueOf(t.length),
                            split.usedByFile.getOrDefault(f.id(), 0L),
                            excluded.get(f.id())));
        }
        return new Membership.Background(
                bg.source(), files, split.trainTokens, split.heldOutTokens, cfg.backgroundTokens());
    }

    /** Logits of every position of {@code seq}, through the runtime's own scoring path. */
    private static float[][] logits(Transformer model, NDManager manager, int[] seq) {
        // the sub-manager holds only the inputs; closing the view leaves the weights alone
        try (DjlLanguageModel view =
                new DjlLanguageModel(
                        manager.newSubManager(), model, null, "canary model", new ArrayList<>())) {
            return view.fullLogits(seq);
        }
    }

    private static void save(
            Path outDir, ModelConfig mc, Map<String, NDArray> params, String prefix) {
        Map<String, SafetensorsWriter.F32Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            NDArray p = e.getValue();
            out.put(
                    e.getKey(),
                    new SafetensorsWriter.F32Tensor(p.getShape().getShape(), p.toFloatArray()));
        }
        ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        try {
            SafetensorsWriter.writeF32(
                    outDir.resolve("model.safetensors"), out, Map.of("format", "pt"));
            om.writeValue(outDir.resolve("config.json").toFile(), mc.toHfJson());
        } catch (IOException e) {
            throw MemauditException.badInput(
                    outDir + ": cannot write the model: " + e.getMessage(), e);
        }
    }

    private static void writeMembership(
            Path outDir,
            CanaryConfig cfg,
            ModelConfig mc,
            Map<String, Integer> doses,
            Map<String, int[]> tokens,
            Map<String, TreeSet<Integer>> seenAt,
            Membership.Background background,
            int steps,
            int windowCount,
            double finalLoss,
            int skippedSteps,
            Membership.Evaluation evaluation,
            Membership.Counterfactual counterfactual) {
        List<Membership.Work> m = new ArrayList<>();
        List<Membership.Work> nm = new ArrayList<>();
        doses.forEach(
                (id, d) ->
                        (d > 0 ? m : nm)
                                .add(
                                        new Membership.Work(
                                                id,
                                                d,
                                                tokens.get(id).length,
                                                List.copyOf(
                                                        seenAt.getOrDefault(
                                                                id, new TreeSet<>())))));
        Membership membership =
                new Membership(
                        Membership.SCHEMA_VERSION,
                        m,
                        nm,
                        background,
                        cfg.seed(),
                        steps,
                        windowCount,
                        (double) steps * cfg.batchSize() / Math.max(1, windowCount),
                        finalLoss,
                        skippedSteps,
                        evaluation,
                        new Membership.Settings(
                                mc.hfArchitecture(),
                                mc.vocabSize(),
                                cfg.vocabSize(),
                                cfg.hidden(),
                                cfg.layers(),
                                cfg.heads(),
                                cfg.intermediate(),
                                cfg.contextLength(),
                                cfg.batchSize(),
                                cfg.repeat(),
                                cfg.doses(),
                                cfg.learningRate(),
                                mc.parameterCount(),
                                cfg.microBatchSize(),
                                cfg.weightDecay(),
                                cfg.warmupStepsFor(steps),
                                cfg.minLearningRateFraction(),
                                cfg.clipNorm()),
                        counterfactual);
        Records.write(outDir.resolve(Records.fileName(Membership.class)), membership);
    }
}
