package dev.memaudit.model.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import dev.memaudit.core.error.InputRejectedException;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.records.run.ModelIdentity;
import dev.memaudit.model.DecodingDistribution;
import dev.memaudit.model.Generation;
import dev.memaudit.model.GenerationSettings;
import dev.memaudit.model.LanguageModel;
import dev.memaudit.model.ModelIdentities;
import dev.memaudit.model.ModelTokenizer;
import dev.memaudit.model.ScoredSequence;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A {@link LanguageModel} running a {@link Transformer} on DJL's PyTorch engine, CPU, float32.
 *
 * <p>Scoring batches are right-padded and every sequence uses positions 0..n-1, so a sequence
 * scores the same alone or in a batch. Generation batches are left-padded; positions count only
 * real tokens, and padding keys are masked, so each row computes exactly what it would alone. Every
 * forward runs inside an {@link NDScope}, so native memory stays flat over long runs.
 */
public final class DjlLanguageModel implements LanguageModel {
    /**
     * Upper bound on the attention score tensor of one scoring forward: larger buffers exceed
     * glibc's 32 MiB mmap ceiling and are faulted in afresh on every layer.
     */
    private static final long ATTENTION_BYTES = 24L << 20;

    /** Upper bound on batch rows × padded length per scoring forward. */
    private static final int SCORE_TOKEN_BUDGET = 4096;

    /**
     * Positions whose full distribution is materialized at once: [128, 50257] floats stay under
     * glibc's 32 MiB mmap ceiling, so the buffers are reused instead of faulted in afresh.
     */
    private static final int HEAD_CHUNK = 128;

    /** Rows per float64 moment computation: [32, 50257] doubles stay under the same ceiling. */
    private static final int MOMENT_ROWS = 32;

    private final NDManager manager;
    private final Transformer model;
    private final ModelTokenizer tokenizer;
    private final String description;
    private final List<ByteBuffer> keepAlive;
    private Path folder;
    private ModelIdentity identity;

    /**
     * Wraps a transformer whose arrays live in {@code manager}. The model takes ownership of the
     * manager and the tokenizer (which may be null for token-only use).
     */
    public DjlLanguageModel(
            NDManager manager,
            Transformer model,
            ModelTokenizer tokenizer,
            String description,
            List<ByteBuffer> keepAlive) {
        this.manager = manager;
        this.model = model;
        this.tokenizer = tokenizer;
        this.description = description;
        this.keepAlive = keepAlive;
    }

    public Transformer transformer() {
        return model;
    }

    /** The folder the model was loaded from, which then gives its {@link #identity()}. */
    DjlLanguageModel loadedFrom(Path dir) {
        this.folder = dir.toAbsolutePath().normalize();
        return this;
    }

    /** The folder's weight and tokenizer hashes (computed once, on first use). */
    @Override
    public synchronized ModelIdentity identity() {
        if (folder == null) {
            return LanguageModel.super.identity();
        }
        if (identity == null) {
            identity = ModelIdentities.localFolder(folder, tokenizer, maxSequenceLength());
        }
        return identity;
    }

    @Override
    public String address() {
        return folder != null ? folder.toString() : describe();
    }

