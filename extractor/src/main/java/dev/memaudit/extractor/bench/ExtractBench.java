package dev.memaudit.extractor.bench;

import dev.memaudit.extractor.extract.WindowScorer;
import dev.memaudit.extractor.window.TokenizedWork;
import dev.memaudit.extractor.window.Window;
import dev.memaudit.extractor.window.WindowPlanner;
import dev.memaudit.model.GenerationSettings;
import dev.memaudit.model.LanguageModel;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@code memaudit bench extract}: the extract stage's two paths on a given model, in windows and
 * attempts per second, with useful GFLOP/s and their ratio to the matmul peak the caller measured
 * in the same process.
 *
 * <ul>
 *   <li>Teacher-forced path: {@link WindowScorer} on {@code batch} windows of {@code prefix +
 *       suffix} random tokens (greedy and t1 p_z, ranks, longest rank-1 run), timed over {@code
 *       windows} windows.
 *   <li>Decoding path: {@code batch} rows of T=1 sampling, {@code suffix} new tokens after {@code
 *       prefix}-token prompts, each row its own seed, as extract's attempts (without the index scan
 *       of the generation, which {@code bench scan} measures).
 * </ul>
 *
 * <p>Useful FLOPs per token: 2 × matmul parameters plus causal attention (2 × layers × width ×
 * average context), as in {@code bench model}.
 */
public final class ExtractBench {
    private ExtractBench() {}

    /**
     * @param windows windows scored per timed repetition
     * @param prefixTokens prefix length
     * @param suffixTokens suffix length (and new tokens per attempt)
     * @param batch windows or attempt rows per model call
     * @param attempts attempts decoded per timed repetition
     * @param reps timed repetitions (best reported, median shown)
     */
    public record Settings(
            int windows, int prefixTokens, int suffixTokens, int batch, int attempts, int reps) {

        /**
         * 32 windows of 50 + 50 tokens in batches of 16; 32 attempts of 50 new tokens, 16 rows per
         * call; 2 timed repetitions (about 6 minutes with GPT-2 small on 2 shared cores).
         */
        public static Settings defaults() {
            return new Settings(32, 50, 50, 16, 32, 2);
        }

        /** A smoke run. */
        public static Settings tiny() {
            return new Settings(8, 8, 8, 4, 4, 1);
        }
    }

    /**
     * The shape of the model, for FLOP accounting.
     *
     * @param matmulParams non-embedding parameters plus the LM head
     */
    public record Shape(long matmulParams, int layers, int hidden) {}

    /** Results (best repetition). */
    public record Result(
            double matmulGflops,
            double windowsPerSecond,
            double windowGflops,
            double attemptsPerSecond,
            double attemptGflops) {}

    /** Runs both measurements on {@code model} and prints a report to {@code out}. */
    public static Result run(
            LanguageModel model,
            Shape shape,
            double matmulPeakGflops,
            Settings s,
            PrintStream out) {
        int len = s.prefixTokens() + s.suffixTokens();
        SplittableRandom rng = new SplittableRandom(5);
        int bound = Math.max(2, model.vocabSize() - 1);
        int[] ids = new int[s.windows() * len];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = rng.nextInt(bound);
        }
        int[] starts = new int[ids.length];
        int[] ends = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            starts[i] = i;
            ends[i] = i + 1;
        }
        TokenizedWork work = new TokenizedWork("bench", "", ids, starts, ends);
        List<Window> windows =
                new WindowPlanner(s.prefixTokens(), s.suffixTokens(), len).windows(work);
        WindowScorer scorer = new WindowScorer(model, List.of());
        scorer.score(work, windows.subList(0, Math.min(s.batch(), windows.size()))); // warm-up
        double[] wt = new double[s.reps()];
        for (int r = 0; r < s.reps(); r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < windows.size(); i += s.batch()) {
                scorer.score(work, windows.subList(i, Math.min(windows.size(), i + s.batch())));
            }
            wt[r] = (System.nanoTime() - t0) / 1e9;
        }
        double bestW = min(wt);
        double perToken = 2.0 * shape.matmulParams();
        double windowFlops =
                windows.size()
                        * (double) (len - 1)
                        * (perToken + 2.0 * shape.layers() * shape.hidden() * (len / 2.0));
        double wps = windows.size() / bestW;
        double wGflops = windowFlops / bestW / 1e9;
        out.printf(
                Locale.ROOT,
                "teacher-forced windows (%d + %d tokens, batch %d, schemes greedy and t1): %d"
                        + " windows best %.3f s, median %.3f s → %.1f windows/s, %.1f useful GFLOP/s"
                        + " = %.0f%% of matmul peak%n",
                s.prefixTokens(),
                s.suffixTokens(),
                s.batch(),
                windows.size(),
                bestW,
                median(wt),
                wps,
                wGflops,
                100 * wGflops / matmulPeakGflops);

        // every attempt runs to its full length, as a suffix that is never ended early by EOS
        GenerationSettings t1 = new GenerationSettings(s.suffixTokens(), 1, 0, 1, 0, false);
        List<int[]> prefixes = new ArrayList<>();
        for (int a = 0; a < s.attempts(); a++) {
            prefixes.add(
                    Arrays.copyOfRange(
                            ids,
                            (a % s.windows()) * len,
                            (a % s.windows()) * len + s.prefixTokens()));
        }
        decode(
                model,
                prefixes.subList(0, Math.min(s.batch(), prefixes.size())),
                t1,
                0,
                s); // warm-up
        double[] at = new double[s.reps()];
        for (int r = 0; r < s.reps(); r++) {
            long t0 = System.nanoTime();
            decode(model, prefixes, t1, r + 1, s);
            at[r] = (System.nanoTime() - t0) / 1e9;
        }
        double bestA = min(at);
        double avgContext = s.prefixTokens() + s.suffixTokens() / 2.0;
        double attemptFlops =
                s.attempts()
                        * (double) (s.prefixTokens() + s.suffixTokens())
                        * (perToken + 2.0 * shape.layers() * shape.hidden() * avgContext);
        double aps = s.attempts() / bestA;
        double aGflops = attemptFlops / bestA / 1e9;
        out.printf(
                Locale.ROOT,
                "decoding attempts (T=1 sampling, %d new tokens after %d, %d rows per call): %d"
                        + " attempts best %.3f s, median %.3f s → %.2f attempts/s, %.1f useful"
                        + " GFLOP/s = %.0f%% of matmul peak%n",
                s.suffixTokens(),
                s.prefixTokens(),
                s.batch(),
                s.attempts(),
                bestA,
                median(at),
                aps,
                aGflops,
                100 * aGflops / matmulPeakGflops);
        out.printf(
                Locale.ROOT,
                "one teacher-forced window (exact p_z) costs %.2f decoding attempts (one sample)%n",
                aps / wps);
        return new Result(matmulPeakGflops, wps, wGflops, aps, aGflops);
    }

    private static void decode(
            LanguageModel model,
            List<int[]> prefixes,
            GenerationSettings t1,
            long rep,
            Settings s) {
        for (int i = 0; i < prefixes.size(); i += s.batch()) {
            List<int[]> rows = prefixes.subList(i, Math.min(prefixes.size(), i + s.batch()));
            long[] seeds = new long[rows.size()];
            for (int r = 0; r < seeds.length; r++) {
                seeds[r] = LanguageModel.rowSeed(rep, i + r);
            }
            model.generate(rows, seeds, t1);
        }
    }

    private static double min(double[] xs) {
        return Arrays.stream(xs).min().orElse(Double.NaN);
    }

    private static double median(double[] xs) {
        double[] c = xs.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }
}
