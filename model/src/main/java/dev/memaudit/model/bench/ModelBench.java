package dev.memaudit.model.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.memaudit.model.GenerationSettings;
import dev.memaudit.model.runtime.Architecture;
import dev.memaudit.model.runtime.DjlLanguageModel;
import dev.memaudit.model.runtime.ModelConfig;
import dev.memaudit.model.runtime.RuntimeSetup;
import dev.memaudit.model.runtime.Transformer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Measures, in one process, the engine's float32 matmul throughput and the runtime's useful
 * throughput on a GPT-2-small-shaped model with random weights (nothing is downloaded):
 * teacher-forced scoring and KV-cached batched greedy decoding.
 *
 * <p>Useful FLOPs per token: 2 × (non-embedding parameters + LM head) for the matmuls, plus causal
 * attention (2 × layers × width × context for QKᵀ and PV together, with context averaged over the
 * positions actually attended). Work the runtime does beyond that (masked attention halves,
 * softmax, norms) is not counted, so the ratio to the matmul peak is a true efficiency.
 */
public final class ModelBench {
    private ModelBench() {}

    /**
     * What to measure.
     *
     * @param layers transformer blocks (12 = GPT-2 small)
     * @param hidden width (768)
     * @param heads attention heads (12)
     * @param vocab vocabulary (50257)
     * @param scoreBatch sequences per scoring call
     * @param scoreLength tokens per scored sequence
     * @param decodeBatch rows decoded together
     * @param decodePrefix prefix tokens per decoded row
     * @param decodeSteps tokens generated per row
     * @param reps timed repetitions (best and median reported)
     */
    public record Settings(
            int layers,
            int hidden,
            int heads,
            int vocab,
            int scoreBatch,
            int scoreLength,
            int decodeBatch,
            int decodePrefix,
            int decodeSteps,
            int reps) {

        /** GPT-2 small, 4 × 512 scoring, 32 rows decoding 32 tokens after 32. */
        public static Settings gpt2Small() {
            return new Settings(12, 768, 12, 50257, 4, 512, 32, 32, 32, 3);
        }

        /** The same with {@code rows} rows decoded together. */
        public Settings withDecodeRows(int rows) {
            if (rows < 1) {
                throw new IllegalArgumentException("decode rows must be ≥ 1, got " + rows);
            }
            return new Settings(
                    layers,
                    hidden,
                    heads,
                    vocab,
                    scoreBatch,
                    scoreLength,
                    rows,
                    decodePrefix,
                    decodeSteps,
                    reps);
        }

        /** A very small model for smoke tests. */
        public static Settings tiny() {
            return new Settings(2, 64, 4, 500, 2, 64, 4, 8, 4, 1);
        }
    }

    /**
     * Results.
     *
     * @param matmulGflops best fp32 matmul GFLOP/s over the probed shapes
     * @param scoreTokensPerSecond scored tokens per second (best repetition)
     * @param scoreGflops useful GFLOP/s while scoring
     * @param decodeTokensPerSecond generated tokens per second over all rows (best repetition)
     * @param decodeGflops useful GFLOP/s while decoding (prefill excluded)
     * @param peakRssBytes peak resident set size of the process, or -1 when unknown
     */
    public record Result(
            double matmulGflops,
            double scoreTokensPerSecond,
            double scoreGflops,
            double decodeTokensPerSecond,
            double decodeGflops,
            long peakRssBytes) {}

    /** Command-line entry point: {@code ModelBench [tiny]}. */
    public static void main(String[] args) {
        RuntimeSetup.configure();
        run(
                args.length > 0 && args[0].equals("tiny") ? Settings.tiny() : Settings.gpt2Small(),
                System.out);
    }

    /** The first line of every bench report: which engine, on how many processors. */
    static void printEngine(PrintStream out) {
        Engine engine = Engine.getInstance();
        out.printf(
                Locale.ROOT,
                "engine %s %s, %d processors available to the JVM%n",
                engine.getEngineName(),
                engine.getVersion(),
                Runtime.getRuntime().availableProcessors());
    }

