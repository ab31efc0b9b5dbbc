package dev.memaudit.model.influence;

import dev.memaudit.core.error.MemauditException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Approximate influence of works on behaviours for a model that cannot be retrained, on token ids
 * (tokenizing and files are the caller's). Two methods:
 *
 * <ul>
 *   <li><b>unlearn</b>: from the checkpoint, {@code steps} plain gradient steps of rate {@code
 *       learningRate} (gradient clipped to norm {@code clipNorm}) on the objective {@code mean_W
 *       log p − retainWeight · mean_R log p} (means per token over the work's chunks W and the
 *       retain chunks R): gradient ascent on the work's loss, descent on the retain text's, which
 *       keeps the model from collapsing. Then every behaviour is scored again; {@code delta[b] =
 *       log p_original(b) − log p_unlearned(b)} (nats; positive = the work made b more likely, as
 *       far as forgetting it undoes that). The checkpoint's weights are restored before the next
 *       work.
 *   <li><b>gradient</b>: at the checkpoint, g_b = ∇θ log p(b) for each behaviour and G_W = Σ_c ∇θ
 *       log p(c) over the work's chunks c, each projected by one seeded {@link GradientSketch} P to
 *       {@code projectionDim} numbers; {@code delta[b] = ⟨P g_b, P G_W⟩} (= Σ_c ⟨P g_b, P g_c⟩: the
 *       projection is linear, so the chunks' gradients are summed by autograd before one
 *       projection). This is TracIn's single-checkpoint score without the learning rate: the
 *       derivative, at η = 0, of log p(b) after one gradient step of rate η that raises the
 *       log-likelihood of W's chunks. Units: nats per unit of learning rate (multiply by a step
 *       size to get nats); its sign follows {@code log p_with − log p_without}. It is a first-order
 *       estimate, not a log-probability difference.
 * </ul>
 */
public final class ApproxInfluence {
    /** The methods, by their influence.jsonl name. */
    public enum Method {
        UNLEARN("unlearn"),
        GRADIENT("gradient");

        private final String id;

        Method(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        /** The method named {@code id}, or null. */
        public static Method of(String id) {
            for (Method m : values()) {
                if (m.id.equals(id)) {
                    return m;
                }
            }
            return null;
        }
    }

    /**
     * How to approximate.
     *
     * @param method unlearn or gradient
     * @param steps unlearning steps per work (unlearn), ≥ 1
     * @param learningRate rate of each unlearning step (unlearn), &gt; 0
     * @param retainWeight weight of the retain text's mean log-likelihood (unlearn), ≥ 0
     * @param clipNorm gradient norm each unlearning step is clipped to (0 = no clipping)
     * @param projectionDim sketch size (gradient), ≥ 1
     * @param seed seed of the projection (gradient)
     */
    public record Settings(
            Method method,
            int steps,
            double learningRate,
            double retainWeight,
            double clipNorm,
            int projectionDim,
            long seed) {
        public Settings {
            if (method == null) {
                throw new IllegalArgumentException("no method");
            }
            if (steps < 1) {
                throw new IllegalArgumentException("steps must be ≥ 1, got " + steps);
            }
            if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
                throw new IllegalArgumentException(
                        "learning rate must be a positive number, got " + learningRate);
            }
            if (!(retainWeight >= 0) || !Double.isFinite(retainWeight)) {
                throw new IllegalArgumentException(
                        "retain weight must be ≥ 0, got " + retainWeight);
            }
            if (!(clipNorm >= 0)) {
                throw new IllegalArgumentException("clip norm must be ≥ 0, got " + clipNorm);
            }
            if (projectionDim < 1) {
                throw new IllegalArgumentException(
                        "projection dimension must be ≥ 1, got " + projectionDim);
            }
        }
    }

    /**
     * A work as model tokens.
     *
     * @param chunks token sequences (each ≥ 2 tokens; all tokens after the first are scored)
     */
    public record WorkChunks(String workId, List<int[]> chunks) {
        public int tokens() {
            int n = 0;
            for (int[] c : chunks) {
                n += c.length - 1;
            }
            return n;
        }
    }

