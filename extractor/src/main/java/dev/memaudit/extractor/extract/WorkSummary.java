package dev.memaudit.extractor.extract;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.records.extract.AttemptRecord;
import dev.memaudit.core.records.extract.ExtractWork;
import dev.memaudit.core.records.extract.Reconstruction;
import dev.memaudit.core.records.extract.WindowRecord;
import dev.memaudit.core.text.CodePoints;
import dev.memaudit.stats.ClopperPearson;
import dev.memaudit.stats.Quantiles;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The {@code extract} section of one work in works.json ({@link ExtractWork}), recomputed from the
 * ledgers alone, so a resumed run summarizes exactly like an uninterrupted one. The windows of a
 * work are held; its attempts are counted as they stream by ({@link Attempts}), never held.
 */
public final class WorkSummary {
    /** Thresholds of the coverage figures (p_z under t1). */
    public static final double[] TAUS = {0.5, 0.1, 0.01};

    /** The scheme coverage and the p_z quantiles use: always measured (prompt log-probs). */
    static final String COVERAGE_SCHEME = Scheme.T1.name();

    private WorkSummary() {}

    /**
     * Counts of one work's attempts, fed one record at a time in any order; the result does not
     * depend on the order.
     */
    public static final class Attempts {
        private int total;
        private int exact;
        private int near;
        private int skipped;
        private int greedyExact;
        private int greedyNear;
        private int k;
        private int kNear;
        // windows with any attempt, with an exact one, with a near one (for the attempt coverage)
        private final Set<Integer> attempted = new HashSet<>();
        private final Set<Integer> exactWindows = new HashSet<>();
        private final Set<Integer> nearWindows = new HashSet<>();
        // sampled attempts per window, in window order: the expected rate is summed in that order
        private final Map<Integer, Integer> sampledByWindow = new TreeMap<>();

        public void add(AttemptRecord a) {
            total++;
            boolean ex = a.exact();
            boolean nr = a.near();
            attempted.add(a.window());
            if (ex) {
                exact++;
                exactWindows.add(a.window());
            }
            if (nr) {
                near++;
                nearWindows.add(a.window());
            }
            if (a.attempt() == 0) {
                greedyExact += ex ? 1 : 0;
                greedyNear += nr ? 1 : 0;
            } else {
                k += ex ? 1 : 0;
                kNear += nr ? 1 : 0;
                sampledByWindow.merge(a.window(), 1, Integer::sum);
            }
        }

        /** Counts attempts the backend refused for good (skipped.jsonl): not tries. */
        public void addSkipped(int n) {
            skipped += n;
        }
    }

