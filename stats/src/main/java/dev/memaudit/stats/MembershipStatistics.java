package dev.memaudit.stats;

import dev.memaudit.core.records.ppl.ChunkRecord;
import dev.memaudit.core.records.ppl.PplStatsSettings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Per-work membership statistics of a ppl run: each work's chunk features against the control
 * chunks, plus the self-checks that keep the test honest. Pure computation over {@link
 * ChunkRecord}s; {@code extractor.ppl.PplStatsFiles} writes the result into a run folder.
 *
 * <p>Per work and feature: one-sided Welch t-test and Mann–Whitney U test in the feature's member
 * direction, the gap {@code mean(work) − mean(controls)} with a percentile bootstrap interval, and
 * Cohen's d (same sign as the gap). The aggregate is {@link DatasetInference} over the features
 * every chunk has; its p-values are adjusted across works by Holm and by Benjamini–Hochberg.
 *
 * <p>Self-checks: (1) the control texts are split in two halves (by text, seeded) and the second
 * half is tested as if it were a suspect work against the first, with the same aggregate test; a
 * significant result means the controls are not one population and no p-value of this run can be
 * trusted. (2) Each control text is tested as a suspect against the other controls (leave one out):
 * the share significant at α estimates this run's false-positive rate. (3) Works and controls are
 * compared on properties that move perplexity without membership: characters per token and zlib
 * compression ratio; a large difference is a warning.
 */
public final class MembershipStatistics {
    /** Status of a work or check whose test ran. */
    public static final String OK = "ok";

    /** Status when the controls are too few or too short for a test. */
    public static final String NOT_ENOUGH_CONTROL = "not enough control text";

    /** Status when the work has too few chunks (fewer than 2) for a test. */
    public static final String NOT_ENOUGH_WORK = "not enough work text";

    /** Cohen's d above which works and controls "differ in obvious ways". */
    public static final double OBVIOUS_D = 1.0;

    /** Relative difference of means above which works and controls differ in obvious ways. */
    public static final double OBVIOUS_RELATIVE = 0.10;

    private MembershipStatistics() {}

    /** Statistics of one feature of one work. NaN where not computable. */
    public record FeatureStats(
            String name,
            Orientation orientation,
            int workChunks,
            int controlChunks,
            double workMean,
            double controlMean,
            double gap,
            double gapCiLow,
            double gapCiHigh,
            double effectSize,
            double welchP,
            double mannWhitneyP,
            double textP) {}

    /** The dataset-inference aggregate of one work. */
    public record Aggregate(
            double p,
            double pChunks,
            double pTexts,
            double effect,
            double pHolm,
            double pBh,
            int testChunks,
            int testControlChunks,
            List<String> features,
            Map<String, Double> weights) {
        Aggregate withAdjusted(double holm, double bh) {
            return new Aggregate(
                    p,
                    pChunks,
                    pTexts,
                    effect,
                    holm,
                    bh,
                    testChunks,
                    testControlChunks,
                    features,
                    weights);
        }
    }

    /** All statistics of one work. */
    public record WorkStats(
            String workId,
            int chunks,
            String status,
            List<FeatureStats> features,
            Aggregate aggregate,
            List<String> warnings) {}

    /**
     * A self-check: one group of control texts tested as a suspect against another.
     *
     * @param method {@code "by_text"} or, with a single control text, {@code "by_chunk"}
     */
    public record ControlSplit(
            String status,
            String method,
            List<String> suspectTexts,
            List<String> controlTexts,
            int suspectChunks,
            int controlChunks,
            double p,
            boolean significant) {}

    /**
     * Leave-one-out false-positive check over the control texts.
     *
     * @param binomialP probability of at least {@code significant} of {@code tested} by chance when
     *     each is significant with probability α (a small value fails the check)
     */
    public record ControlLeaveOneOut(
            int tested,
            int significant,
            double rate,
            double binomialP,
            Map<String, Double> p,
            Map<String, Double> pChunks,
            Map<String, Double> effects) {}

    /** The whole result. */
    public record Result(
            PplStatsSettings settings,
            int workChunks,
            int controlChunks,
            List<String> controlTexts,
            List<String> featureNames,
            List<WorkStats> works,
            ControlSplit controlSplit,
            ControlLeaveOneOut controlLeaveOneOut,
            List<String> warnings) {}

