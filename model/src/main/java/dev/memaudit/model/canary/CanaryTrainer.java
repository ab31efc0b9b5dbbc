package dev.memaudit.model.canary;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.run.Membership;
import dev.memaudit.model.ModelTokenizer;
import dev.memaudit.model.runtime.Architecture;
import dev.memaudit.model.runtime.DjlLanguageModel;
import dev.memaudit.model.runtime.ModelConfig;
import dev.memaudit.model.runtime.Transformer;
import dev.memaudit.model.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Trains a small canary model whose training data is known exactly: member works appear {@code
 * repeat} times in the training stream, non-members never. The tokenizer is trained on all works
 * (members and non-members), so both are tokenized equally well.
 *
 * <p>Training stream: for each repetition, the member works in a seeded random order, each followed
 * by the end-of-text token, all concatenated; cut into windows of {@code contextLength + 1} tokens
 * (stride {@code contextLength}), windows shuffled, batches taken in order (wrapping with a fresh
 * shuffle when {@code steps} asks for more). The optimizer loop is {@link TrainingLoop}.
 */
public final class CanaryTrainer {
    private static final int PROBE_TOKENS = 32;

    private CanaryTrainer() {}

    /**
     * Trains and writes {@code outDir/{config.json, model.safetensors, tokenizer.json,
     * membership.json}}.
     *
     * @param texts the corpus as (id, text) pairs; ids unique, at least two works
     * @param outDir a folder that does not exist or is empty
     * @param progress where progress lines go (stderr in the CLI)
     */
    public static CanaryResult train(
            CanaryConfig cfg, List<CorpusText> texts, Path outDir, PrintStream progress) {
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
        prepareOutDir(outDir);
        List<CorpusText> sorted = new ArrayList<>(texts);
        sorted.sort((a, b) -> a.id().compareTo(b.id()));
        TreeSet<String> members = chooseMembers(cfg, sorted);
        TreeSet<String> nonMembers = new TreeSet<>();
        for (CorpusText t : sorted) {
            if (!members.contains(t.id())) {
                nonMembers.add(t.id());
            }
        }

        long t0 = System.nanoTime();
        BpeTrainer.Bpe bpe =
                BpeTrainer.train(sorted.stream().map(CorpusText::text).toList(), cfg.vocabSize());
        Path tokFile = outDir.resolve("tokenizer.json");
        try {
            bpe.write(tokFile);
        } catch (IOException e) {
            throw MemauditException.badInput(tokFile + ": cannot write: " + e.getMessage(), e);
        }
        int eot = bpe.endOfTextId();
        Map<String, int[]> tokens = new LinkedHashMap<>();
        try (ModelTokenizer tok = ModelTokenizer.load(tokFile)) {
            for (CorpusText t : sorted) {
                tokens.put(t.id(), tok.encodeIds(t.text()));
            }
        }
        progress.printf(
                Locale.ROOT,
                "tokenizer: %d ids (%d merges) in %.1f s%n",
                bpe.vocab().size(),
                bpe.merges().size(),
                (System.nanoTime() - t0) / 1e9);

        // a small corpus can run out of merges before the requested size: size the model to the
        // tokenizer actually trained
        ModelConfig mc = modelConfig(cfg, bpe.vocab().size(), eot);
        int len = cfg.contextLength();
        SplittableRandom rng = new SplittableRandom(cfg.seed());
        List<int[]> windows = windows(cfg, members, tokens, eot, rng.split());
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
                "training %s, %d parameters: %d members × %d, %d windows of %d tokens, %d steps%n",
                mc.hfArchitecture(),
                mc.parameterCount(),
                members.size(),
                cfg.repeat(),
                windows.size(),
                len,
                steps);

