package dev.memaudit.model.influence;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.model.canary.TrainingLoop;
import dev.memaudit.model.runtime.ModelConfig;
import dev.memaudit.model.runtime.TokenBatch;
import dev.memaudit.model.runtime.Transformer;
import dev.memaudit.model.runtime.WeightLoader;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face model folder loaded as float32 parameters with gradients: log-probabilities of
 * token sequences, their gradients with respect to every parameter, plain gradient steps, and
 * restoring the checkpoint's weights. What approximate influence ({@link ApproxInfluence}) runs on.
 *
 * <p>Memory: the checkpoint's tensors stay as {@link WeightLoader} maps them (read, never written);
 * the parameters are float32 copies of them, so a model costs about twice its float32 size plus one
 * gradient per parameter. Every forward and backward runs in an {@link NDScope}; a step builds the
 * updated parameters as new arrays and closes the old ones with their gradients (no in-place update
 * of a leaf that requires a gradient, and no {@code NDArray.set} on a long-lived array).
 *
 * <p>Conventions: log-probabilities are natural logs; {@code tokens[j]} for {@code j ≥ scoredFrom}
 * is scored given the tokens before it; a sequence's log-probability is the sum over its scored
 * tokens. Not thread-safe (autograd state is per process).
 */
public final class TrainableModel implements AutoCloseable {
    /** Rows of one forward pass when scoring or accumulating gradients. */
    private static final int ROWS = 4;

    private final ModelConfig config;
    private final String source;
    private final NDManager checkpoint;
    private final Map<String, NDArray> original;
    private final List<ByteBuffer> keepAlive;
    private NDManager live;
    private Map<String, NDArray> params;
    private Transformer model;
    private boolean gradients;

    private TrainableModel(
            ModelConfig config,
            String source,
            NDManager checkpoint,
            Map<String, NDArray> original,
            List<ByteBuffer> keepAlive) {
        this.config = config;
        this.source = source;
        this.checkpoint = checkpoint;
        this.original = original;
        this.keepAlive = keepAlive;
        // checks names and shapes once, with the checkpoint's message on a mismatch
        new Transformer(config, original, source);
        restore();
    }

