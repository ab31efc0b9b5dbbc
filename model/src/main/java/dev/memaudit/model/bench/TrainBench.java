package dev.memaudit.model.bench;

import ai.djl.ndarray.NDArray;
import dev.memaudit.model.canary.CanaryConfig;
import dev.memaudit.model.canary.CanaryTrainer;
import dev.memaudit.model.canary.TrainingLoop;
import dev.memaudit.model.runtime.Architecture;
import dev.memaudit.model.runtime.ModelConfig;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Runs the canary trainer's own optimizer loop ({@link TrainingLoop}) on random tokens and
 * measures, in one process: resident memory at two steps of the run (the trainer must not grow with
 * the number of steps), training throughput, and the fp32 matmul peak it is compared with.
 *
 * <p>Memory readings, at the end of step {@code checkStep} and of the last step: VmRSS from {@code
 * /proc/self/status} first as the run left it (only the training loop's own collections have run,
 * as in a real training run), then after a {@code System.gc()} (direct buffers behind freed arrays
 * are returned only when the collector runs, so the collected reading does not depend on when the
 * last collection happened) with the JVM heap used and committed and the arrays alive in the
 * trainer's manager. The uncollected pair is what showed direct buffers piling up in real runs,
 * which the collected pair hid.
 *
 * <p>Useful FLOPs per trained token: 6 × the parameters of the matmuls (every weight matrix except
 * the embedding table, plus the LM head; forward 2, backward 4 FLOPs per parameter), plus causal
 * attention, 6 × layers × width × context (forward QKᵀ and PV at 2 FLOPs per multiply-add over the
 * context/2 keys a query sees on average, backward twice that). Norms, softmax, activations, the
 * optimizer and the masked half of the attention matmuls are not counted, so the share of the
 * matmul peak is a true efficiency. Throughput is timed over the steps after {@code checkStep} (the
 * garbage collections of the readings excluded).
 */
public final class TrainBench {
    private TrainBench() {}

    /**
     * What to run.
     *
     * @param layers transformer blocks
     * @param hidden width
     * @param heads attention heads
     * @param intermediate MLP inner width
     * @param vocab vocabulary
     * @param context tokens per window
     * @param batch windows per optimizer step
     * @param microBatch windows per forward/backward pass (0 = the whole batch)
     * @param steps optimizer steps
     * @param checkStep the step of the first memory reading (the second is at {@code steps})
     */
    public record Settings(
            int layers,
            int hidden,
            int heads,
            int intermediate,
            int vocab,
            int context,
            int batch,
            int microBatch,
            int steps,
            int checkStep) {

        public Settings {
            if (checkStep < 1 || steps <= checkStep) {
                throw new IllegalArgumentException(
                        "need 1 ≤ check step < steps, got " + checkStep + " and " + steps);
            }
        }

        /**
         * The sample audit's canary shape (a 2-layer llama of width 256, 2,048 ids, 4 × 128 tokens
         * a step), 2,000 steps, first reading at step 100: a few minutes on 2 cores.
         */
        public static Settings defaults() {
            return new Settings(2, 256, 4, 688, 2048, 128, 4, 0, 2000, 100);
        }

        /** A smoke run: a tiny model, 30 steps. */
        public static Settings tiny() {
            return new Settings(1, 32, 2, 64, 300, 16, 2, 0, 30, 10);
        }
    }

    /**
     * One memory reading.
     *
     * @param step steps done
     * @param rssUncollectedBytes resident set size before the reading's collection, as the run left
     *     it (the training loop's own collections only), or -1 when unknown
     * @param rssBytes resident set size after the collection, or -1 when unknown
     * @param heapUsedBytes JVM heap in use after the collection
     * @param heapCommittedBytes JVM heap committed
     * @param liveArrays arrays alive in the trainer's manager
     */
    public record Reading(
            int step,
            long rssUncollectedBytes,
            long rssBytes,
            long heapUsedBytes,
            long heapCommittedBytes,
            int liveArrays) {}

    /**
     * Results.
     *
     * @param first reading at the check step
     * @param last reading at the last step
     * @param tokensPerSecond trained tokens per second after the check step
     * @param usefulGflops useful GFLOP/s (see the class comment)
     * @param matmulGflops the best fp32 matmul GFLOP/s of this process (measured before and after
     *     training)
     * @param medianSegmentShare median over stretches of a tenth of the steps of useful GFLOP/s ÷
     *     the better of the matmul probes taken right before and after the stretch
     * @param skippedUpdates updates skipped because of non-finite gradients
     */
    public record Result(
            Reading first,
            Reading last,
            double tokensPerSecond,
            double usefulGflops,
            double matmulGflops,
            double medianSegmentShare,
            int skippedUpdates) {}