        int[] probe = probeTokens(tokens.get(members.first()), len);
        try (TrainingLoop loop = new TrainingLoop(cfg, mc, steps, rng.split())) {
            double finalLoss = trainLoop(cfg, loop, windows, steps, rng, progress);
            Map<String, NDArray> params = loop.parameters();
            for (NDArray p : params.values()) {
                p.setRequiresGradient(false);
            }
            float[][] probeLogits = logits(loop.model(), loop.manager(), probe);
            save(outDir, mc, params, mc.arch() == Architecture.GPT2 ? "transformer." : "");
            writeMembership(
                    outDir,
                    cfg,
                    mc,
                    members,
                    nonMembers,
                    tokens,
                    steps,
                    windows.size(),
                    finalLoss,
                    loop.skippedUpdates());
            progress.printf(
                    Locale.ROOT,
                    "done in %.1f s: final loss %.4f, %d updates skipped, model in %s%n",
                    (System.nanoTime() - t0) / 1e9,
                    finalLoss,
                    loop.skippedUpdates(),
                    outDir);
            return new CanaryResult(
                    outDir,
                    List.copyOf(members),
                    List.copyOf(nonMembers),
                    steps,
                    finalLoss,
                    loop.skippedUpdates(),
                    probe,
                    probeLogits);
        }
    }

    private static void prepareOutDir(Path outDir) {
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

    private static TreeSet<String> chooseMembers(CanaryConfig cfg, List<CorpusText> sorted) {
        TreeSet<String> members = new TreeSet<>();
        if (cfg.members() != null) {
            Set<String> known = new HashSet<>();
            sorted.forEach(t -> known.add(t.id()));
            List<String> unknown =
                    cfg.members().stream().filter(m -> !known.contains(m)).sorted().toList();
            if (!unknown.isEmpty()) {
                throw MemauditException.badInput("member ids not in the corpus: " + unknown);
            }
            members.addAll(cfg.members());
            if (members.isEmpty() || members.size() == sorted.size()) {
                throw MemauditException.badInput(
                        "members must be a non-empty proper subset of the "
                                + sorted.size()
                                + " works");
            }
            return members;
        }
        List<String> ids = new ArrayList<>(sorted.stream().map(CorpusText::id).toList());
        Collections.shuffle(ids, new Random(cfg.seed()));
        int n = (int) Math.round(cfg.memberFraction() * ids.size());
        n = Math.max(1, Math.min(ids.size() - 1, n));
        members.addAll(ids.subList(0, n));
        return members;
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

    private static List<int[]> windows(
            CanaryConfig cfg,
            Set<String> members,
            Map<String, int[]> tokens,
            int eot,
            SplittableRandom rng) {
        List<String> order = new ArrayList<>(members);
        int total = 0;
        for (String m : members) {
            total += tokens.get(m).length + 1;
        }
        int[] stream = new int[Math.multiplyExact(total, cfg.repeat())];
        int n = 0;
        Random shuffler = new Random(rng.nextLong());
        for (int r = 0; r < cfg.repeat(); r++) {
            Collections.shuffle(order, shuffler);
            for (String m : order) {
                int[] t = tokens.get(m);
                System.arraycopy(t, 0, stream, n, t.length);
                n += t.length;
                stream[n++] = eot;
            }
        }
        int len = cfg.contextLength();
        List<int[]> out = new ArrayList<>();
        for (int start = 0; start + len + 1 <= n; start += len) {
            out.add(Arrays.copyOfRange(stream, start, start + len + 1));
        }
        Collections.shuffle(out, shuffler);
        return out;
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
            List<int[]> windows,
            int steps,
            SplittableRandom rng,
            PrintStream progress) {
        int b = cfg.batchSize();
        List<int[]> order = new ArrayList<>(windows);
        Random shuffler = new Random(rng.nextLong());
        int cursor = 0;
        int tail = Math.max(1, Math.min(20, steps / 5));
        double tailSum = 0;
        int tailCount = 0;
        long start = System.nanoTime();
        int every = Math.max(1, steps / 20);
        for (int step = 0; step < steps; step++) {
            List<int[]> batch = new ArrayList<>(b);
            for (int r = 0; r < b; r++) {
                if (cursor == order.size()) {
                    Collections.shuffle(order, shuffler);
                    cursor = 0;
                }
                batch.add(order.get(cursor++));
            }
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
            Set<String> members,
            Set<String> nonMembers,
            Map<String, int[]> tokens,
            int steps,
            int windowCount,
            double finalLoss,
            int skippedSteps) {
        List<Membership.Work> m = new ArrayList<>();
        for (String id : members) {
            m.add(new Membership.Work(id, cfg.repeat(), tokens.get(id).length));
        }
        List<Membership.Work> nm = new ArrayList<>();
        for (String id : nonMembers) {
            nm.add(new Membership.Work(id, 0, tokens.get(id).length));
        }
        Membership membership =
                new Membership(
                        Membership.SCHEMA_VERSION,
                        m,
                        nm,
                        cfg.seed(),
                        steps,
                        windowCount,
                        (double) steps * cfg.batchSize() / Math.max(1, windowCount),
                        finalLoss,
                        skippedSteps,
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
                                cfg.learningRate(),
                                mc.parameterCount(),
                                cfg.microBatchSize(),
                                cfg.weightDecay(),
                                cfg.warmupStepsFor(steps),
                                cfg.minLearningRateFraction(),
                                cfg.clipNorm()));
        Records.write(outDir.resolve(Records.fileName(Membership.class)), membership);
    }
}