    /** Computes everything from a run's chunks. */
    public static Result compute(List<ChunkRecord> chunks, PplStatsSettings settings) {
        Map<String, List<ChunkRecord>> works = new TreeMap<>();
        Map<String, List<ChunkRecord>> controlsByText = new TreeMap<>();
        List<ChunkRecord> controls = new ArrayList<>();
        TreeSet<String> names = new TreeSet<>();
        for (ChunkRecord c : chunks) {
            names.addAll(c.features().keySet());
            if (c.isControl()) {
                controls.add(c);
                controlsByText.computeIfAbsent(c.workId(), k -> new ArrayList<>()).add(c);
            } else {
                works.computeIfAbsent(c.workId(), k -> new ArrayList<>()).add(c);
            }
        }
        List<String> featureNames = List.copyOf(names);
        boolean enoughControl =
                controls.size() >= settings.minControlChunks()
                        && controlsByText.size() >= settings.minControlTexts();
        List<String> warnings = new ArrayList<>();
        if (!enoughControl) {
            warnings.add(
                    String.format(
                            Locale.ROOT,
                            "not enough control text: %d chunks from %d texts, the tests need at"
                                    + " least %d chunks from %d texts; no p-values are reported",
                            controls.size(),
                            controlsByText.size(),
                            settings.minControlChunks(),
                            settings.minControlTexts()));
        }

        ControlLeaveOneOut loo = leaveOneOut(controlsByText, featureNames, enoughControl, settings);
        double[] nullEffects =
                loo.effects().values().stream()
                        .filter(v -> v != null && Double.isFinite(v))
                        .mapToDouble(Double::doubleValue)
                        .toArray();
        List<WorkStats> out = new ArrayList<>();
        for (Map.Entry<String, List<ChunkRecord>> e : works.entrySet()) {
            out.add(
                    workStats(
                            e.getKey(),
                            e.getValue(),
                            controls,
                            featureNames,
                            enoughControl,
                            settings,
                            nullEffects));
        }
        out = adjust(out);

        List<ChunkRecord> allWork = new ArrayList<>();
        works.values().forEach(allWork::addAll);
        if (!allWork.isEmpty() && !controls.isEmpty()) {
            warnings.addAll(obviousDifferences("the works", allWork, controls));
        }
        ControlSplit split =
                controlSplit(controlsByText, featureNames, enoughControl, settings, loo.effects());
        if (split.significant()) {
            warnings.add(
                    String.format(
                            Locale.ROOT,
                            "self-check failed: one half of the control texts tested as a suspect"
                                    + " against the other gives p = %.3g < α = %s; the controls"
                                    + " are not one population and per-work p-values are not"
                                    + " trustworthy",
                            split.p(),
                            settings.alpha()));
        }
        loo.p()
                .forEach(
                        (text, p) -> {
                            if (p != null && p < settings.alpha()) {
                                warnings.add(
                                        String.format(
                                                Locale.ROOT,
                                                "self-check: control text %s, tested as if it were"
                                                        + " a work against the other controls, is"
                                                        + " significant (p = %.3g): texts like it"
                                                        + " would be false positives",
                                                text,
                                                p));
                            }
                        });
        if (loo.tested() > 0 && loo.binomialP() < settings.alpha()) {
            warnings.add(
                    String.format(
                            Locale.ROOT,
                            "self-check: %d of %d control texts tested against the others are"
                                    + " significant at α = %s (that many or more by chance: p ="
                                    + " %.3g); a significant work may differ from the controls"
                                    + " for reasons other than training",
                            loo.significant(),
                            loo.tested(),
                            settings.alpha(),
                            loo.binomialP()));
        }
        return new Result(
                settings,
                allWork.size(),
                controls.size(),
                List.copyOf(controlsByText.keySet()),
                featureNames,
                out,
                split,
                loo,
                warnings);
    }