    /** Runs every measurement and prints a report to {@code out}. */
    public static Result run(Settings s, PrintStream out) {
        printEngine(out);
        double peak = matmulPeak(s, out);
        RandomModel rm = randomModel(s);
        long matmulParams = rm.matmulParams();
        out.printf(
                Locale.ROOT,
                "model: GPT-2 shape, %d layers, width %d, %d heads, vocab %d, %.1fM parameters"
                        + " (random weights)%n",
                s.layers(),
                s.hidden(),
                s.heads(),
                s.vocab(),
                rm.parameters() / 1e6);
        try (DjlLanguageModel model = rm.model()) {
            SplittableRandom rng = new SplittableRandom(7);
            // scoring
            List<int[]> seqs = new ArrayList<>();
            for (int b = 0; b < s.scoreBatch(); b++) {
                seqs.add(randomTokens(rng, s.scoreLength(), s.vocab() - 1));
            }
            model.score(seqs, false); // warm-up
            double[] scoreTimes = new double[s.reps()];
            for (int r = 0; r < s.reps(); r++) {
                long t0 = System.nanoTime();
                model.score(seqs, false);
                scoreTimes[r] = (System.nanoTime() - t0) / 1e9;
            }
            // scoring computes distributions at T-1 positions per sequence
            long scored = (long) s.scoreBatch() * (s.scoreLength() - 1);
            double attnPerToken = 2.0 * s.layers() * s.hidden() * (s.scoreLength() / 2.0);
            double scoreFlops = scored * (2.0 * matmulParams + attnPerToken);
            double bestScore = min(scoreTimes);
            double scoreTps = scored / bestScore;
            double scoreGflops = scoreFlops / bestScore / 1e9;
            out.printf(
                    Locale.ROOT,
                    "scoring %d × %d tokens: best %.3f s, median %.3f s → %.0f tokens/s, %.1f useful"
                            + " GFLOP/s = %.0f%% of matmul peak%n",
                    s.scoreBatch(),
                    s.scoreLength(),
                    bestScore,
                    median(scoreTimes),
                    scoreTps,
                    scoreGflops,
                    100 * scoreGflops / peak);
            // decoding: time with and without the generated steps to isolate them from prefill
            List<int[]> prefixes = new ArrayList<>();
            for (int b = 0; b < s.decodeBatch(); b++) {
                prefixes.add(randomTokens(rng, s.decodePrefix(), s.vocab() - 1));
            }
            GenerationSettings one = new GenerationSettings(1, 0, 0, 1, 0, false);
            GenerationSettings many =
                    new GenerationSettings(s.decodeSteps() + 1, 0, 0, 1, 0, false);
            model.generate(prefixes, many); // warm-up
            double[] prefillTimes = new double[s.reps()];
            double[] decodeTimes = new double[s.reps()];
            for (int r = 0; r < s.reps(); r++) {
                long t0 = System.nanoTime();
                model.generate(prefixes, one);
                long t1 = System.nanoTime();
                model.generate(prefixes, many);
                long t2 = System.nanoTime();
                prefillTimes[r] = (t1 - t0) / 1e9;
                decodeTimes[r] = Math.max(1e-9, (t2 - t1 - (t1 - t0)) / 1e9);
            }
            double bestDecode = min(decodeTimes);
            long generated = (long) s.decodeBatch() * s.decodeSteps();
            double avgContext = s.decodePrefix() + s.decodeSteps() / 2.0 + 1;
            double decodeFlops =
                    generated * (2.0 * matmulParams + 4.0 * s.layers() * s.hidden() * avgContext);
            double decodeTps = generated / bestDecode;
            double decodeGflops = decodeFlops / bestDecode / 1e9;
            out.printf(
                    Locale.ROOT,
                    "greedy decoding, KV cache, %d rows × %d steps after %d-token prefixes: prefill"
                            + " %.3f s, steps best %.3f s (%.1f ms/step) → %.0f tokens/s, %.1f useful"
                            + " GFLOP/s = %.0f%% of matmul peak%n",
                    s.decodeBatch(),
                    s.decodeSteps(),
                    s.decodePrefix(),
                    min(prefillTimes),
                    bestDecode,
                    1000 * bestDecode / s.decodeSteps(),
                    decodeTps,
                    decodeGflops,
                    100 * decodeGflops / peak);
            // the model's own peak, before the products below allocate their copies of weights
            long rss = peakRss();
            double stepMs = 1000 * bestDecode / s.decodeSteps();
            double gemmMs = decodeStepMatmuls(s, out);
            out.printf(
                    Locale.ROOT,
                    "what limits decoding: its matmuls alone take %.1f of the step's %.1f ms (%.0f%%);"
                            + " the rest is attention, norms, activations, the cache and per-op"
                            + " overhead%n",
                    gemmMs,
                    stepMs,
                    100 * gemmMs / stepMs);
            reducedPrecision(s, peak, out);
            out.printf(
                    Locale.ROOT,
                    "peak resident memory: %s%n",
                    rss < 0
                            ? "unknown"
                            : String.format(Locale.ROOT, "%.2f GiB", rss / 1073741824.0));
            return new Result(peak, scoreTps, scoreGflops, decodeTps, decodeGflops, rss);
        }
    }