    @Override
    public ModelTokenizer tokenizer() {
        if (tokenizer == null) {
            throw new IllegalStateException("this model was built without a tokenizer");
        }
        return tokenizer;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public int vocabSize() {
        return model.config().vocabSize();
    }

    @Override
    public int maxSequenceLength() {
        return model.config().maxPositions();
    }

    private int eosId() {
        return model.config().eosId();
    }

    private int bosId() {
        ModelConfig c = model.config();
        return c.bosId() >= 0 ? c.bosId() : c.eosId();
    }

    private void checkTokens(int[] seq, String what) {
        int v = vocabSize();
        for (int id : seq) {
            if (id < 0 || id >= v) {
                throw MemauditException.badInput(
                        what
                                + " contains token id "
                                + id
                                + " outside the vocabulary 0.."
                                + (v - 1));
            }
        }
    }

    // ---------------------------------------------------------------- scoring

    @Override
    public List<ScoredSequence> score(
            List<int[]> sequences, boolean fullDistributionStats, GenerationSettings scheme) {
        ScoredSequence[] out = new ScoredSequence[sequences.size()];
        Integer[] order = new Integer[sequences.size()];
        for (int i = 0; i < order.length; i++) {
            int[] s = sequences.get(i);
            if (s.length == 0 || s.length > maxSequenceLength()) {
                // a property of this input: the stage skips it (no retry would change it)
                throw new InputRejectedException(
                        i,
                        "sequence "
                                + i
                                + " has "
                                + s.length
                                + " tokens; scoring needs 1.."
                                + maxSequenceLength());
            }
            checkTokens(s, "sequence " + i);
            order[i] = i;
        }
        // longest first, so each micro-batch pads little
        Arrays.sort(order, Comparator.comparingInt((Integer i) -> -sequences.get(i).length));
        int start = 0;
        while (start < order.length) {
            int maxLen = sequences.get(order[start]).length;
            long scoresPerRow = (long) model.config().heads() * maxLen * maxLen * 4;
            int rows =
                    (int)
                            Math.max(
                                    1,
                                    Math.min(
                                            Math.min(
                                                    order.length - start,
                                                    SCORE_TOKEN_BUDGET / maxLen),
                                            ATTENTION_BYTES / scoresPerRow));
            List<int[]> batch = new ArrayList<>();
            for (int r = 0; r < rows; r++) {
                batch.add(sequences.get(order[start + r]));
            }
            ScoredSequence[] scored = scoreBatch(batch, fullDistributionStats, scheme);
            for (int r = 0; r < rows; r++) {
                out[order[start + r]] = scored[r];
            }
            start += rows;
        }
        return List.of(out);
    }

    private ScoredSequence[] scoreBatch(
            List<int[]> batch, boolean stats, GenerationSettings scheme) {
        int b = batch.size();
        int t = batch.get(0).length;
        int targets = 0;
        for (int[] s : batch) {
            targets += s.length - 1;
        }
        long[] flatIdx = new long[targets];
        long[] targetIds = new long[targets];
        int n = 0;
        for (int r = 0; r < b; r++) {
            int[] s = batch.get(r);
            for (int j = 0; j + 1 < s.length; j++) {
                flatIdx[n] = (long) r * t + j;
                targetIds[n] = s[j + 1];
                n++;
            }
        }
        float[] lp = new float[targets];
        int[] higher = new int[targets];
        boolean[] greedy = new boolean[targets];
        double[] mu = stats ? new double[targets] : null;
        double[] var = stats ? new double[targets] : null;
        DecodingDistribution decoding =
                scheme != null && !scheme.isGreedy() ? DecodingDistribution.of(scheme) : null;
        double[] dlp = decoding != null ? new double[targets] : null;
        int v = vocabSize();
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray h = model.hidden(manager, TokenBatch.rightPadded(batch), null);
            NDArray flat = h.reshape(b * (long) t, model.config().hidden());
            for (int c0 = 0; c0 < targets; c0 += HEAD_CHUNK) {
                int len = Math.min(HEAD_CHUNK, targets - c0);
                try (NDScope chunk = new NDScope()) {
                    chunk.suppressNotUsedWarning();
                    NDArray idx = manager.create(Arrays.copyOfRange(flatIdx, c0, c0 + len));
                    NDArray tgt =
                            manager.create(
                                    Arrays.copyOfRange(targetIds, c0, c0 + len), new Shape(len, 1));
                    NDArray rowsH = Embedding.embedding(idx, flat, SparseFormat.DENSE).get(0);
                    NDArray logits = model.logits(rowsH);
                    NDArray lsm = logits.logSoftmax(-1);
                    System.arraycopy(lsm.gather(tgt, 1).toFloatArray(), 0, lp, c0, len);
                    // counting a boolean mask directly avoids a float copy of [chunk, vocab]
                    long[] above =
                            logits.gt(logits.gather(tgt, 1))
                                    .sum(new int[] {1})
                                    .toType(DataType.INT64, false)
                                    .toLongArray();
                    float[] rowLogits = logits.toFloatArray();
                    for (int i = 0; i < len; i++) {
                        int target = (int) targetIds[c0 + i];
                        higher[c0 + i] = (int) above[i];
                        greedy[c0 + i] =
                                DecodingDistribution.greedyToken(rowLogits, i * v, v) == target;
                        if (decoding != null) {
                            dlp[c0 + i] = decoding.at(rowLogits, i * v, v).logProb(target);
                        }
                    }
                    if (stats) {
                        distributionMoments(logits, mu, var, c0);
                    }
                }
            }
        }
        ScoredSequence[] out = new ScoredSequence[b];
        n = 0;
        for (int r = 0; r < b; r++) {
            int[] s = batch.get(r);
            float[] l = new float[s.length];
            int[] rk = new int[s.length];
            float[] g = new float[s.length];
            float[] m = stats ? new float[s.length] : null;
            float[] vv = stats ? new float[s.length] : null;
            float[] d = scheme != null ? new float[s.length] : null;
            l[0] = Float.NaN;
            g[0] = Float.NaN;
            if (d != null) {
                d[0] = Float.NaN;
            }
            if (stats) {
                m[0] = Float.NaN;
                vv[0] = Float.NaN;
            }
            for (int j = 1; j < s.length; j++, n++) {
                l[j] = lp[n];
                rk[j] = 1 + higher[n];
                g[j] = greedy[n] ? 0f : Float.NEGATIVE_INFINITY;
                if (d != null) {
                    d[j] = decoding != null ? (float) dlp[n] : g[j];
                }
                if (stats) {
                    m[j] = (float) mu[n];
                    vv[j] = (float) var[n];
                }
            }
            out[r] = new ScoredSequence(s.clone(), l, rk, m, vv, d, g);
        }
        return out;
    }