    /**
     * @param tokens the work's length in model tokens
     * @param windows its windows.jsonl records
     * @param skippedWindows its windows the backend refused for good (skipped.jsonl)
     * @param attempts its attempts.jsonl records, counted
     * @param attemptScheme the scheme of sampled attempts (for the expected rate)
     * @param reconstruction its reconstruction, or null when none was run
     * @param where names the windows' file in messages
     * @param text the work's original text, which the windows' code-point offsets index (for the
     *     easiest window's text)
     * @throws MemauditException INTEGRITY when a window lacks the t1 p_z every window has, or an
     *     attempt belongs to no window
     */
    public static ExtractWork of(
            int tokens,
            List<WindowRecord> windows,
            int skippedWindows,
            Attempts attempts,
            String attemptScheme,
            Reconstruction reconstruction,
            String where,
            String text) {
        double[] pzByWindow = new double[windows.size()];
        for (int i = 0; i < windows.size(); i++) {
            WindowRecord w = windows.get(i);
            Double pz = w.pZ().get(COVERAGE_SCHEME);
            if (pz == null) {
                throw MemauditException.integrity(
                        where
                                + ": window "
                                + w.window()
                                + " of "
                                + w.workId()
                                + " has no p_z for "
                                + COVERAGE_SCHEME
                                + " (every window has it)");
            }
            pzByWindow[i] = pz;
        }
        Map<String, Double> coverage = coverage(tokens, windows, pzByWindow);
        // every scheme of the run, in the records' order: each window has it in p_z or in
        // not_measured
        Map<String, Map<String, Double>> byScheme = new LinkedHashMap<>();
        Map<String, String> coverageNotMeasured = new LinkedHashMap<>();
        Set<String> schemes = new LinkedHashSet<>();
        for (WindowRecord w : windows) {
            schemes.addAll(w.pZ().keySet());
            schemes.addAll(w.notMeasuredOrEmpty().keySet());
        }
        for (String scheme : schemes) {
            double[] p = new double[windows.size()];
            int missing = 0;
            String first = null;
            for (int i = 0; i < windows.size(); i++) {
                WindowRecord w = windows.get(i);
                Double v = w.pZ().get(scheme);
                if (v == null) {
                    missing++;
                    if (first == null) {
                        String why = w.notMeasuredOrEmpty().get(scheme);
                        first =
                                "window "
                                        + w.window()
                                        + ": "
                                        + (why == null ? "no p_z and no reason recorded" : why);
                    }
                } else {
                    p[i] = v;
                }
            }
            if (missing == 0) {
                byScheme.put(scheme, coverage(tokens, windows, p));
            } else {
                // a window whose p_z is unknown may or may not cover its suffix: the share is
                // unknown, not the share of the measured windows
                coverageNotMeasured.put(
                        scheme,
                        "p_z under "
                                + scheme
                                + " not measured for "
                                + missing
                                + " of "
                                + windows.size()
                                + " windows ("
                                + first
                                + ")");
            }
        }

        int greedy = 0;
        boolean[] extractable = new boolean[tokens];
        int[] charStart = new int[tokens];
        int[] charEnd = new int[tokens];
        // char offsets of a stretch: from the suffix of the window that starts it to the furthest
        // suffix end inside it
        Arrays.fill(charStart, -1);
        for (WindowRecord w : windows) {
            if (w.greedyExtractable()) {
                greedy++;
                mark(extractable, w);
                for (int t = w.suffixTokenStart(); t < w.suffixTokenEnd() && t < tokens; t++) {
                    if (charStart[t] < 0) {
                        charStart[t] = w.suffixCharStart();
                    }
                    charEnd[t] = Math.max(charEnd[t], w.suffixCharEnd());
                }
            }
        }
        int bestLen = 0;
        int bestStart = -1;
        for (int t = 0; t < tokens; ) {
            if (!extractable[t]) {
                t++;
                continue;
            }
            int s = t;
            while (t < tokens && extractable[t]) {
                t++;
            }
            if (t - s > bestLen) {
                bestLen = t - s;
                bestStart = s;
            }
        }
        ExtractWork.LongestExtractable longest;
        if (bestLen > 0) {
            int end = 0;
            for (int t = bestStart; t < bestStart + bestLen; t++) {
                end = Math.max(end, charEnd[t]);
            }
            longest = new ExtractWork.LongestExtractable(bestLen, charStart[bestStart], end);
        } else {
            longest = new ExtractWork.LongestExtractable(0, null, null);
        }

        // the easiest window: fewest bits, lowest index on a tie (windows are in index order)
        WindowRecord easiest = null;
        int bitsMissing = 0;
        String bitsWhy = null;
        for (WindowRecord w : windows) {
            if (w.bitsToExtract() == null) {
                bitsMissing++;
                if (bitsWhy == null) {
                    bitsWhy =
                            "window "
                                    + w.window()
                                    + ": "
                                    + (w.bitsNotMeasured() == null
                                            ? "no bits and no reason recorded"
                                            : w.bitsNotMeasured());
                }
            } else if (easiest == null
                    || w.bitsToExtract() < easiest.bitsToExtract()
                    || (w.bitsToExtract().equals(easiest.bitsToExtract())
                            && w.window() < easiest.window())) {
                easiest = w;
            }
        }

        double[] pz = pzByWindow.clone();
        Arrays.sort(pz);
        ExtractWork.PzQuantiles quantiles =
                pz.length == 0
                        ? new ExtractWork.PzQuantiles(null, null, null)
                        : new ExtractWork.PzQuantiles(
                                Quantiles.ofSorted(pz, 0.5),
                                Quantiles.ofSorted(pz, 0.9),
                                pz[pz.length - 1]);

        return new ExtractWork(
                windows.size(),
                skippedWindows,
                tokens,
                coverage,
                byScheme,
                coverageNotMeasured,
                greedy,
                windows.isEmpty() ? 0.0 : (double) greedy / windows.size(),
                longest,
                quantiles,
                attempts(tokens, windows, attempts, attemptScheme, where),
                reconstruction,
                easiest == null ? null : easiestWindow(easiest, text, where),
                bitsMissing,
                bitsWhy,
                null);
    }

