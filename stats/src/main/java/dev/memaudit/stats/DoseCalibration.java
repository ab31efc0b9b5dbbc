package dev.memaudit.stats;

import dev.memaudit.core.records.ppl.ChunkRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Calibration on ladder canaries (works planted at a ladder of doses, dose 0 = held-out
 * in-distribution non-members), per dose and pooled over the canaries (seeds):
 *
 * <ul>
 *   <li>per membership feature, the AUC and the TPR at 1 % FPR of the chunks of dose-d works
 *       against the chunks of dose-0 works: computed per canary (each canary's dose-d chunks
 *       against its own dose-0 chunks), then averaged over the canaries;
 *   <li>the per-work aggregate test, a work called significant when its p is below α / n₀ (n₀ = the
 *       canary's tested dose-0 works, a Bonferroni threshold): its false-positive rate on dose-0
 *       works and its power at each dose ≥ 1, counts pooled over canaries, with Clopper–Pearson
 *       intervals;
 *   <li>extraction: the mean over works (each canary's works pooled) of the coverage at p_z ≥ 0.5
 *       and of the greedy share (the work's share of windows whose greedy continuation is the true
 *       suffix);
 *   <li>the log-linear dose–response: the least-squares line of a work's greedy share (and of its
 *       coverage) on log10(dose) over the works at doses ≥ 1.
 * </ul>
 *
 * <p>Intervals other than Clopper–Pearson are {@value #LEVEL_PERCENT} % percentile bootstraps over
 * works ({@value #RESAMPLES} resamples, seeded): each resample draws, within every canary and every
 * dose, as many works as there are, with replacement, and recomputes the figure from the drawn
 * works' chunks or values. Works, not chunks, are the units: the chunks of one work are not
 * independent. A figure that could not be computed is {@link Estimate#notMeasured} with the reason,
 * never 0.
 */
public final class DoseCalibration {
    /** Confidence level of every interval. */
    public static final double LEVEL = 0.95;

    static final int LEVEL_PERCENT = 95;

    /** Bootstrap resamples of every bootstrap interval. */
    public static final int RESAMPLES = 1000;

    /** How the bootstrap intervals are drawn (for the outputs). */
    public static final String BOOTSTRAP =
            "95 % percentile bootstrap over works (1000 resamples, works drawn with replacement"
                    + " within each canary and dose)";

    private DoseCalibration() {}

    /**
     * A figure with its interval, or not measured.
     *
     * @param value the estimate, NaN when not measured
     * @param low lower end of the interval (NaN when not measured)
     * @param high upper end of the interval (NaN when not measured)
     * @param units the units it is computed from (works, or canary × work pairs)
     * @param notMeasured why it is not measured, or null
     */
    public record Estimate(double value, double low, double high, int units, String notMeasured) {
        static Estimate of(double value, double low, double high, int units) {
            return new Estimate(value, low, high, units, null);
        }

        static Estimate notMeasured(String why, int units) {
            return new Estimate(Double.NaN, Double.NaN, Double.NaN, units, why);
        }

        public boolean measured() {
            return notMeasured == null;
        }
    }

    /**
     * Extraction figures of one work on one canary.
     *
     * @param windows windows scored (a work with none has no figures)
     * @param coverage share of its tokens in the suffix of a window with p_z (t1) ≥ 0.5
     * @param greedyShare share of its windows whose greedy continuation is the true suffix
     */
    public record Extraction(int windows, double coverage, double greedyShare) {}

    /**
     * One ladder canary.
     *
     * @param seed its seed
     * @param chunks its ppl chunks (works and controls)
     * @param doses dose of every work (0 = held out), by id
     * @param stats the per-work statistics of its ppl run
     * @param extraction extraction figures by work id (a work absent was not extracted)
     */
    public record Run(
            long seed,
            List<ChunkRecord> chunks,
            Map<String, Integer> doses,
            MembershipStatistics.Result stats,
            Map<String, Extraction> extraction) {
        public Run {
            doses = Map.copyOf(doses);
            extraction = Map.copyOf(extraction);
        }
    }

    /** One feature at one dose ≥ 1 against dose 0. */
    public record FeatureDose(
            String feature, Orientation orientation, int dose, Estimate auc, Estimate tpr) {}

    /**
     * The per-work test at one dose: at dose 0 its false-positive rate, above its power.
     *
     * @param tested works tested (pooled over canaries)
     * @param untested works at this dose whose test did not run
     * @param significant of the tested, those with p &lt; α / n₀
     * @param rate significant / tested with its Clopper–Pearson interval
     */
    public record TestDose(int dose, int tested, int untested, int significant, Estimate rate) {}

    /**
     * Extraction at one dose, over the canary × work pairs.
     *
     * @param works canary × work pairs at this dose (extracted or not)
     */
    public record ExtractionDose(int dose, int works, Estimate coverage, Estimate greedyShare) {}

    /**
     * A least-squares line y = intercept + slope · log10(dose) over works at doses ≥ 1.
     *
     * @param slope change of y per tenfold dose, with its bootstrap interval
     * @param intercept y at dose 1 (NaN when not measured)
     */
    public record LogLinearFit(Estimate slope, double intercept) {}

    /** The calibration. */
    public record Table(
            double alpha,
            long bootstrapSeed,
            List<Long> seeds,
            List<Integer> doses,
            List<FeatureDose> features,
            List<TestDose> tests,
            List<ExtractionDose> extraction,
            LogLinearFit greedySlope,
            LogLinearFit coverageSlope) {}

    /**
     * Summarizes ladder canaries.
     *
     * @param alpha family-wise significance level of the per-work test
     * @param bootstrapSeed seed of every bootstrap
     */
    public static Table summarize(List<Run> runs, double alpha, long bootstrapSeed) {
        TreeSet<Integer> doseSet = new TreeSet<>();
        TreeSet<String> names = new TreeSet<>();
        List<Long> seeds = new ArrayList<>();
        for (Run r : runs) {
            seeds.add(r.seed());
            doseSet.addAll(r.doses().values());
            r.chunks().forEach(c -> names.addAll(c.features().keySet()));
        }
        List<Integer> doses = List.copyOf(doseSet);
        List<FeatureDose> features = new ArrayList<>();
        for (String name : names) {
            Orientation o = Orientation.ofFeature(name);
            for (int d : doses) {
                if (d > 0) {
                    features.add(featureDose(runs, name, o, d, bootstrapSeed));
                }
            }
        }
        List<TestDose> tests = new ArrayList<>();
        for (int d : doses) {
            tests.add(testDose(runs, d, alpha));
        }
        List<ExtractionDose> extraction = new ArrayList<>();
        for (int d : doses) {
            extraction.add(
                    new ExtractionDose(
                            d,
                            worksAt(runs, d),
                            meanOf(runs, d, Extraction::coverage, mix(bootstrapSeed, "cov", d)),
                            meanOf(
                                    runs,
                                    d,
                                    Extraction::greedyShare,
                                    mix(bootstrapSeed, "greedy", d))));
        }
        return new Table(
                alpha,
                bootstrapSeed,
                seeds,
                doses,
                features,
                tests,
                extraction,
                slopeOf(runs, Extraction::greedyShare, mix(bootstrapSeed, "greedy-slope", 0)),
                slopeOf(runs, Extraction::coverage, mix(bootstrapSeed, "cov-slope", 0)));
    }

    // ---- features ----

    /** A canary's feature values per work (memberward), for works at one dose. */
    private static List<double[]> byWork(Run r, String name, Orientation o, int dose) {
        Map<String, List<Double>> v = new TreeMap<>();
        for (ChunkRecord c : r.chunks()) {
            Integer d = c.isControl() ? null : r.doses().get(c.workId());
            Double x = c.features().get(name);
            if (d != null && d == dose && x != null && Double.isFinite(x)) {
                v.computeIfAbsent(c.workId(), k -> new ArrayList<>()).add(o.memberward(x));
            }
        }
        List<double[]> out = new ArrayList<>();
        for (List<Double> w : v.values()) {
            out.add(w.stream().mapToDouble(Double::doubleValue).toArray());
        }
        return out;
    }

    private static FeatureDose featureDose(
            List<Run> runs, String name, Orientation o, int dose, long seed) {
        List<List<double[]>> pos = new ArrayList<>();
        List<List<double[]>> neg = new ArrayList<>();
        int posWorks = 0;
        int negWorks = 0;
        for (Run r : runs) {
            List<double[]> p = byWork(r, name, o, dose);
            List<double[]> n = byWork(r, name, o, 0);
            if (!p.isEmpty() && !n.isEmpty()) {
                pos.add(p);
                neg.add(n);
                posWorks += p.size();
                negWorks += n.size();
            }
        }
        if (pos.isEmpty()) {
            String why =
                    "no canary has chunks with "
                            + name
                            + " both of dose-"
                            + dose
                            + " and of dose-0 works";
            return new FeatureDose(
                    name, o, dose, Estimate.notMeasured(why, 0), Estimate.notMeasured(why, 0));
        }
        int units = posWorks + negWorks;
        double auc = 0;
        double tpr = 0;
        for (int i = 0; i < pos.size(); i++) {
            double[] p = concat(pos.get(i));
            double[] n = concat(neg.get(i));
            auc += Roc.auc(p, n);
            tpr += Roc.tprAtFpr(p, n, Calibration.LOW_FPR);
        }
        auc /= pos.size();
        tpr /= pos.size();
        SplittableRandom rng = new SplittableRandom(mix(seed, name, dose));
        double[] aucs = new double[RESAMPLES];
        double[] tprs = new double[RESAMPLES];
        for (int b = 0; b < RESAMPLES; b++) {
            double a = 0;
            double t = 0;
            for (int i = 0; i < pos.size(); i++) {
                double[] p = concat(resample(pos.get(i), rng));
                double[] n = concat(resample(neg.get(i), rng));
                a += Roc.auc(p, n);
                t += Roc.tprAtFpr(p, n, Calibration.LOW_FPR);
            }
            aucs[b] = a / pos.size();
            tprs[b] = t / pos.size();
        }
        return new FeatureDose(
                name, o, dose, interval(auc, aucs, units), interval(tpr, tprs, units));
    }

    private static <T> List<T> resample(List<T> v, SplittableRandom rng) {
        List<T> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            out.add(v.get(rng.nextInt(v.size())));
        }
        return out;
    }

    private static double[] concat(List<double[]> parts) {
        int n = 0;
        for (double[] p : parts) {
            n += p.length;
        }
        double[] out = new double[n];
        int at = 0;
        for (double[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static Estimate interval(double value, double[] resampled, int units) {
        double[] s = resampled.clone();
        Arrays.sort(s);
        return Estimate.of(
                value,
                Quantiles.ofSorted(s, (1 - LEVEL) / 2),
                Quantiles.ofSorted(s, (1 + LEVEL) / 2),
                units);
    }

    // ---- the per-work test ----

    /**
     * The per-work test at {@code dose}: in each canary a work is significant when its aggregate p
     * is below α / n₀, n₀ the canary's dose-0 works whose test ran; counts pooled over canaries.
     */
    static TestDose testDose(List<Run> runs, int dose, double alpha) {
        int tested = 0;
        int untested = 0;
        int significant = 0;
        int withoutThreshold = 0;
        for (Run r : runs) {
            int n0 = 0;
            for (MembershipStatistics.WorkStats w : r.stats().works()) {
                Integer d = r.doses().get(w.workId());
                if (d != null && d == 0 && !Double.isNaN(w.aggregate().p())) {
                    n0++;
                }
            }
            for (MembershipStatistics.WorkStats w : r.stats().works()) {
                Integer d = r.doses().get(w.workId());
                if (d == null || d != dose) {
                    continue;
                }
                double p = w.aggregate().p();
                if (Double.isNaN(p) || n0 == 0) {
                    untested++;
                    withoutThreshold += n0 == 0 && !Double.isNaN(p) ? 1 : 0;
                    continue;
                }
                tested++;
                significant += p < alpha / n0 ? 1 : 0;
            }
        }
        if (tested == 0) {
            String why =
                    untested == 0
                            ? "no work at dose " + dose
                            : withoutThreshold > 0
                                    ? "no dose-0 work was tested, so there is no threshold α / n₀"
                                    : "the test of no dose-"
                                            + dose
                                            + " work ran (too little work or control text)";
            return new TestDose(dose, 0, untested, 0, Estimate.notMeasured(why, 0));
        }
        ClopperPearson.Interval ci = ClopperPearson.interval(significant, tested, LEVEL);
        return new TestDose(
                dose,
                tested,
                untested,
                significant,
                Estimate.of(significant / (double) tested, ci.low(), ci.high(), tested));
    }

    // ---- extraction ----

    private interface Figure {
        double of(Extraction e);
    }

    /** The figure of every extracted work with windows at {@code dose}, per canary. */
    private static List<List<Double>> valuesAt(List<Run> runs, int dose, Figure f) {
        List<List<Double>> out = new ArrayList<>();
        for (Run r : runs) {
            List<Double> v = new ArrayList<>();
            for (Map.Entry<String, Integer> e : new TreeMap<>(r.doses()).entrySet()) {
                Extraction x = r.extraction().get(e.getKey());
                if (e.getValue() == dose && x != null && x.windows() > 0) {
                    v.add(f.of(x));
                }
            }
            out.add(v);
        }
        return out;
    }

    private static int worksAt(List<Run> runs, int dose) {
        int n = 0;
        for (Run r : runs) {
            n += (int) r.doses().values().stream().filter(d -> d == dose).count();
        }
        return n;
    }

    private static Estimate meanOf(List<Run> runs, int dose, Figure f, long seed) {
        List<List<Double>> v = valuesAt(runs, dose, f);
        int units = v.stream().mapToInt(List::size).sum();
        if (units == 0) {
            int works = worksAt(runs, dose);
            return Estimate.notMeasured(
                    works == 0
                            ? "no work at dose " + dose
                            : "none of the "
                                    + works
                                    + " dose-"
                                    + dose
                                    + " works was extracted with at least one window",
                    0);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        double[] means = new double[RESAMPLES];
        for (int b = 0; b < RESAMPLES; b++) {
            double s = 0;
            for (List<Double> canary : v) {
                for (Double x : resample(canary, rng)) {
                    s += x;
                }
            }
            means[b] = s / units;
        }
        double s = 0;
        for (List<Double> canary : v) {
            for (double x : canary) {
                s += x;
            }
        }
        return interval(s / units, means, units);
    }

    /**
     * Least squares of y on x: {slope, intercept}; NaN slope when x does not vary.
     *
     * @param x predictor values
     * @param y responses, as many
     */
    public static double[] leastSquares(double[] x, double[] y) {
        if (x.length != y.length || x.length == 0) {
            throw new IllegalArgumentException(
                    "least squares needs as many y as x, at least one, got "
                            + x.length
                            + " and "
                            + y.length);
        }
        double mx = 0;
        double my = 0;
        for (int i = 0; i < x.length; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= x.length;
        my /= x.length;
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        double slope = sxx > 0 ? sxy / sxx : Double.NaN;
        return new double[] {slope, my - slope * mx};
    }

    /**
     * The line of a work's figure on log10(dose) over works at doses ≥ 1; its interval resamples
     * works within each canary and dose, so every resample keeps the dose design.
     */
    private static LogLinearFit slopeOf(List<Run> runs, Figure f, long seed) {
        // per canary, per dose ≥ 1: the works' values
        List<Map<Integer, List<Double>>> cells = new ArrayList<>();
        TreeSet<Integer> measured = new TreeSet<>();
        int units = 0;
        for (Run r : runs) {
            Map<Integer, List<Double>> byDose = new TreeMap<>();
            for (Map.Entry<String, Integer> e : new TreeMap<>(r.doses()).entrySet()) {
                Extraction x = r.extraction().get(e.getKey());
                if (e.getValue() >= 1 && x != null && x.windows() > 0) {
                    byDose.computeIfAbsent(e.getValue(), k -> new ArrayList<>()).add(f.of(x));
                    measured.add(e.getValue());
                    units++;
                }
            }
            cells.add(byDose);
        }
        if (measured.size() < 2) {
            return new LogLinearFit(
                    Estimate.notMeasured(
                            "needs works extracted at two or more doses ≥ 1, got "
                                    + (measured.isEmpty() ? "none" : "dose " + measured.first()),
                            units),
                    Double.NaN);
        }
        double[] fit = fit(cells, null);
        SplittableRandom rng = new SplittableRandom(seed);
        double[] slopes = new double[RESAMPLES];
        for (int b = 0; b < RESAMPLES; b++) {
            slopes[b] = fit(cells, rng)[0];
        }
        return new LogLinearFit(interval(fit[0], slopes, units), fit[1]);
    }

    /** The fit over all cells, each resampled when {@code rng} is given. */
    private static double[] fit(List<Map<Integer, List<Double>>> cells, SplittableRandom rng) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (Map<Integer, List<Double>> canary : cells) {
            for (Map.Entry<Integer, List<Double>> e : canary.entrySet()) {
                List<Double> v = rng == null ? e.getValue() : resample(e.getValue(), rng);
                for (double y : v) {
                    xs.add(Math.log10(e.getKey()));
                    ys.add(y);
                }
            }
        }
        return leastSquares(
                xs.stream().mapToDouble(Double::doubleValue).toArray(),
                ys.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** A seed for one figure, derived from the run's bootstrap seed and stable names. */
    static long mix(long seed, String name, int dose) {
        long h = seed * 0x9E3779B97F4A7C15L;
        for (int i = 0; i < name.length(); i++) {
            h = (h ^ name.charAt(i)) * 0x100000001B3L;
        }
        h ^= dose * 0xC2B2AE3D27D4EB4FL;
        return h ^ (h >>> 31);
    }

    // ---- output ----

    /** An estimate as a JSON-ready map (NaN as null; {@code not_measured} when not measured). */
    public static Map<String, Object> toMap(Estimate e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("value", MembershipStatistics.finite(e.value()));
        m.put("low", MembershipStatistics.finite(e.low()));
        m.put("high", MembershipStatistics.finite(e.high()));
        m.put("units", e.units());
        if (!e.measured()) {
            m.put("not_measured", e.notMeasured());
        }
        return m;
    }

    /** The table as JSON-ready maps (NaN as null, figures not measured with their reason). */
    public static Map<String, Object> toMap(Table t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema_version", 2);
        m.put("regime", "ladder");
        m.put("alpha", t.alpha());
        m.put("seeds", t.seeds());
        m.put("doses", t.doses());
        m.put("low_fpr", Calibration.LOW_FPR);
        Map<String, Object> intervals = new LinkedHashMap<>();
        intervals.put("level", LEVEL);
        intervals.put("rates_of_works", "Clopper–Pearson");
        intervals.put("other", BOOTSTRAP);
        intervals.put("bootstrap_seed", t.bootstrapSeed());
        m.put("intervals", intervals);
        List<Map<String, Object>> tests = new ArrayList<>();
        for (TestDose d : t.tests()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("dose", d.dose());
            r.put("rate", d.dose() == 0 ? "false_positive_rate" : "power");
            r.put("tested", d.tested());
            r.put("untested", d.untested());
            r.put("significant", d.significant());
            r.put("estimate", toMap(d.rate()));
            tests.add(r);
        }
        Map<String, Object> test = new LinkedHashMap<>();
        test.put(
                "rule",
                "a work is significant when its aggregate p < α / n₀, n₀ = its canary's tested"
                        + " dose-0 works");
        test.put("by_dose", tests);
        m.put("per_work_test", test);
        List<Map<String, Object>> ex = new ArrayList<>();
        for (ExtractionDose d : t.extraction()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("dose", d.dose());
            r.put("works", d.works());
            r.put("coverage_0.5", toMap(d.coverage()));
            r.put("greedy_share", toMap(d.greedyShare()));
            ex.add(r);
        }
        Map<String, Object> extraction = new LinkedHashMap<>();
        extraction.put(
                "definition",
                "mean over canary × work pairs of the work's coverage at p_z (t1) ≥ 0.5 and of its"
                        + " share of windows whose greedy continuation is the true suffix");
        extraction.put("by_dose", ex);
        Map<String, Object> slopes = new LinkedHashMap<>();
        slopes.put("greedy_share", fitMap(t.greedySlope()));
        slopes.put("coverage_0.5", fitMap(t.coverageSlope()));
        slopes.put(
                "definition",
                "least squares of each work's figure on log10(dose) over works at doses ≥ 1;"
                        + " slope = change per tenfold dose");
        slopes.put("reference", CARLINI);
        extraction.put("log_linear_slope", slopes);
        m.put("extraction", extraction);
        List<Map<String, Object>> fs = new ArrayList<>();
        for (FeatureDose f : t.features()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("feature", f.feature());
            r.put("orientation", f.orientation().label());
            r.put("dose", f.dose());
            r.put("auc_vs_dose_0", toMap(f.auc()));
            r.put("tpr_at_1pct_fpr", toMap(f.tpr()));
            fs.add(r);
        }
        m.put("features", fs);
        return m;
    }

    /** Carlini et al. 2022's finding, as the outputs cite it. */
    public static final String CARLINI =
            "Carlini et al. 2022 (Quantifying Memorization Across Neural Language Models):"
                    + " extraction grows log-linearly with the number of duplicates";

    private static Map<String, Object> fitMap(LogLinearFit f) {
        Map<String, Object> m = new LinkedHashMap<>(toMap(f.slope()));
        m.put("intercept_at_dose_1", MembershipStatistics.finite(f.intercept()));
        return m;
    }

    /** A figure with its interval, or "not measured (reason)". */
    public static String format(Estimate e) {
        if (!e.measured()) {
            return "not measured (" + e.notMeasured() + ")";
        }
        return String.format(Locale.ROOT, "%.3f [%.3f, %.3f]", e.value(), e.low(), e.high());
    }

    private static String formatSlope(String what, LogLinearFit f) {
        if (!f.slope().measured()) {
            return what + ": not measured (" + f.slope().notMeasured() + ")";
        }
        return String.format(
                Locale.ROOT,
                "%s: %+.3f per tenfold dose [95 %% CI %.3f, %.3f] (%.3f at dose 1; %d works)",
                what,
                f.slope().value(),
                f.slope().low(),
                f.slope().high(),
                f.intercept(),
                f.slope().units());
    }

    /** The table as Markdown: the per-dose table, the slopes, then the features. */
    public static String toMarkdown(Table t) {
        return toSummary(t) + featureTables(t);
    }

    /** The per-dose table and the slopes (what {@code canary calibrate} prints). */
    public static String toSummary(Table t) {
        StringBuilder b = new StringBuilder();
        b.append(
                String.format(
                        Locale.ROOT,
                        "Ladder canaries, seeds %s, doses %s (dose 0: held-out works, in-distribution"
                                + " non-members). Figures pooled over the canaries. Intervals:"
                                + " Clopper–Pearson 95 %% for the per-work test's rates; %s"
                                + " for the rest (bootstrap seed %d). Per-work test: a work is"
                                + " significant when p < α / n₀ (α = %s, n₀ = its canary's"
                                + " dose-0 works).%n%n",
                        t.seeds(),
                        t.doses(),
                        BOOTSTRAP,
                        t.bootstrapSeed(),
                        t.alpha()));
        b.append(
                "| dose | works | significant | FPR / power [95 % CI] | coverage p_z ≥ 0.5 [95 %"
                        + " CI] | greedy share [95 % CI] |\n");
        b.append("|---|---|---|---|---|---|\n");
        for (int i = 0; i < t.doses().size(); i++) {
            TestDose d = t.tests().get(i);
            ExtractionDose x = t.extraction().get(i);
            b.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %d | %d / %d | %s %s | %s | %s |%n",
                            d.dose() == 0 ? "0 (held out)" : Integer.toString(d.dose()),
                            x.works(),
                            d.significant(),
                            d.tested(),
                            d.dose() == 0 ? "FPR" : "power",
                            format(d.rate()),
                            format(x.coverage()),
                            format(x.greedyShare())));
        }
        b.append("\nLog-linear dose–response (least squares of each work's figure on log10(dose),")
                .append(" works at doses ≥ 1):\n\n");
        b.append("- ").append(formatSlope("greedy share", t.greedySlope())).append('\n');
        b.append("- ").append(formatSlope("coverage p_z ≥ 0.5", t.coverageSlope())).append('\n');
        b.append("- ").append(CARLINI).append(".\n");
        if (hasZeroWidthBootstrap(t)) {
            b.append(
                    "\nA bootstrap interval of zero width means every work at a dose had the same"
                            + " value, so resampling works finds no spread: with few works per"
                            + " dose it understates the uncertainty, it is not certainty.\n");
        }
        return b.toString();
    }

    private static boolean hasZeroWidthBootstrap(Table t) {
        List<Estimate> all = new ArrayList<>();
        for (ExtractionDose x : t.extraction()) {
            all.add(x.coverage());
            all.add(x.greedyShare());
        }
        all.add(t.greedySlope().slope());
        all.add(t.coverageSlope().slope());
        return all.stream().anyMatch(e -> e.measured() && e.low() == e.high());
    }

    private static String featureTables(Table t) {
        StringBuilder b = new StringBuilder();
        List<Integer> positive = t.doses().stream().filter(d -> d > 0).toList();
        for (String what : List.of("AUC", "TPR @ 1% FPR")) {
            b.append(
                    String.format(
                            Locale.ROOT,
                            "%n%s of chunks of dose-d works vs chunks of dose-0 works (mean over"
                                    + " canaries)%s:%n%n| feature | orientation |",
                            what,
                            what.equals("AUC")
                                    ? ""
                                    : "; with fewer than 100 dose-0 chunks in a canary this is the"
                                            + " share above its highest dose-0 chunk (no false"
                                            + " positive), and the bootstrap interval leans high"
                                            + " (a resample's highest dose-0 chunk is never above"
                                            + " the full sample's)"));
            for (int d : positive) {
                b.append(" dose ").append(d).append(" |");
            }
            b.append("\n|---|---|").append("---|".repeat(positive.size())).append('\n');
            Map<String, List<FeatureDose>> byFeature = new LinkedHashMap<>();
            for (FeatureDose f : t.features()) {
                byFeature.computeIfAbsent(f.feature(), k -> new ArrayList<>()).add(f);
            }
            for (List<FeatureDose> row : byFeature.values()) {
                b.append("| ")
                        .append(row.get(0).feature())
                        .append(" | ")
                        .append(row.get(0).orientation().label())
                        .append(" |");
                for (FeatureDose f : row) {
                    b.append(' ')
                            .append(format(what.equals("AUC") ? f.auc() : f.tpr()))
                            .append(" |");
                }
                b.append('\n');
            }
        }
        return b.toString();
    }
}