    /**
     * μ = Σ p ln p and σ² = Σ p (ln p − μ)² of the next-token distribution of each row of {@code
     * logits} [rows, vocab], in float64 and in two passes (mean first, then squared deviations), so
     * σ² keeps its precision where it is small next to μ² (the one-pass E[x²] − μ² in float32 loses
     * it and can even go negative). Written to {@code mu[at..]} and {@code var[at..]}.
     */
    private static void distributionMoments(NDArray logits, double[] mu, double[] var, int at) {
        long rows = logits.getShape().get(0);
        for (long r0 = 0; r0 < rows; r0 += MOMENT_ROWS) {
            long r1 = Math.min(rows, r0 + MOMENT_ROWS);
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray lsm =
                        logits.get(r0 + ":" + r1).toType(DataType.FLOAT64, false).logSoftmax(-1);
                NDArray p = lsm.exp();
                NDArray mean = p.mul(lsm).sum(new int[] {1}, true);
                NDArray second = p.mul(lsm.sub(mean).square()).sum(new int[] {1});
                System.arraycopy(mean.toDoubleArray(), 0, mu, at + (int) r0, (int) (r1 - r0));
                System.arraycopy(second.toDoubleArray(), 0, var, at + (int) r0, (int) (r1 - r0));
            }
        }
    }

    /**
     * Logits of every position of one sequence from one full forward pass: {@code [t][v]} = logits
     * of the token after position t. For diagnostics and tests.
     */
    public float[][] fullLogits(int[] seq) {
        checkTokens(seq, "sequence");
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray logits =
                    model.logits(model.hidden(manager, TokenBatch.rightPadded(List.of(seq)), null));
            return rows(logits.toFloatArray(), seq.length, vocabSize());
        }
    }

    /**
     * {@link #fullLogits(int[])} of several sequences from one padded forward pass (each row masked
     * to its own tokens, as in scoring). The caller bounds the batch: it materializes rows ×
     * longest length × vocabulary floats.
     */
    public List<float[][]> fullLogits(List<int[]> sequences) {
        if (sequences.isEmpty()) {
            return List.of();
        }
        int b = sequences.size();
        int t = 0;
        for (int i = 0; i < b; i++) {
            int[] s = sequences.get(i);
            if (s.length == 0) {
                throw new IllegalArgumentException("sequence " + i + " is empty");
            }
            checkTokens(s, "sequence " + i);
            t = Math.max(t, s.length);
        }
        int v = vocabSize();
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            // one padded batch, each row masked to its own tokens (TokenBatch builds the mask)
            float[] flat =
                    model.logits(model.hidden(manager, TokenBatch.rightPadded(sequences), null))
                            .toFloatArray();
            List<float[][]> out = new ArrayList<>(b);
            for (int r = 0; r < b; r++) {
                int len = sequences.get(r).length;
                float[][] rows = new float[len][];
                for (int j = 0; j < len; j++) {
                    int from = (r * t + j) * v;
                    rows[j] = Arrays.copyOfRange(flat, from, from + v);
                }
                out.add(rows);
            }
            return out;
        }
    }

    @Override
    public boolean givesLogits() {
        return true;
    }

    @Override
    public List<float[]> nextTokenLogits(List<int[]> prefixes) {
        if (prefixes.isEmpty()) {
            return List.of();
        }
        int b = prefixes.size();
        int t = 0;
        for (int i = 0; i < b; i++) {
            int[] s = prefixes.get(i);
            if (s.length == 0) {
                throw new IllegalArgumentException("prefix " + i + " is empty");
            }
            checkTokens(s, "prefix " + i);
            t = Math.max(t, s.length);
        }
        int v = vocabSize();
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray logits =
                    model.logits(model.hidden(manager, TokenBatch.rightPadded(prefixes), null));
            List<float[]> out = new ArrayList<>(b);
            for (int r = 0; r < b; r++) {
                out.add(logits.get(r, prefixes.get(r).length - 1).toFloatArray());
            }
            if (out.get(0).length != v) {
                throw new IllegalStateException("logits of " + out.get(0).length + " tokens");
            }
            return out;
        }
    }

    /**
     * Logits of every position of one sequence computed incrementally: the first {@code prefill}
     * tokens in one pass, then one token per step through the KV cache. For diagnostics and tests
     * ({@code [t][v]} as in {@link #fullLogits}).
     */
    public float[][] incrementalLogits(int[] seq, int prefill) {
        checkTokens(seq, "sequence");
        int v = vocabSize();
        float[][] out = new float[seq.length][];
        int first = Math.min(seq.length, Math.max(1, prefill));
        try (KvCache cache = new KvCache(model.config().layers(), seq.length)) {
            int done = 0;
            while (done < seq.length) {
                TokenBatch step =
                        done == 0
                                ? TokenBatch.rightPadded(List.of(Arrays.copyOf(seq, first)))
                                : TokenBatch.nextTokens(
                                        new long[] {seq[done]}, new long[] {done}, new int[1]);
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    NDArray logits = model.logits(model.hidden(manager, step, cache));
                    float[][] r = rows(logits.toFloatArray(), step.length(), v);
                    System.arraycopy(r, 0, out, done, step.length());
                }
                done += step.length();
            }
        }
        return out;
    }

    private static float[][] rows(float[] flat, int t, int v) {
        float[][] out = new float[t][];
        for (int j = 0; j < t; j++) {
            out[j] = Arrays.copyOfRange(flat, j * v, (j + 1) * v);
        }
        return out;
    }

    // ---------------------------------------------------------------- generation

    @Override
    public List<Generation> generate(
            List<int[]> prefixes, long[] rowSeeds, GenerationSettings settings) {
        int b = prefixes.size();
        if (rowSeeds.length != b) {
            throw new IllegalArgumentException(
                    rowSeeds.length + " row seeds for " + b + " prefixes");
        }
        if (b == 0) {
            return List.of();
        }
        int[][] rowsIn = new int[b][];
        int longest = 0;
        for (int r = 0; r < b; r++) {
            int[] p = prefixes.get(r);
            if (p.length == 0) {
                if (bosId() < 0) {
                    throw MemauditException.badInput(
                            "an empty prefix needs bos_token_id or eos_token_id in config.json");
                }
                p = new int[] {bosId()};
            }
            checkTokens(p, "prefix " + r);
            rowsIn[r] = p;
            longest = Math.max(longest, p.length);
        }
        if (longest + settings.maxNewTokens() > maxSequenceLength()) {
            int row = 0;
            while (rowsIn[row].length != longest) {
                row++;
            }
            throw new InputRejectedException(
                    row,
                    "prefix of "
                            + longest
                            + " tokens + "
                            + settings.maxNewTokens()
                            + " new tokens exceeds the model's "
                            + maxSequenceLength()
                            + " positions");
        }
        int maxNew = settings.maxNewTokens();
        int[][] outTokens = new int[b][maxNew];
        float[][] outLp = new float[b][maxNew];
        int[] produced = new int[b];
        boolean[] done = new boolean[b];
        boolean[] eos = new boolean[b];
        DecodingDistribution decoding = DecodingDistribution.of(settings);
        SplittableRandom[] rng = new SplittableRandom[b];
        for (int r = 0; r < b; r++) {
            rng[r] = new SplittableRandom(rowSeeds[r]);
        }
        // positions count each row's own tokens only, whatever its left padding
        long[] nextPos = new long[b];
        for (int r = 0; r < b; r++) {
            nextPos[r] = rowsIn[r].length;
        }
        try (KvCache cache = new KvCache(model.config().layers(), longest + maxNew)) {
            TokenBatch step = TokenBatch.leftPadded(Arrays.asList(rowsIn));
            int[] leftPadding = step.firstKey();
            for (int s = 0; s < maxNew; s++) {
                int[] chosen;
                float[] chosenLp;
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    NDArray h = model.hidden(manager, step, cache);
                    NDArray last = step.length() == 1 ? h.squeeze(1) : h.get(":, -1, :");
                    NDArray logits = model.logits(last);
                    NDArray lsm = logits.logSoftmax(-1);
                    chosen = choose(logits.toFloatArray(), decoding, rng);
                    long[] chosenLong = new long[b];
                    for (int r = 0; r < b; r++) {
                        chosenLong[r] = chosen[r];
                    }
                    chosenLp =
                            lsm.gather(manager.create(chosenLong, new Shape(b, 1)), 1)
                                    .toFloatArray();
                }
                boolean all = true;
                for (int r = 0; r < b; r++) {
                    if (!done[r]) {
                        outTokens[r][produced[r]] = chosen[r];
                        outLp[r][produced[r]] = chosenLp[r];
                        produced[r]++;
                        if (settings.stopAtEos() && chosen[r] == eosId()) {
                            done[r] = true;
                            eos[r] = true;
                        }
                    }
                    all &= done[r];
                }
                if (all || s == maxNew - 1) {
                    break;
                }
                long[] nextIds = new long[b];
                long[] positions = new long[b];
                for (int r = 0; r < b; r++) {
                    nextIds[r] = chosen[r];
                    positions[r] = nextPos[r]++;
                }
                step = TokenBatch.nextTokens(nextIds, positions, leftPadding);
            }
        }
        List<Generation> out = new ArrayList<>(b);
        for (int r = 0; r < b; r++) {
            out.add(
                    new Generation(
                            prefixes.get(r).clone(),
                            Arrays.copyOf(outTokens[r], produced[r]),
                            Arrays.copyOf(outLp[r], produced[r]),
                            eos[r]));
        }
        return out;
    }

    /**
     * The next token of every row from its logits {@code [rows × vocab]}: the scheme's {@link
     * DecodingDistribution} (the one p_z is computed from), sampled in Java from the row's own
     * random stream, so rows depend neither on each other nor on the engine's global generator.
     * Greedy consumes no random numbers; sampling consumes one per row and step.
     */
    private int[] choose(float[] logits, DecodingDistribution decoding, SplittableRandom[] rng) {
        int v = vocabSize();
        int[] out = new int[rng.length];
        for (int r = 0; r < rng.length; r++) {
            out[r] =
                    decoding.isGreedy()
                            ? DecodingDistribution.greedyToken(logits, r * v, v)
                            : decoding.at(logits, r * v, v).sample(rng[r].nextDouble());
        }
        return out;
    }

    @Override
    public void close() {
        if (tokenizer != null) {
            tokenizer.close();
        }
        manager.close();
        keepAlive.clear();
    }
}