    /**
     * The commonness control over a work's windows: the median of their log ratios and how many
     * fall below ln 10 ({@link WindowRecord#SAID_ANYWAY_LOG_RATIO}), over the windows whose prior
     * was measured.
     */
    public static ExtractWork.PriorWork prior(List<WindowRecord> windows) {
        double[] ratios =
                windows.stream()
                        .filter(w -> w.prior() != null)
                        .mapToDouble(w -> w.prior().logRatio())
                        .sorted()
                        .toArray();
        int below = 0;
        for (double r : ratios) {
            below += r < WindowRecord.SAID_ANYWAY_LOG_RATIO ? 1 : 0;
        }
        return new ExtractWork.PriorWork(
                ratios.length,
                ratios.length == 0 ? null : Quantiles.ofSorted(ratios, 0.5),
                below,
                ratios.length == 0 ? null : (double) below / ratios.length,
                WindowRecord.SAID_ANYWAY_LOG_RATIO);
    }

    private static ExtractWork.EasiestWindow easiestWindow(
            WindowRecord w, String text, String where) {
        int n = CodePoints.count(text);
        if (w.suffixCharEnd() > n || w.suffixCharStart() > w.suffixCharEnd()) {
            throw MemauditException.integrity(
                    where
                            + ": window "
                            + w.window()
                            + " of "
                            + w.workId()
                            + " has suffix ["
                            + w.suffixCharStart()
                            + ", "
                            + w.suffixCharEnd()
                            + ") outside the work's "
                            + n
                            + " code points");
        }
        return new ExtractWork.EasiestWindow(
                w.workId(),
                w.window(),
                w.suffixCharStart(),
                w.suffixCharEnd(),
                w.bitsToExtract(),
                w.bitsRanksBeyondM() == null ? 0 : w.bitsRanksBeyondM(),
                CodePoints.substring(text, w.suffixCharStart(), w.suffixCharEnd()));
    }

    private static ExtractWork.Attempts attempts(
            int tokens, List<WindowRecord> windows, Attempts a, String scheme, String where) {
        Map<Integer, WindowRecord> byIndex = new HashMap<>();
        for (WindowRecord w : windows) {
            byIndex.put(w.window(), w);
        }
        int n = 0;
        double expected = 0;
        String notMeasured = null;
        for (Map.Entry<Integer, Integer> e : a.sampledByWindow.entrySet()) {
            WindowRecord w = byIndex.get(e.getKey());
            if (w == null) {
                throw MemauditException.integrity(
                        where + ": attempts of window " + e.getKey() + " that has no record");
            }
            Double p = w.pZ().get(scheme);
            n += e.getValue();
            if (p == null) {
                // a scheme the backend could not measure for this window: the expected rate is
                // unknown, not lower
                if (notMeasured == null) {
                    String why = w.notMeasuredOrEmpty().get(scheme);
                    notMeasured =
                            "p_z under "
                                    + scheme
                                    + " not measured for window "
                                    + w.window()
                                    + (why == null ? "" : ": " + why);
                }
            } else {
                expected += p * e.getValue();
            }
        }
        ExtractWork.Empirical empirical =
                empirical(
                        scheme,
                        a.k,
                        n,
                        notMeasured == null ? expected / n : null,
                        notMeasured == null ? null : Map.of("expected_rate", notMeasured));
        ExtractWork.Empirical empiricalNear =
                empirical(scheme, a.kNear, n, null, Map.of("expected_rate", NEAR_EXPECTED));
        return new ExtractWork.Attempts(
                a.total,
                a.exact,
                a.near,
                a.skipped,
                a.greedyExact,
                a.greedyNear,
                empirical,
                empiricalNear,
                attemptCoverage(tokens, windows, a));
    }

    /** Why a near rate has no expected rate. */
    static final String NEAR_EXPECTED =
            "p_z is the probability of the exact suffix; no probability of a near suffix is"
                    + " measured";

    /**
     * k of n sampled attempts with their Clopper–Pearson 95% interval; rate, interval and expected
     * rate null when n = 0 (and {@code notMeasured} dropped then).
     */
    static ExtractWork.Empirical empirical(
            String scheme, int k, int n, Double expected, Map<String, String> notMeasured) {
        if (n == 0) {
            return new ExtractWork.Empirical(scheme, k, n, null, null, null, null, null);
        }
        ClopperPearson.Interval ci = ClopperPearson.interval(k, n, 0.95);
        return new ExtractWork.Empirical(
                scheme, k, n, (double) k / n, ci.low(), ci.high(), expected, notMeasured);
    }

