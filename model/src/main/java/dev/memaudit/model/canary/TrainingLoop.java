package dev.memaudit.model.canary;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.model.runtime.Architecture;
import dev.memaudit.model.runtime.ModelConfig;
import dev.memaudit.model.runtime.TokenBatch;
import dev.memaudit.model.runtime.Transformer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The optimizer loop of a canary model: owns the parameters (in one {@link NDManager}), the
 * optimizer state and the learning-rate schedule, and runs one optimizer step per {@link
 * #step(List)}.
 *
 * <p>Memory: everything a step creates is closed before it returns, so the arrays alive in the
 * manager ({@link #liveArrays()}) are the parameters and nothing else after every step, and the
 * process's memory stays flat over any number of steps. (Until this class, the trainer reset
 * gradients with {@code NDArray.set(index, 0f)}: DJL's PyTorch indexer wraps the scalar in a new
 * array attached to the gradient's manager — the trainer's long-lived one — and never closes it,
 * one array per parameter and step. That is what made a 5,000-step run grow to 24 GB.)
 *
 * <p>A step: the {@code batchSize} windows go through forward and backward in micro-batches of
 * {@code microBatch} windows, PyTorch accumulating their gradients; loss = mean next-token
 * cross-entropy over all tokens of the step (each micro-batch's mean weighted by its share of the
 * windows). Then the global gradient norm is computed; a non-finite loss or norm skips the update
 * (the gradients are reset, the skip is counted and printed by the caller); otherwise gradients are
 * scaled down to norm {@code clipNorm} when larger, and Adam updates every parameter, with
 * decoupled (AdamW) weight decay {@code weightDecay} on the weight matrices (embeddings and
 * projections; not norm weights or biases). Learning rate: linear warm-up to the peak over {@code
 * warmupSteps}, then cosine decay to {@code minLearningRateFraction} of the peak at the last step;
 * computed from the step index, so a skipped step does not shift the schedule.
 *
 * <p>Non-finite steps: everything runs in float32; the loss is {@code logSoftmax} (no log of a
 * probability that underflowed to 0); softmax and log-softmax subtract the row maximum; the
 * attention mask adds a finite −1e9 and training rows are never fully masked (all windows are full
 * length). Earlier trainers reported rare steps with an infinite gradient norm and a finite loss.
 * One mechanism with exactly that symptom is fixed here: the norm was the square root of float32
 * sums of squares, which overflow to +∞ for a finite gradient (any |g| above ≈ 1.8e19); such a norm
 * is now recomputed scaled, in double, and only a gradient that really holds inf or NaN skips the
 * update, naming the parameters.
 */
public final class TrainingLoop implements AutoCloseable {
    /** Selects a whole array, for resetting gradients in place. */
    private static final NDIndex ALL = new NDIndex(":");

    /** Skipped updates after which the run is declared diverged. */
    static final int MAX_SKIPPED = 10;

    private final CanaryConfig cfg;
    private final ModelConfig mc;
    private final NDManager manager;
    private final Map<String, NDArray> params;
    private final Transformer model;
    private final Optimizer decayed;
    private final Optimizer undecayed;
    private final int totalSteps;
    private final int warmup;
    private final int microBatch;
    private float learningRate;
    private int stepIndex;
    private int skipped;

    /**
     * What one step did.
     *
     * @param step 1-based index of the step
     * @param loss mean next-token cross-entropy of the step's tokens before the update, nats/token
     * @param gradientNorm global L2 norm of the gradient before clipping
     * @param learningRate the step's learning rate
     * @param skipped whether the update was skipped (non-finite loss or gradient)
     * @param nonFiniteGradients parameters whose gradient held inf or NaN (empty unless skipped)
     */
    public record Step(
            int step,
            double loss,
            double gradientNorm,
            double learningRate,
            boolean skipped,
            List<String> nonFiniteGradients) {}

    /**
     * A model of shape {@code mc}, initialized from {@code rng} (see {@link
     * CanaryTrainer#initParameters}), to be trained for {@code totalSteps} steps with the optimizer
     * settings of {@code cfg}.
     */
    public TrainingLoop(CanaryConfig cfg, ModelConfig mc, int totalSteps, SplittableRandom rng) {
        if (totalSteps < 1) {
            throw new IllegalArgumentException("total steps must be ≥ 1, got " + totalSteps);
        }
        this.cfg = cfg;
        this.mc = mc;
        this.totalSteps = totalSteps;
        this.warmup = cfg.warmupStepsFor(totalSteps);
        this.microBatch = cfg.microBatchSize();
        NDManager m = NDManager.newBaseManager();
        try {
            String prefix = mc.arch() == Architecture.GPT2 ? "transformer." : "";
            params = CanaryTrainer.initParameters(mc, prefix, m, rng);
            for (NDArray p : params.values()) {
                p.setRequiresGradient(true);
            }
            model = new Transformer(mc, params, "canary model");
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
        manager = m;
        Tracker lr = update -> learningRate;
        decayed =
                Optimizer.adamW()
                        .optLearningRateTracker(lr)
                        .optWeightDecays((float) cfg.weightDecay())
                        .build();
        undecayed = Optimizer.adamW().optLearningRateTracker(lr).optWeightDecays(0f).build();
    }

    /** The model over the trained parameters (valid until {@link #close()}). */
    public Transformer model() {
        return model;
    }

    /** The parameters by checkpoint name. */
    public Map<String, NDArray> parameters() {
        return params;
    }

    /** The manager that holds the parameters. */
    public NDManager manager() {
        return manager;
    }

    public ModelConfig modelConfig() {
        return mc;
    }

    /** Steps run so far. */
    public int steps() {
        return stepIndex;
    }

    /** Updates skipped so far because of a non-finite loss or gradient. */
    public int skippedUpdates() {
        return skipped;
    }

    /**
     * Arrays alive in the loop's manager: the parameters only, between steps (the optimizer's state
     * is held apart, one mean and one variance per parameter, created at the first update).
     */
    public int liveArrays() {
        return manager.getManagedArrays().size();
    }

    /** The learning rate of step {@code s} (0-based) of {@code totalSteps}. */
    static double learningRate(CanaryConfig cfg, int s, int totalSteps, int warmup) {
        double peak = cfg.learningRate();
        if (s < warmup) {
            return peak * (s + 1) / warmup;
        }
        double share = (double) (s - warmup) / Math.max(1, totalSteps - warmup);
        double cosine = 0.5 * (1 + Math.cos(Math.PI * Math.min(1, share)));
        double floor = cfg.minLearningRateFraction();
        return peak * (floor + (1 - floor) * cosine);
    }

    /**
     * One optimizer step over {@code windows}: {@code batchSize} windows of {@code contextLength +
     * 1} token ids each (inputs are the first {@code contextLength}, targets the last).
     *
     * @throws MemauditException (bad input) when more than {@value #MAX_SKIPPED} updates were
     *     skipped: the run has diverged
     */
    public Step step(List<int[]> windows) {
        int len = cfg.contextLength();
        if (windows.size() != cfg.batchSize()) {
            throw new IllegalArgumentException(
                    "a step takes " + cfg.batchSize() + " windows, got " + windows.size());
        }
        learningRate = (float) learningRate(cfg, stepIndex, totalSteps, warmup);
        stepIndex++;
        releaseDirectBuffers();
        double loss = 0;
        for (int from = 0; from < windows.size(); from += microBatch) {
            List<int[]> part = windows.subList(from, Math.min(windows.size(), from + microBatch));
            loss += forwardBackward(part, len) * part.size() / windows.size();
        }
        List<NDArray> grads = new ArrayList<>(params.size());
        try {
            // gradients outside any scope: they are closed below, and the optimizer's state
            // (created at its first update) must not be registered in a scope that closes it
            for (NDArray p : params.values()) {
                grads.add(p.getGradient());
            }
            double sumSquares = 0;
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                for (NDArray g : grads) {
                    sumSquares += g.square().sum().getFloat();
                }
            }
            List<String> nonFinite = List.of();
            if (!Double.isFinite(sumSquares)) {
                // a float32 sum of squares overflows from |g| ≈ 1.8e19 on: tell a huge but
                // finite gradient (clipped like any other) from one holding inf or NaN
                nonFinite = new ArrayList<>();
                sumSquares = 0;
                int gi = 0;
                for (Map.Entry<String, NDArray> e : params.entrySet()) {
                    double ss = scaledSumOfSquares(grads.get(gi++));
                    if (Double.isFinite(ss)) {
                        sumSquares += ss;
                    } else {
                        nonFinite.add(e.getKey());
                    }
                }
            }
            double norm = Math.sqrt(sumSquares);
            if (!nonFinite.isEmpty() || !Double.isFinite(norm) || !Double.isFinite(loss)) {
                for (NDArray g : grads) {
                    zero(g);
                }
                skipped++;
                if (skipped > MAX_SKIPPED) {
                    throw MemauditException.badInput(
                            "canary training diverged: "
                                    + skipped
                                    + " steps with non-finite gradients; lower the learning"
                                    + " rate");
                }
                return new Step(
                        stepIndex,
                        loss,
                        nonFinite.isEmpty() ? norm : Double.NaN,
                        learningRate,
                        true,
                        List.copyOf(nonFinite));
            }
            double clip = cfg.clipNorm();
            float scale = clip > 0 && norm > clip ? (float) (clip / norm) : 1f;
            int gi = 0;
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                NDArray g = grads.get(gi++);
                if (scale < 1f) {
                    g.muli(scale);
                }
                // the update also resets the gradient to zero (DJL's PyTorch Adam does it)
                Optimizer o = decays(e.getKey(), e.getValue()) ? decayed : undecayed;
                o.update(e.getKey(), e.getValue(), g);
            }
            return new Step(stepIndex, loss, norm, learningRate, false, List.of());
        } finally {
            for (NDArray g : grads) {
                g.close();
            }
        }
    }

    /**
     * Growth of the JVM's direct buffers since the last collection above which a step first asks
     * for one. Every array made from Java data (token ids, targets, masks) copies it through a
     * direct buffer that only a collection returns, and training allocates so little heap that
     * collections are rare: in a 6,182-step ladder run (2 layers, batch 4) the JVM's "Other" memory
     * (direct buffers) grew 192 MB in 90 s and resident memory by 0.25-0.4 MB a step, up to a peak
     * of 6.6 GB, and the JVM bounds direct memory only by the heap's maximum (half the machine
     * under the launcher). With this check resident memory stayed within 5 MB from step 927 to
     * 2,163. Growth, not the total, so that buffers still alive (a larger model's) never make every
     * step collect; buffers a collection leaves for the cleaner thread raise the next threshold by
     * at most their size. A collection with a few MB of live heap takes tens of milliseconds.
     */
    static final long DIRECT_BUFFER_GROWTH = 256L << 20;

    private static final java.lang.management.BufferPoolMXBean DIRECT =
            java.lang.management.ManagementFactory.getPlatformMXBeans(
                            java.lang.management.BufferPoolMXBean.class)
                    .stream()
                    .filter(b -> b.getName().equals("direct"))
                    .findFirst()
                    .orElse(null);

    private long directAfterCollection = -1; // the pool's size after the last collection

    private void releaseDirectBuffers() {
        if (DIRECT == null) {
            return;
        }
        long used = DIRECT.getMemoryUsed();
        if (directAfterCollection < 0 || used < directAfterCollection) {
            directAfterCollection = used; // the first step, or the cleaner returned buffers since
        } else if (used - directAfterCollection > DIRECT_BUFFER_GROWTH) {
            System.gc();
            directAfterCollection = DIRECT.getMemoryUsed();
        }
    }

    /** Forward and backward of some windows; returns their mean loss (nats per token). */
    private double forwardBackward(List<int[]> part, int len) {
        int b = part.size();
        List<int[]> inputs = new ArrayList<>(b);
        long[] targets = new long[b * len];
        for (int r = 0; r < b; r++) {
            int[] w = part.get(r);
            if (w.length != len + 1) {
                throw new IllegalArgumentException(
                        "a window holds " + (len + 1) + " tokens, got " + w.length);
            }
            inputs.add(Arrays.copyOf(w, len));
            for (int j = 0; j < len; j++) {
                targets[r * len + j] = w[j + 1];
            }
        }
        TokenBatch batch = TokenBatch.rightPadded(inputs);
        float share = (float) b / cfg.batchSize();
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray tgt = manager.create(targets, new Shape(b, len, 1));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray h = model.hidden(manager, batch, null);
                NDArray nll = model.logits(h).logSoftmax(-1).gather(tgt, 2).mean().neg();
                // the gradient of the step's mean loss: each micro-batch weighted by its share
                gc.backward(share == 1f ? nll : nll.mul(share));
                return nll.getFloat();
            }
        }
    }

    /** Σ g² computed as max|g|² · Σ (g / max|g|)², in double: inf or NaN only if g holds them. */
    private static double scaledSumOfSquares(NDArray g) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            double max = g.abs().max().getFloat();
            if (!Double.isFinite(max)) {
                return Double.NaN;
            }
            if (max == 0) {
                return 0;
            }
            double ss = g.div((float) max).square().sum().getFloat();
            return ss * max * max;
        }
    }

    /** Weight decay applies to weight matrices (2-D), not to norm weights or biases. */
    private static boolean decays(String name, NDArray p) {
        return p.getShape().dimension() >= 2;
    }

    /**
     * Sets a gradient to zero in place. A fill, not {@code g - g}: NaN − NaN is NaN, and a NaN
     * gradient left behind would poison every later step. The zero is an array closed here: {@code
     * set(index, 0f)} would leave one array per call attached to the gradient's manager.
     */
    public static void zero(NDArray gradient) {
        try (NDArray zero = gradient.getManager().create(0f)) {
            gradient.set(ALL, zero);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