    /**
     * What metering one work gave.
     *
     * @param delta per behaviour, in the order given: the method's influence (see the class comment
     *     for units)
     * @param logprobBefore per behaviour, log p at the checkpoint
     * @param logprobAfter per behaviour, log p after unlearning; null for gradient
     * @param forgetNllBefore mean NLL per scored token of the work's chunks at the checkpoint
     *     (nats)
     * @param forgetNllAfter the same after unlearning; null for gradient
     * @param retainNllBefore mean NLL per token of the retain chunks at the checkpoint; null for
     *     gradient or without retain text
     * @param retainNllAfter the same after unlearning; null with {@code retainNllBefore}
     * @param gradientNorms the gradient norm (before clipping) of each unlearning step; empty for
     *     gradient
     * @param seconds wall time spent on this work (its unlearning or gradient, and rescoring)
     */
    public record WorkResult(
            String workId,
            int chunks,
            int tokens,
            double[] delta,
            double[] logprobBefore,
            double[] logprobAfter,
            double forgetNllBefore,
            Double forgetNllAfter,
            Double retainNllBefore,
            Double retainNllAfter,
            List<Double> gradientNorms,
            double seconds) {}

    /**
     * What the run gave.
     *
     * @param logprobOriginal per behaviour, log p at the checkpoint
     * @param behaviourSeconds gradient: time spent on the behaviours' projected gradients (shared
     *     by every work); unlearn: time of scoring them once at the checkpoint
     */
    public record Result(
            double[] logprobOriginal, List<WorkResult> works, double behaviourSeconds) {}

    private ApproxInfluence() {}