    /** Runs the benchmark and prints a report to {@code out}. */
    public static Result run(Settings s, PrintStream out) {
        ModelBench.printEngine(out);
        double peakBefore = ModelBench.matmulPeak(s.hidden(), 1, out);
        CanaryConfig cfg =
                CanaryConfig.builder()
                        .arch(Architecture.LLAMA)
                        .vocabSize(s.vocab())
                        .hidden(s.hidden())
                        .layers(s.layers())
                        .heads(s.heads())
                        .intermediate(s.intermediate())
                        .contextLength(s.context())
                        .batchSize(s.batch())
                        .microBatch(s.microBatch())
                        .steps(s.steps())
                        .build();
        ModelConfig mc = CanaryTrainer.modelConfig(cfg, s.vocab(), s.vocab() - 1);
        SplittableRandom rng = new SplittableRandom(11);
        Reading first = null;
        Reading last = null;
        long timedNanos = 0;
        List<Double> segmentShares = new ArrayList<>();
        int skipped;
        long matmulParams;
        try (TrainingLoop loop = new TrainingLoop(cfg, mc, s.steps(), rng.split())) {
            matmulParams = matmulParameters(mc, loop.parameters());
            out.printf(
                    Locale.ROOT,
                    "model: llama, %d layers, width %d, %d heads, MLP %d, vocab %d, %.2fM"
                            + " parameters (%.2fM in matmuls); %d × %d tokens a step%s, %d steps"
                            + " on random tokens%n",
                    s.layers(),
                    s.hidden(),
                    s.heads(),
                    s.intermediate(),
                    s.vocab(),
                    mc.parameterCount() / 1e6,
                    matmulParams / 1e6,
                    s.batch(),
                    s.context(),
                    cfg.microBatchSize() == s.batch()
                            ? ""
                            : " (micro-batches of " + cfg.microBatchSize() + ")",
                    s.steps());
            int every = Math.max(1, s.steps() / 10);
            double flopsPerToken = flopsPerToken(s, matmulParams);
            PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
            double probe = 0;
            long segmentNanos = 0;
            int segmentStart = s.checkStep();
            for (int step = 1; step <= s.steps(); step++) {
                List<int[]> windows = randomWindows(rng, s);
                long t0 = System.nanoTime();
                TrainingLoop.Step r = loop.step(windows);
                long dt = System.nanoTime() - t0;
                if (step > s.checkStep()) {
                    timedNanos += dt;
                    segmentNanos += dt;
                }
                if (step == s.checkStep()) {
                    // the probe first: its own allocations are then in both readings
                    probe = ModelBench.matmulPeak(s.hidden(), 1, quiet);
                    first = read(step, loop);
                    print(out, first);
                } else if (step == s.steps()) {
                    last = read(step, loop);
                    print(out, last);
                }
                if (step > s.checkStep() && (step % every == 0 || step == s.steps())) {
                    // the machine's load changes during a run: compare each stretch of steps with
                    // matmul probes taken right before and after it (untimed)
                    double next = ModelBench.matmulPeak(s.hidden(), 1, quiet);
                    double segPeak = Math.max(probe, next);
                    double segGflops =
                            (double) (step - segmentStart)
                                    * s.batch()
                                    * s.context()
                                    * flopsPerToken
                                    / segmentNanos;
                    segmentShares.add(segGflops / segPeak);
                    out.printf(
                            Locale.ROOT,
                            "steps %d–%d: loss %.3f, %.3f s/step, %.1f useful GFLOP/s, matmul"
                                    + " probes %.1f / %.1f GFLOP/s → %.0f%%, RSS %s%n",
                            segmentStart + 1,
                            step,
                            r.loss(),
                            segmentNanos / 1e9 / (step - segmentStart),
                            segGflops,
                            probe,
                            next,
                            100 * segGflops / segPeak,
                            mib(ModelBench.residentBytes()));
                    probe = next;
                    segmentStart = step;
                    segmentNanos = 0;
                } else if (step < s.checkStep() && step % every == 0) {
                    out.printf(
                            Locale.ROOT,
                            "step %d: loss %.3f, %.3f s/step, RSS %s%n",
                            step,
                            r.loss(),
                            dt / 1e9,
                            mib(ModelBench.residentBytes()));
                }
            }
            skipped = loop.skippedUpdates();
        }
        double peak = Math.max(peakBefore, ModelBench.matmulPeak(s.hidden(), 1, out));
        long tokens = (long) (s.steps() - s.checkStep()) * s.batch() * s.context();
        double seconds = timedNanos / 1e9;
        double flopsPerToken = flopsPerToken(s, matmulParams);
        double tps = tokens / seconds;
        double gflops = tps * flopsPerToken / 1e9;
        out.printf(
                Locale.ROOT,
                "memory: RSS %s at step %d, %s at step %d: %s over %d steps (%s per step); heap"
                        + " used %+.1f MiB; live arrays %d → %d%n",
                mib(first.rssBytes()),
                first.step(),
                mib(last.rssBytes()),
                last.step(),
                change(first.rssBytes(), last.rssBytes(), 1048576.0, "MiB"),
                last.step() - first.step(),
                change(
                        first.rssBytes(),
                        last.rssBytes(),
                        1024.0 * (last.step() - first.step()),
                        "KiB"),
                (last.heapUsedBytes() - first.heapUsedBytes()) / 1048576.0,
                first.liveArrays(),
                last.liveArrays());
        out.printf(
                Locale.ROOT,
                "memory without the readings' collections (the loop's own only): RSS %s at step %d,"
                        + " %s at step %d: %s%n",
                mib(first.rssUncollectedBytes()),
                first.step(),
                mib(last.rssUncollectedBytes()),
                last.step(),
                change(first.rssUncollectedBytes(), last.rssUncollectedBytes(), 1048576.0, "MiB"));
        out.printf(
                Locale.ROOT,
                "training: %d tokens in %.1f s after step %d → %.0f tokens/s, %.2f useful GFLOP"
                        + " per 1,000 tokens, %.1f useful GFLOP/s = %.0f%% of the matmul peak (%.1f"
                        + " GFLOP/s, best of before and after); %d updates skipped%n",
                tokens,
                seconds,
                s.checkStep(),
                tps,
                flopsPerToken * 1000 / 1e9,
                gflops,
                100 * gflops / peak,
                peak,
                skipped);
        double[] shares =
                segmentShares.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double medianShare = shares[shares.length / 2];
        out.printf(
                Locale.ROOT,
                "share of the matmul peak per stretch of steps (against probes beside it): median"
                        + " %.0f%%, range %.0f–%.0f%% over %d stretches%n",
                100 * medianShare,
                100 * shares[0],
                100 * shares[shares.length - 1],
                shares.length);
        return new Result(first, last, tps, gflops, peak, medianShare, skipped);
    }