    /**
     * Loads {@code dir/config.json} and its safetensors weights (no tokenizer).
     *
     * @throws MemauditException bad input for a missing folder or file, an unsupported architecture
     *     or mis-shaped weights; integrity for a corrupt safetensors file
     */
    public static TrainableModel load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw MemauditException.badInput(dir + ": model folder not found");
        }
        ModelConfig config = ModelConfig.read(dir.resolve("config.json"));
        List<Path> files = WeightLoader.weightFiles(dir);
        NDManager manager = NDManager.newBaseManager();
        try {
            List<ByteBuffer> keepAlive = new ArrayList<>();
            Map<String, NDArray> tensors = WeightLoader.load(files, manager, keepAlive);
            return new TrainableModel(config, dir.toString(), manager, tensors, keepAlive);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public ModelConfig config() {
        return config;
    }

    /** Parameters (elements) that get gradients. */
    public long parameterCount() {
        long n = 0;
        for (NDArray p : params.values()) {
            n += p.size();
        }
        return n;
    }

    /** The current parameters by checkpoint name (valid until the next step or restore). */
    public Map<String, NDArray> parameters() {
        return params;
    }

    /** Replaces the parameters by fresh copies of the checkpoint's weights, without gradients. */
    public void restore() {
        NDManager next = NDManager.newBaseManager();
        Map<String, NDArray> copies = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, NDArray> e : original.entrySet()) {
                NDArray copy = e.getValue().duplicate();
                copy.attach(next);
                copies.put(e.getKey(), copy);
            }
        } catch (RuntimeException e) {
            next.close();
            throw e;
        }
        install(next, copies);
    }

    private void install(NDManager next, Map<String, NDArray> copies) {
        for (NDArray p : copies.values()) {
            p.setRequiresGradient(true);
        }
        Transformer t = new Transformer(config, copies, source);
        NDManager old = live;
        live = next;
        params = copies;
        model = t;
        gradients = false;
        if (old != null) {
            old.close();
        }
    }

    /**
     * Log-probability of each sequence (sum over its scored tokens), without gradients.
     *
     * @param scoredFrom per sequence, the index of its first scored token (≥ 1)
     */
    public double[] logProbs(List<int[]> sequences, int[] scoredFrom) {
        check(sequences, scoredFrom);
        double[] out = new double[sequences.size()];
        for (int from = 0; from < sequences.size(); from += ROWS) {
            int to = Math.min(sequences.size(), from + ROWS);
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray lp = rowLogProbs(sequences.subList(from, to), scoredFrom, from);
                float[] v = lp.toFloatArray();
                for (int i = 0; i < v.length; i++) {
                    out[from + i] = v[i];
                }
            }
        }
        return out;
    }

    /**
     * Adds {@code scale × ∇ Σ_s log p(s)} to the parameters' gradients (PyTorch accumulates over
     * calls until {@link #zeroGradients()} or a step) and returns {@code Σ_s log p(s)}.
     */
    public double accumulateGradient(List<int[]> sequences, int[] scoredFrom, double scale) {
        check(sequences, scoredFrom);
        double total = 0;
        for (int from = 0; from < sequences.size(); from += ROWS) {
            int to = Math.min(sequences.size(), from + ROWS);
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray sum = rowLogProbs(sequences.subList(from, to), scoredFrom, from).sum();
                    gc.backward(sum.mul((float) scale));
                    total += sum.getFloat();
                }
            }
        }
        gradients = true;
        return total;
    }

    /** Sets every gradient to zero. */
    public void zeroGradients() {
        if (!gradients) {
            return;
        }
        for (NDArray p : params.values()) {
            try (NDArray g = p.getGradient()) {
                TrainingLoop.zero(g);
            }
        }
    }

    /** Global L2 norm of the accumulated gradient (0 before any). */
    public double gradientNorm() {
        if (!gradients) {
            return 0;
        }
        double ss = 0;
        for (NDArray p : params.values()) {
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray g = p.getGradient();
                ss += g.square().sum().getFloat();
            }
        }
        return Math.sqrt(ss);
    }

    /**
     * One plain gradient-descent step on the accumulated gradient g: {@code θ ← θ − rate · c · g},
     * {@code c = min(1, clipNorm / ‖g‖)} (no clipping when {@code clipNorm ≤ 0}). The new
     * parameters start without gradients.
     *
     * @return ‖g‖ before clipping
     */
    public double step(double rate, double clipNorm) {
        double norm = gradientNorm();
        double c = clipNorm > 0 && norm > clipNorm ? clipNorm / norm : 1;
        float factor = (float) (rate * c);
        boolean step = gradients;
        replaceParameters((name, p) -> step ? p.sub(p.getGradient().mul(factor)) : p.duplicate());
        return norm;
    }

    /**
     * Moves the parameters along a direction: {@code θ ← θ + scale · direction} for every named
     * parameter (others unchanged). The new parameters start without gradients.
     */
    public void shift(Map<String, float[]> direction, double scale) {
        replaceParameters(
                (name, p) -> {
                    float[] d = direction.get(name);
                    return d == null
                            ? p.duplicate()
                            : p.add(p.getManager().create(d, p.getShape()).mul((float) scale));
                });
    }

    /**
     * Installs {@code update(name, θ)} of every parameter as the new parameters (detached, so they
     * are fresh leaves without gradients), computed in a scope that frees what the update creates;
     * the old parameters and their gradients are closed.
     */
    private void replaceParameters(java.util.function.BiFunction<String, NDArray, NDArray> update) {
        NDManager next = NDManager.newBaseManager();
        Map<String, NDArray> updated = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    NDArray kept = update.apply(e.getKey(), e.getValue()).stopGradient();
                    NDScope.unregister(kept);
                    kept.attach(next);
                    updated.put(e.getKey(), kept);
                }
            }
        } catch (RuntimeException e) {
            next.close();
            throw e;
        }
        install(next, updated);
    }

    /**
     * The accumulated gradients copied to Java arrays, by parameter name (zeros before any). For
     * small models (tests, checks): it holds a second copy of every parameter on the heap.
     */
    public Map<String, float[]> gradientArrays() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            if (!gradients) {
                out.put(e.getKey(), new float[Math.toIntExact(e.getValue().size())]);
                continue;
            }
            try (NDArray g = e.getValue().getGradient()) {
                out.put(e.getKey(), g.toFloatArray());
            }
        }
        return out;
    }

    /**
     * Reads each parameter's accumulated gradient as a float buffer (a view valid during the call),
     * in parameter order. Throws when no gradient was accumulated.
     */
    void forEachGradient(GradientVisitor visitor) {
        if (!gradients) {
            throw new IllegalStateException("no gradient accumulated");
        }
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            try (NDArray g = e.getValue().getGradient()) {
                ByteBuffer bb = g.toByteBuffer(true);
                visitor.visit(
                        e.getKey(), bb.order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer());
            }
        }
    }

    /** Receives one parameter's gradient. */
    @FunctionalInterface
    interface GradientVisitor {
        void visit(String name, FloatBuffer gradient);
    }

    /**
     * Log p of each row, [rows]: one right-padded forward, log-softmax, the next token's
     * log-probability at every position, masked to the scored ones and summed.
     */
    private NDArray rowLogProbs(List<int[]> rows, int[] scoredFrom, int offset) {
        NDManager m = live;
        int b = rows.size();
        List<int[]> inputs = new ArrayList<>(b);
        int len = 0;
        for (int[] s : rows) {
            len = Math.max(len, s.length - 1);
        }
        long[] targets = new long[b * len];
        float[] mask = new float[b * len];
        for (int r = 0; r < b; r++) {
            int[] s = rows.get(r);
            inputs.add(java.util.Arrays.copyOf(s, s.length - 1));
            for (int j = 0; j + 1 < s.length; j++) {
                targets[r * len + j] = s[j + 1];
                mask[r * len + j] = j + 1 >= scoredFrom[offset + r] ? 1f : 0f;
            }
        }
        TokenBatch batch = TokenBatch.rightPadded(inputs);
        NDArray h = model.hidden(m, batch, null);
        NDArray lp =
                model.logits(h)
                        .logSoftmax(-1)
                        .gather(m.create(targets, new Shape(b, len, 1)), 2)
                        .reshape(b, len);
        return lp.mul(m.create(mask, new Shape(b, len))).sum(new int[] {1});
    }

    private void check(List<int[]> sequences, int[] scoredFrom) {
        if (scoredFrom.length != sequences.size()) {
            throw new IllegalArgumentException(
                    sequences.size() + " sequences but " + scoredFrom.length + " scoredFrom");
        }
        for (int i = 0; i < sequences.size(); i++) {
            int[] s = sequences.get(i);
            if (s.length < 2 || scoredFrom[i] < 1 || scoredFrom[i] >= s.length) {
                throw new IllegalArgumentException(
                        "sequence "
                                + i
                                + " of "
                                + s.length
                                + " tokens, scored from "
                                + scoredFrom[i]);
            }
            if (s.length > config.maxPositions()) {
                throw new IllegalArgumentException(
                        "sequence "
                                + i
                                + " has "
                                + s.length
                                + " tokens; the model's context is "
                                + config.maxPositions());
            }
        }
    }

    @Override
    public void close() {
        if (live != null) {
            live.close();
        }
        checkpoint.close();
        keepAlive.clear();
    }
}