    /**
     * Coverage by attempts ({@link ExtractWork.AttemptCoverage}): tokens in the suffix of a window
     * with an exact (near) attempt over the work's tokens.
     */
    static ExtractWork.AttemptCoverage attemptCoverage(
            int tokens, List<WindowRecord> windows, Attempts a) {
        boolean[] exact = new boolean[tokens];
        boolean[] near = new boolean[tokens];
        for (WindowRecord w : windows) {
            if (a.exactWindows.contains(w.window())) {
                mark(exact, w);
            }
            if (a.nearWindows.contains(w.window())) {
                mark(near, w);
            }
        }
        int e = count(exact);
        int nr = count(near);
        boolean measured = !a.attempted.isEmpty() && tokens > 0;
        return new ExtractWork.AttemptCoverage(
                a.attempted.size(),
                e,
                nr,
                tokens,
                measured ? (double) e / tokens : null,
                measured ? (double) nr / tokens : null);
    }

    /**
     * The run's rates: k and n of the works' sampled attempts summed, one interval over the pooled
     * attempts; the expected rate the attempt-weighted mean of the works' (null when one work's is
     * not measured, with its reason).
     */
    static ExtractWork.Empirical pooled(
            String scheme, List<ExtractWork.Empirical> works, boolean near) {
        int k = 0;
        int n = 0;
        double expected = 0;
        String notMeasured = near ? NEAR_EXPECTED : null;
        for (ExtractWork.Empirical e : works) {
            k += e.k();
            n += e.n();
            if (e.n() == 0 || near) {
                continue;
            }
            if (e.expectedRate() == null) {
                if (notMeasured == null) {
                    notMeasured =
                            e.notMeasured() == null
                                    ? "expected rate not measured for a work"
                                    : e.notMeasured().get("expected_rate");
                }
            } else {
                expected += e.expectedRate() * e.n();
            }
        }
        return empirical(
                scheme,
                k,
                n,
                notMeasured == null && n > 0 ? expected / n : null,
                notMeasured == null ? null : Map.of("expected_rate", notMeasured));
    }

    /** The run's coverage by attempts: covered and total tokens summed over the works. */
    static ExtractWork.AttemptCoverage pooledCoverage(List<ExtractWork.AttemptCoverage> works) {
        int windows = 0;
        long e = 0;
        long nr = 0;
        long tokens = 0;
        for (ExtractWork.AttemptCoverage c : works) {
            windows += c.windowsWithAttempts();
            e += c.exactTokens();
            nr += c.nearTokens();
            tokens += c.tokens();
        }
        boolean measured = windows > 0 && tokens > 0;
        return new ExtractWork.AttemptCoverage(
                windows,
                e,
                nr,
                tokens,
                measured ? (double) e / tokens : null,
                measured ? (double) nr / tokens : null);
    }

    /**
     * Coverage by threshold: the share of the work's {@code tokens} that lie in the suffix of at
     * least one window whose p_z ({@code pz[i]} for {@code windows.get(i)}) reaches τ. Prefix
     * tokens are not counted: a window's prefix is given to the model, only its suffix is shown to
     * be reproducible. 0 for a work of no tokens.
     */
    static Map<String, Double> coverage(int tokens, List<WindowRecord> windows, double[] pz) {
        Map<String, Double> coverage = new LinkedHashMap<>();
        for (double tau : TAUS) {
            boolean[] covered = new boolean[tokens];
            for (int i = 0; i < windows.size(); i++) {
                if (pz[i] >= tau) {
                    mark(covered, windows.get(i));
                }
            }
            coverage.put(
                    Double.toString(tau), tokens == 0 ? 0.0 : (double) count(covered) / tokens);
        }
        return coverage;
    }

    /** Marks the suffix tokens of {@code w}: [suffix_token_start, suffix_token_end). */
    private static void mark(boolean[] covered, WindowRecord w) {
        int e = Math.min(covered.length, w.suffixTokenEnd());
        for (int t = w.suffixTokenStart(); t < e; t++) {
            covered[t] = true;
        }
    }

    private static int count(boolean[] b) {
        int c = 0;
        for (boolean x : b) {
            c += x ? 1 : 0;
        }
        return c;
    }
}