    /**
     * Times one decoding step's matrix products alone, at its shapes (M = the rows decoded): per
     * layer [M × w]·[w × 3w], [M × w]·[w × w], [M × w]·[w × 4w], [M × 4w]·[4w × w], and the LM head
     * [M × w]·[w × vocab]; prints their GFLOP/s (the ceiling small-M products put on decoding) and
     * returns their milliseconds per step (best of {@code 3 × reps} after 2 untimed).
     */
    static double decodeStepMatmuls(Settings s, PrintStream out) {
        long m = s.decodeBatch();
        long w = s.hidden();
        long[][] perLayer = {{w, 3 * w}, {w, w}, {w, 4 * w}, {4 * w, w}};
        try (NDManager nm = NDManager.newBaseManager()) {
            List<NDArray[]> products = new ArrayList<>();
            double flops = 0;
            for (long[] kn : perLayer) {
                for (int l = 0; l < s.layers(); l++) {
                    products.add(
                            new NDArray[] {
                                nm.randomUniform(-1, 1, new Shape(m, kn[0])),
                                nm.randomUniform(-1, 1, new Shape(kn[0], kn[1]))
                            });
                    flops += 2.0 * m * kn[0] * kn[1];
                }
            }
            products.add(
                    new NDArray[] {
                        nm.randomUniform(-1, 1, new Shape(m, w)),
                        nm.randomUniform(-1, 1, new Shape(w, s.vocab()))
                    });
            flops += 2.0 * m * w * s.vocab();
            double best = Double.MAX_VALUE;
            for (int r = 0; r < 2 + 3 * s.reps(); r++) {
                long t0 = System.nanoTime();
                for (NDArray[] p : products) {
                    try (NDArray c = p[0].matMul(p[1])) {
                        c.getShape();
                    }
                }
                double t = (System.nanoTime() - t0) / 1e9;
                if (r >= 2) {
                    best = Math.min(best, t);
                }
            }
            out.printf(
                    Locale.ROOT,
                    "matmul at one decoding step's shapes (M = %d rows, distinct weights per"
                            + " layer): %.1f ms, %.1f GFLOP/s%n",
                    m,
                    1000 * best,
                    flops / best / 1e9);
            return 1000 * best;
        }
    }