    private static double flopsPerToken(Settings s, long matmulParams) {
        return 6.0 * matmulParams + 6.0 * s.layers() * s.hidden() * (double) s.context();
    }

    /** Weight matrices of the matmuls: all 2-D parameters but the embedding, plus the LM head. */
    private static long matmulParameters(ModelConfig mc, Map<String, NDArray> params) {
        long n = 0;
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            String k = e.getKey();
            boolean embedding =
                    k.contains("embed_tokens") || k.contains("embed_in") || k.contains("wte");
            if (e.getValue().getShape().dimension() == 2 && !embedding && !k.contains("wpe")) {
                n += e.getValue().size();
            }
        }
        if (mc.tieEmbeddings()) {
            n += (long) mc.vocabSize() * mc.hidden();
        }
        return n;
    }

    private static List<int[]> randomWindows(SplittableRandom rng, Settings s) {
        List<int[]> out = new ArrayList<>(s.batch());
        for (int r = 0; r < s.batch(); r++) {
            int[] w = new int[s.context() + 1];
            for (int j = 0; j < w.length; j++) {
                w[j] = rng.nextInt(s.vocab() - 1);
            }
            out.add(w);
        }
        return out;
    }

    private static Reading read(int step, TrainingLoop loop) {
        long uncollected = ModelBench.residentBytes();
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return new Reading(
                step,
                uncollected,
                ModelBench.residentBytes(),
                rt.totalMemory() - rt.freeMemory(),
                rt.totalMemory(),
                loop.liveArrays());
    }

    private static void print(PrintStream out, Reading r) {
        out.printf(
                Locale.ROOT,
                "step %d: RSS %s as the run left it; after a GC: RSS %s, JVM heap used %s of %s"
                        + " committed, %d arrays alive in the trainer's manager%n",
                r.step(),
                mib(r.rssUncollectedBytes()),
                mib(r.rssBytes()),
                mib(r.heapUsedBytes()),
                mib(r.heapCommittedBytes()),
                r.liveArrays());
    }

    /** {@code (to - from) / unit} signed with one decimal, or "unknown" when either reading is. */
    private static String change(long from, long to, double unit, String name) {
        return from < 0 || to < 0
                ? "unknown"
                : String.format(Locale.ROOT, "%+.1f %s", (to - from) / unit, name);
    }

    private static String mib(long bytes) {
        return bytes < 0 ? "unknown" : String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