    /**
     * Meters each work on each behaviour; {@code onWork} receives each work's result as soon as it
     * is measured. The model is back at the checkpoint's weights when this returns.
     *
     * @param retain retain chunks (unlearn), possibly empty
     */
    public static Result run(
            TrainableModel model,
            Settings s,
            List<TokenizedBehaviour> behaviours,
            List<WorkChunks> works,
            List<int[]> retain,
            PrintStream progress,
            Consumer<WorkResult> onWork) {
        List<int[]> bTokens = behaviours.stream().map(TokenizedBehaviour::tokens).toList();
        int[] bFrom = behaviours.stream().mapToInt(TokenizedBehaviour::scoredFrom).toArray();
        model.restore();
        long t0 = System.nanoTime();
        double[] original = model.logProbs(bTokens, bFrom);
        List<float[]> bSketches = new ArrayList<>();
        GradientSketch sketch = new GradientSketch(s.projectionDim(), s.seed());
        if (s.method() == Method.GRADIENT) {
            for (int i = 0; i < behaviours.size(); i++) {
                model.zeroGradients();
                model.accumulateGradient(List.of(bTokens.get(i)), new int[] {bFrom[i]}, 1.0);
                bSketches.add(sketch.sketch(model));
            }
            model.zeroGradients();
        }
        double behaviourSeconds = (System.nanoTime() - t0) / 1e9;
        progress.printf(
                Locale.ROOT,
                "%d behaviours %s in %.1f s%n",
                behaviours.size(),
                s.method() == Method.GRADIENT ? "scored and projected" : "scored",
                behaviourSeconds);
        List<WorkResult> out = new ArrayList<>();
        for (WorkChunks w : works) {
            long w0 = System.nanoTime();
            int[] wFrom = ones(w.chunks().size());
            double forgetBefore = meanNll(model, w.chunks());
            WorkResult r;
            if (s.method() == Method.GRADIENT) {
                model.zeroGradients();
                model.accumulateGradient(w.chunks(), wFrom, 1.0);
                float[] gw = sketch.sketch(model);
                model.zeroGradients();
                double[] delta = new double[behaviours.size()];
                for (int i = 0; i < delta.length; i++) {
                    delta[i] = GradientSketch.dot(bSketches.get(i), gw);
                }
                r =
                        new WorkResult(
                                w.workId(),
                                w.chunks().size(),
                                w.tokens(),
                                delta,
                                original,
                                null,
                                forgetBefore,
                                null,
                                null,
                                null,
                                List.of(),
                                (System.nanoTime() - w0) / 1e9);
            } else {
                Double retainBefore = retain.isEmpty() ? null : meanNll(model, retain);
                int retainTokens = 0;
                for (int[] c : retain) {
                    retainTokens += c.length - 1;
                }
                List<Double> norms = new ArrayList<>();
                for (int step = 0; step < s.steps(); step++) {
                    // minimize mean_W log p − λ mean_R log p: ascend W's loss, descend R's
                    model.zeroGradients();
                    model.accumulateGradient(w.chunks(), wFrom, 1.0 / w.tokens());
                    if (!retain.isEmpty() && s.retainWeight() > 0) {
                        model.accumulateGradient(
                                retain, ones(retain.size()), -s.retainWeight() / retainTokens);
                    }
                    norms.add(model.step(s.learningRate(), s.clipNorm()));
                }
                double forgetAfter = meanNll(model, w.chunks());
                Double retainAfter = retain.isEmpty() ? null : meanNll(model, retain);
                double[] after = model.logProbs(bTokens, bFrom);
                double[] delta = new double[after.length];
                for (int i = 0; i < delta.length; i++) {
                    delta[i] = original[i] - after[i];
                }
                model.restore();
                checkFinite(w.workId(), s, norms, forgetAfter, delta);
                r =
                        new WorkResult(
                                w.workId(),
                                w.chunks().size(),
                                w.tokens(),
                                delta,
                                original,
                                after,
                                forgetBefore,
                                forgetAfter,
                                retainBefore,
                                retainAfter,
                                List.copyOf(norms),
                                (System.nanoTime() - w0) / 1e9);
            }
            progress.printf(
                    Locale.ROOT,
                    "%s: %d chunks, %d tokens, %.1f s%s%n",
                    w.workId(),
                    r.chunks(),
                    r.tokens(),
                    r.seconds(),
                    r.forgetNllAfter() == null
                            ? ""
                            : String.format(
                                    Locale.ROOT,
                                    "; work NLL %.3f → %.3f nats/token%s",
                                    r.forgetNllBefore(),
                                    r.forgetNllAfter(),
                                    r.retainNllBefore() == null
                                            ? ""
                                            : String.format(
                                                    Locale.ROOT,
                                                    ", retain %.3f → %.3f",
                                                    r.retainNllBefore(),
                                                    r.retainNllAfter())));
            out.add(r);
            onWork.accept(r);
        }
        return new Result(original, out, behaviourSeconds);
    }

    /**
     * Unlearning that diverged (a gradient norm, the work's NLL or a behaviour's log p not finite)
     * measured nothing: it stops the run rather than be written as an influence.
     */
    private static void checkFinite(
            String workId, Settings s, List<Double> norms, double forgetAfter, double[] delta) {
        boolean finite = Double.isFinite(forgetAfter);
        for (double n : norms) {
            finite &= Double.isFinite(n);
        }
        for (double d : delta) {
            finite &= Double.isFinite(d);
        }
        if (!finite) {
            throw MemauditException.usage(
                    String.format(
                            Locale.ROOT,
                            "unlearning work %s diverged (gradient norms %s, work NLL after %s):"
                                    + " nothing was recorded for it; lower --learning-rate (%s)"
                                    + " or set --clip-norm (%s) and run again",
                            workId,
                            norms,
                            forgetAfter,
                            s.learningRate(),
                            s.clipNorm()));
        }
    }

    /** Mean negative log-likelihood per scored token of chunks (each scored from its 2nd token). */
    static double meanNll(TrainableModel model, List<int[]> chunks) {
        double[] lp = model.logProbs(chunks, ones(chunks.size()));
        double sum = 0;
        long tokens = 0;
        for (int i = 0; i < lp.length; i++) {
            sum += lp[i];
            tokens += chunks.get(i).length - 1;
        }
        return -sum / tokens;
    }

    private static int[] ones(int n) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, 1);
        return a;
    }
}