    /**
     * What the hardware offers below fp32, measured at the model's own shapes in this process: each
     * matmul-peak shape and one decoding step's products in FLOAT16, against the fp32 figures, with
     * the largest relative difference of an fp16 product from its fp32 result. BFLOAT16 is not
     * measured, and the report says why: DJL 0.36's PyTorch JNI maps no bf16 data type and aborts
     * the process on any op that names it (notes/djl.md). Scores stay fp32 whatever this prints:
     * p_z and log-likelihoods must be exact within 1e-5, which an fp16 product is not.
     */
    static void reducedPrecision(Settings s, double fp32Peak, PrintStream out) {
        long w = s.hidden();
        long[][] shapes = {
            {2048, w, 4 * w},
            {2048, 4 * w, w},
            {1024, 1024, 1024},
            {s.decodeBatch(), w, 4 * w},
            {s.decodeBatch(), w, s.vocab()}
        };
        double best16 = 0;
        try (NDManager nm = NDManager.newBaseManager()) {
            for (long[] sh : shapes) {
                NDArray a = nm.randomUniform(-1, 1, new Shape(sh[0], sh[1]));
                NDArray b = nm.randomUniform(-1, 1, new Shape(sh[1], sh[2]));
                NDArray a16 = a.toType(DataType.FLOAT16, false);
                NDArray b16 = b.toType(DataType.FLOAT16, false);
                double flops = 2.0 * sh[0] * sh[1] * sh[2];
                double t32 = bestMatmul(a, b, s.reps());
                double t16 = bestMatmul(a16, b16, s.reps());
                double diff;
                try (NDArray c = a.matMul(b);
                        NDArray c16 = a16.matMul(b16);
                        NDArray back = c16.toType(DataType.FLOAT32, false);
                        NDArray err = back.sub(c).abs();
                        NDArray scale = c.abs().max()) {
                    diff = err.max().getFloat() / Math.max(1e-30f, scale.getFloat());
                }
                double g16 = flops / t16 / 1e9;
                best16 = Math.max(best16, g16);
                out.printf(
                        Locale.ROOT,
                        "matmul [%d×%d]·[%d×%d]: fp32 %.1f GFLOP/s, fp16 %.1f GFLOP/s (%.3f× fp32),"
                                + " fp16 max error %.1e of the largest entry%n",
                        sh[0],
                        sh[1],
                        sh[1],
                        sh[2],
                        flops / t32 / 1e9,
                        g16,
                        t32 / t16,
                        diff);
            }
        }
        out.printf(
                Locale.ROOT,
                "reduced precision: best fp16 matmul %.1f GFLOP/s = %.3f× the fp32 peak; bf16 not"
                        + " measured (DJL 0.36's PyTorch JNI aborts the JVM on BFLOAT16); scoring"
                        + " and decoding stay fp32 (results exact within 1e-5)%n",
                best16,
                best16 / fp32Peak);
    }

    /**
     * Best seconds of {@code a·b} over {@code 3 × reps} runs after 2 untimed, stopping early once
     * one timed run is in and the shape has taken 3 s (an fp16 product on a CPU without fp16
     * arithmetic runs 30-100× slower than fp32, and would otherwise take minutes).
     */
    private static double bestMatmul(NDArray a, NDArray b, int reps) {
        double best = Double.MAX_VALUE;
        long start = System.nanoTime();
        for (int r = 0; r < 2 + 3 * reps; r++) {
            long t0 = System.nanoTime();
            try (NDArray c = a.matMul(b)) {
                c.getShape();
            }
            long t1 = System.nanoTime();
            if (r >= 2 || t1 - start > 1_000_000_000L) {
                best = Math.min(best, (t1 - t0) / 1e9);
                if (t1 - start > 3_000_000_000L) {
                    break;
                }
            }
        }
        return best;
    }

    /**
     * A GPT-2-shaped model with random weights (seeded) and the parameter counts that useful-FLOP
     * figures are computed from.
     *
     * @param matmulParams non-embedding parameters plus the (tied) LM head: 2 × this = matmul FLOPs
     *     per token
     * @param parameters all parameters
     */
    public record RandomModel(DjlLanguageModel model, long matmulParams, long parameters) {}