    private static WorkStats workStats(
            String id,
            List<ChunkRecord> work,
            List<ChunkRecord> controls,
            List<String> names,
            boolean enoughControl,
            PplStatsSettings s,
            double[] nullEffects) {
        long seed = mix(s.seed(), id);
        List<FeatureStats> features = new ArrayList<>();
        boolean enoughWork = work.size() >= 2;
        boolean test = enoughControl && enoughWork;
        for (String name : names) {
            double[] w = values(work, name);
            double[] c = values(controls, name);
            Orientation o = Orientation.ofFeature(name);
            double gap = TwoSampleTests.mean(w) - TwoSampleTests.mean(c);
            double[] ci = {Double.NaN, Double.NaN};
            double d = Double.NaN;
            double welch = Double.NaN;
            double mw = Double.NaN;
            double textP = Double.NaN;
            if (test && w.length >= 2 && c.length >= 2) {
                textP =
                        TwoSampleTests.predictionGreater(
                                o.memberward(TwoSampleTests.mean(w)), textMeans(controls, name, o));
                ci =
                        TwoSampleTests.bootstrapMeanGap(
                                w, c, s.bootstrapResamples(), s.ciLevel(), mix(seed, name));
                d = TwoSampleTests.cohensD(w, c);
                welch =
                        o == Orientation.HIGHER_IS_MEMBER
                                ? TwoSampleTests.welchGreater(w, c)
                                : TwoSampleTests.welchGreater(c, w);
                mw =
                        o == Orientation.HIGHER_IS_MEMBER
                                ? TwoSampleTests.mannWhitneyGreater(w, c)
                                : TwoSampleTests.mannWhitneyGreater(c, w);
            }
            features.add(
                    new FeatureStats(
                            name,
                            o,
                            w.length,
                            c.length,
                            TwoSampleTests.mean(w),
                            TwoSampleTests.mean(c),
                            gap,
                            ci[0],
                            ci[1],
                            d,
                            welch,
                            mw,
                            textP));
        }
        Aggregate agg = aggregate(work, controls, names, test, seed, nullEffects);
        String status = !enoughControl ? NOT_ENOUGH_CONTROL : !enoughWork ? NOT_ENOUGH_WORK : OK;
        List<String> warnings =
                controls.isEmpty() ? List.of() : obviousDifferences(id, work, controls);
        return new WorkStats(id, work.size(), status, features, agg, warnings);
    }

    /**
     * The dataset-inference aggregate of a suspect set against control chunks.
     *
     * @param nullEffects the effects of the control texts each tested against the others (the
     *     leave-one-out null), or null for no text-level test
     */
    private static Aggregate aggregate(
            List<ChunkRecord> suspect,
            List<ChunkRecord> controls,
            List<String> names,
            boolean test,
            long seed,
            double[] nullEffects) {
        List<String> common = new ArrayList<>();
        for (String name : names) {
            if (allHave(suspect, name) && allHave(controls, name)) {
                common.add(name);
            }
        }
        if (!test || common.isEmpty()) {
            return new Aggregate(
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    0,
                    0,
                    common,
                    Map.of());
        }
        DatasetInference.Result r =
                DatasetInference.test(
                        matrix(suspect, common),
                        texts(suspect),
                        matrix(controls, common),
                        texts(controls),
                        seed);
        Map<String, Double> weights = new TreeMap<>();
        for (int j = 0; j < r.features().length; j++) {
            weights.put(common.get(r.features()[j]), r.weights()[j]);
        }
        double pTexts =
                nullEffects == null
                        ? Double.NaN
                        : TwoSampleTests.predictionGreater(r.effect(), nullEffects);
        double p = nullEffects == null ? r.p() : Math.max(r.p(), pTexts);
        return new Aggregate(
                p,
                r.p(),
                pTexts,
                r.effect(),
                Double.NaN,
                Double.NaN,
                r.testSuspect(),
                r.testControl(),
                common,
                weights);
    }

    private static List<WorkStats> adjust(List<WorkStats> works) {
        double[] p = new double[works.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = works.get(i).aggregate().p();
        }
        double[] holm = MultipleTesting.holm(p);
        double[] bh = MultipleTesting.benjaminiHochberg(p);
        List<WorkStats> out = new ArrayList<>();
        for (int i = 0; i < p.length; i++) {
            WorkStats w = works.get(i);
            out.add(
                    new WorkStats(
                            w.workId(),
                            w.chunks(),
                            w.status(),
                            w.features(),
                            w.aggregate().withAdjusted(holm[i], bh[i]),
                            w.warnings()));
        }
        return out;
    }