    /** Builds the benchmark's GPT-2-shaped model with random weights (the caller closes it). */
    public static RandomModel randomModel(Settings s) {
        Engine engine = Engine.getInstance();
        ModelConfig mc =
                ModelConfig.builder(Architecture.GPT2)
                        .vocabSize(s.vocab())
                        .hidden(s.hidden())
                        .layers(s.layers())
                        .heads(s.heads())
                        .intermediate(4 * s.hidden())
                        .maxPositions(
                                Math.max(
                                        1024,
                                        Math.max(
                                                s.scoreLength(),
                                                s.decodePrefix() + s.decodeSteps())))
                        .bosId(s.vocab() - 1)
                        .eosId(s.vocab() - 1)
                        .build();
        NDManager manager = NDManager.newBaseManager();
        engine.setRandomSeed(1234);
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : Transformer.expectedShapes(mc, "").entrySet()) {
            tensors.put(
                    e.getKey(),
                    manager.randomNormal(0, 0.02f, new Shape(e.getValue()), DataType.FLOAT32));
        }
        long nonEmbedding = 0;
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            if (!e.getKey().startsWith("wte") && !e.getKey().startsWith("wpe")) {
                nonEmbedding += e.getValue().size();
            }
        }
        long matmulParams = nonEmbedding + (long) s.vocab() * s.hidden(); // + tied LM head
        DjlLanguageModel model =
                new DjlLanguageModel(
                        manager,
                        new Transformer(mc, tensors, "bench"),
                        null,
                        "bench",
                        new ArrayList<>());
        return new RandomModel(model, matmulParams, mc.parameterCount());
    }

    /**
     * The best fp32 matmul GFLOP/s of this process over shapes like the model's (width {@code
     * s.hidden()}), printing each shape's figure.
     */
    public static double matmulPeak(Settings s, PrintStream out) {
        return matmulPeak(s.hidden(), s.reps(), out);
    }

    /**
     * The best fp32 matmul GFLOP/s of this process over [2048 × w]·[w × 4w], [2048 × 4w]·[4w × w]
     * and [1024 × 1024]·[1024 × 1024] for width {@code hidden}, each timed {@code 3 × reps} times
     * after 2 untimed runs, printing each shape's figure.
     */
    public static double matmulPeak(int hidden, int reps, PrintStream out) {
        long[][] shapes = {
            {2048, hidden, 4L * hidden},
            {2048, 4L * hidden, hidden},
            {1024, 1024, 1024}
        };
        double best = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            for (long[] sh : shapes) {
                NDArray a = m.randomUniform(-1, 1, new Shape(sh[0], sh[1]));
                NDArray b = m.randomUniform(-1, 1, new Shape(sh[1], sh[2]));
                double flops = 2.0 * sh[0] * sh[1] * sh[2];
                double bestTime = Double.MAX_VALUE;
                for (int r = 0; r < 2 + 3 * reps; r++) {
                    long t0 = System.nanoTime();
                    try (NDArray c = a.matMul(b)) {
                        c.getShape();
                    }
                    double t = (System.nanoTime() - t0) / 1e9;
                    if (r >= 2) {
                        bestTime = Math.min(bestTime, t);
                    }
                }
                double g = flops / bestTime / 1e9;
                out.printf(
                        Locale.ROOT,
                        "matmul [%d×%d]·[%d×%d] fp32: %.1f GFLOP/s%n",
                        sh[0],
                        sh[1],
                        sh[1],
                        sh[2],
                        g);
                best = Math.max(best, g);
            }
        }
        out.printf(Locale.ROOT, "matmul peak: %.1f GFLOP/s%n", best);
        return best;
    }

    static int[] randomTokens(SplittableRandom r, int n, int bound) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = r.nextInt(bound);
        }
        return t;
    }

    private static double min(double[] xs) {
        double m = Double.MAX_VALUE;
        for (double x : xs) {
            m = Math.min(m, x);
        }
        return m;
    }

    private static double median(double[] xs) {
        double[] c = xs.clone();
        java.util.Arrays.sort(c);
        return c[c.length / 2];
    }

    /** Peak RSS from /proc/self/status (Linux), or -1. */
    static long peakRss() {
        return procStatusBytes("VmHWM:");
    }

    /** Resident set size now, from /proc/self/status (Linux), or -1. */
    static long residentBytes() {
        return procStatusBytes("VmRSS:");
    }

    /** A {@code kB} figure of /proc/self/status in bytes, or -1 when unknown. */
    private static long procStatusBytes(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key)) {
                    String[] parts = line.trim().split("\\s+");
                    return Long.parseLong(parts[1]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