    private static ControlSplit controlSplit(
            Map<String, List<ChunkRecord>> byText,
            List<String> names,
            boolean enoughControl,
            PplStatsSettings s,
            Map<String, Double> looEffects) {
        List<String> texts = new ArrayList<>(byText.keySet());
        if (!enoughControl) {
            return new ControlSplit(
                    NOT_ENOUGH_CONTROL, null, List.of(), List.of(), 0, 0, Double.NaN, false);
        }
        SplittableRandom rng = new SplittableRandom(mix(s.seed(), "control-split"));
        List<ChunkRecord> a = new ArrayList<>();
        List<ChunkRecord> b = new ArrayList<>();
        List<String> aTexts = new ArrayList<>();
        List<String> bTexts = new ArrayList<>();
        String method;
        if (texts.size() >= 2) {
            method = "by_text";
            int[] order = DatasetInference.shuffled(texts.size(), rng);
            for (int i = 0; i < order.length; i++) {
                String t = texts.get(order[i]);
                (i % 2 == 0 ? aTexts : bTexts).add(t);
                (i % 2 == 0 ? a : b).addAll(byText.get(t));
            }
        } else {
            method = "by_chunk";
            List<ChunkRecord> all = byText.get(texts.get(0));
            int[] order = DatasetInference.shuffled(all.size(), rng);
            for (int i = 0; i < order.length; i++) {
                (i % 2 == 0 ? a : b).add(all.get(order[i]));
            }
            aTexts.addAll(texts);
            bTexts.addAll(texts);
        }
        Collections.sort(aTexts);
        Collections.sort(bTexts);
        // text level as for a work: the null is the leave-one-out effects of the control half's
        // texts (computed against all other controls: an approximation); fewer than 3 texts in
        // that half leave only the chunk-level test
        double[] nullEffects =
                aTexts.stream()
                        .map(t -> looEffects.get(t))
                        .filter(v -> v != null && Double.isFinite(v))
                        .mapToDouble(Double::doubleValue)
                        .toArray();
        double p =
                aggregate(
                                b,
                                a,
                                names,
                                true,
                                mix(s.seed(), "control-split-test"),
                                method.equals("by_text") && nullEffects.length >= 3
                                        ? nullEffects
                                        : null)
                        .p();
        return new ControlSplit(
                Double.isNaN(p) ? NOT_ENOUGH_CONTROL : OK,
                method,
                bTexts,
                aTexts,
                b.size(),
                a.size(),
                p,
                p < s.alpha());
    }

    private static ControlLeaveOneOut leaveOneOut(
            Map<String, List<ChunkRecord>> byText,
            List<String> names,
            boolean enoughControl,
            PplStatsSettings s) {
        Map<String, Double> ps = new TreeMap<>();
        Map<String, Double> pChunks = new TreeMap<>();
        Map<String, Double> effects = new TreeMap<>();
        int tested = 0;
        int significant = 0;
        if (enoughControl && byText.size() >= 3) {
            for (String held : byText.keySet()) {
                List<ChunkRecord> rest = new ArrayList<>();
                byText.forEach(
                        (t, cs) -> {
                            if (!t.equals(held)) {
                                rest.addAll(cs);
                            }
                        });
                Aggregate a =
                        aggregate(byText.get(held), rest, names, true, mix(s.seed(), held), null);
                pChunks.put(held, Double.isNaN(a.p()) ? null : a.p());
                effects.put(held, Double.isFinite(a.effect()) ? a.effect() : null);
            }
            // each control text judged as a work is: its effect against the other texts' effects
            for (String held : byText.keySet()) {
                Double chunkP = pChunks.get(held);
                Double effect = effects.get(held);
                double[] others =
                        effects.entrySet().stream()
                                .filter(e -> !e.getKey().equals(held) && e.getValue() != null)
                                .mapToDouble(Map.Entry::getValue)
                                .toArray();
                double p =
                        chunkP == null || effect == null
                                ? Double.NaN
                                : others.length >= 3
                                        ? Math.max(
                                                chunkP,
                                                TwoSampleTests.predictionGreater(effect, others))
                                        : chunkP;
                ps.put(held, Double.isNaN(p) ? null : p);
                if (!Double.isNaN(p)) {
                    tested++;
                    if (p < s.alpha()) {
                        significant++;
                    }
                }
            }
        }
        double binomialP =
                tested == 0 || significant == 0
                        ? 1
                        : 1
                                - new org.hipparchus.distribution.discrete.BinomialDistribution(
                                                tested, s.alpha())
                                        .cumulativeProbability(significant - 1);
        return new ControlLeaveOneOut(
                tested,
                significant,
                tested == 0 ? Double.NaN : significant / (double) tested,
                binomialP,
                ps,
                pChunks,
                effects);
    }

    /**
     * Warnings when a set of chunks differs from the controls in a way that moves perplexity by
     * itself: characters per token (a proxy for language, domain and formatting) and zlib
     * compression ratio (repetitiveness). Both the effect size and the relative difference of means
     * must be large.
     */
    static List<String> obviousDifferences(
            String what, List<ChunkRecord> set, List<ChunkRecord> controls) {
        List<String> out = new ArrayList<>();
        compare(out, what, "characters per token", ratio(set, true), ratio(controls, true));
        compare(
                out,
                what,
                "zlib compression ratio (compressed / UTF-8 bytes)",
                ratio(set, false),
                ratio(controls, false));
        return out;
    }

    private static void compare(
            List<String> out, String what, String property, double[] x, double[] y) {
        if (x.length < 2 || y.length < 2) {
            return;
        }
        double mx = TwoSampleTests.mean(x);
        double my = TwoSampleTests.mean(y);
        double d = TwoSampleTests.cohensD(x, y);
        double rel = Math.abs(mx - my) / Math.max(1e-12, Math.abs(my));
        if (Math.abs(d) > OBVIOUS_D && rel > OBVIOUS_RELATIVE) {
            out.add(
                    String.format(
                            Locale.ROOT,
                            "%s and the controls differ in %s (%.3f vs %.3f, d = %.2f): a"
                                    + " perplexity gap may reflect the kind of text, not"
                                    + " membership",
                            what,
                            property,
                            mx,
                            my,
                            d));
        }
    }

    private static double[] ratio(List<ChunkRecord> chunks, boolean charsPerToken) {
        List<Double> v = new ArrayList<>();
        for (ChunkRecord c : chunks) {
            if (charsPerToken && c.tokens() > 0) {
                v.add(c.chars() / (double) c.tokens());
            } else if (!charsPerToken && c.bytes() > 0) {
                v.add(c.zlibBytes() / (double) c.bytes());
            }
        }
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The mean of each control text's values of a feature, turned member-ward. */
    private static double[] textMeans(List<ChunkRecord> controls, String name, Orientation o) {
        Map<String, double[]> acc = new TreeMap<>();
        for (ChunkRecord c : controls) {
            Double v = c.features().get(name);
            if (v != null && Double.isFinite(v)) {
                double[] a = acc.computeIfAbsent(c.workId(), k -> new double[2]);
                a[0] += o.memberward(v);
                a[1]++;
            }
        }
        return acc.values().stream().mapToDouble(a -> a[0] / a[1]).toArray();
    }

    private static boolean allHave(List<ChunkRecord> chunks, String name) {
        for (ChunkRecord c : chunks) {
            Double v = c.features().get(name);
            if (v == null || !Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    private static double[] values(List<ChunkRecord> chunks, String name) {
        return chunks.stream()
                .map(c -> c.features().get(name))
                .filter(v -> v != null && Double.isFinite(v))
                .mapToDouble(Double::doubleValue)
                .toArray();
    }

    private static String[] texts(List<ChunkRecord> chunks) {
        return chunks.stream().map(ChunkRecord::workId).toArray(String[]::new);
    }

    private static double[][] matrix(List<ChunkRecord> chunks, List<String> names) {
        double[][] m = new double[chunks.size()][names.size()];
        for (int i = 0; i < chunks.size(); i++) {
            for (int j = 0; j < names.size(); j++) {
                m[i][j] = chunks.get(i).features().get(names.get(j));
            }
        }
        return m;
    }

    /** A seed derived from a base seed and a name (SplitMix64 finalizer over String.hashCode). */
    static long mix(long seed, String name) {
        long z = seed * 0x9E3779B97F4A7C15L + name.hashCode() + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Helper for writers: NaN as null. */
    public static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /** Helper for writers: an ordered map. */
    static Map<String, Object> map() {
        return new LinkedHashMap<>();
    }
}
