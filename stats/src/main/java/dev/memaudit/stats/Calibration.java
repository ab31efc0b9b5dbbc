package dev.memaudit.stats;

import dev.memaudit.core.records.ppl.ChunkRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Calibration of the membership features and tests on canary models with known membership: per
 * feature, how well its chunk values separate member chunks from non-member chunks (AUC, TPR at 1%
 * FPR), and how often the per-work test calls a work significant (members: power; non-members:
 * false-positive rate, which must stay near α).
 */
public final class Calibration {
    /** The FPR at which TPR is reported. */
    public static final double LOW_FPR = 0.01;

    private Calibration() {}

    /**
     * One canary's ppl run.
     *
     * @param seed the canary's seed
     * @param chunks its chunks.jsonl records (works and controls)
     * @param members member work ids
     * @param stats the statistics computed over the chunks
     */
    public record Run(
            long seed,
            List<ChunkRecord> chunks,
            Set<String> members,
            MembershipStatistics.Result stats) {}

    /** Separation of one feature, averaged over runs (NaN where no run measured it). */
    public record FeatureRow(
            String feature,
            Orientation orientation,
            double auc,
            double aucMin,
            double aucMax,
            double tprAtLowFpr,
            double aucVsControls,
            int nonMemberWelchTests,
            int nonMemberWelchSignificant,
            int nonMemberTextSignificant) {}

    /** Rates of the per-work aggregate test at α. */
    public record TestRow(
            String who,
            int tested,
            int significantRaw,
            int significantHolm,
            double rateRaw,
            double rateHolm) {}

    /** The calibration table. */
    public record Table(
            double alpha,
            List<Long> seeds,
            List<FeatureRow> features,
            List<TestRow> tests,
            int controlSplitsSignificant,
            int controlSplitsTested,
            Map<Long, List<String>> warnings) {}

    /** Summarizes runs (one per canary). */
    public static Table summarize(List<Run> runs, double alpha) {
        TreeSet<String> names = new TreeSet<>();
        for (Run r : runs) {
            r.chunks().forEach(c -> names.addAll(c.features().keySet()));
        }
        List<FeatureRow> rows = new ArrayList<>();
        for (String name : names) {
            Orientation o = Orientation.ofFeature(name);
            List<Double> aucs = new ArrayList<>();
            List<Double> tprs = new ArrayList<>();
            List<Double> aucsCtl = new ArrayList<>();
            int welchTests = 0;
            int welchSig = 0;
            int textSig = 0;
            for (Run r : runs) {
                double[] pos = values(r, name, o, Kind.MEMBER);
                double[] neg = values(r, name, o, Kind.NON_MEMBER);
                double[] ctl = values(r, name, o, Kind.CONTROL);
                if (pos.length > 0 && neg.length > 0) {
                    aucs.add(Roc.auc(pos, neg));
                    tprs.add(Roc.tprAtFpr(pos, neg, LOW_FPR));
                }
                if (pos.length > 0 && ctl.length > 0) {
                    aucsCtl.add(Roc.auc(pos, ctl));
                }
                for (MembershipStatistics.WorkStats w : r.stats().works()) {
                    if (r.members().contains(w.workId())
                            || !w.status().equals(MembershipStatistics.OK)) {
                        continue;
                    }
                    for (MembershipStatistics.FeatureStats f : w.features()) {
                        if (f.name().equals(name) && !Double.isNaN(f.welchP())) {
                            welchTests++;
                            welchSig += f.welchP() < alpha ? 1 : 0;
                            textSig += f.textP() < alpha ? 1 : 0;
                        }
                    }
                }
            }
            rows.add(
                    new FeatureRow(
                            name,
                            o,
                            mean(aucs),
                            aucs.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN),
                            aucs.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN),
                            mean(tprs),
                            mean(aucsCtl),
                            welchTests,
                            welchSig,
                            textSig));
        }
        List<TestRow> tests = new ArrayList<>();
        tests.add(testRow("members", runs, alpha, true, false));
        tests.add(testRow("non-members", runs, alpha, false, false));
        tests.add(testRow("members, chunk-level aggregate only", runs, alpha, true, true));
        tests.add(testRow("non-members, chunk-level aggregate only", runs, alpha, false, true));
        int splitSig = 0;
        int splitTested = 0;
        Map<Long, List<String>> warnings = new TreeMap<>();
        List<Long> seeds = new ArrayList<>();
        for (Run r : runs) {
            seeds.add(r.seed());
            var s = r.stats().controlSplit();
            if (s.status().equals(MembershipStatistics.OK)) {
                splitTested++;
                splitSig += s.significant() ? 1 : 0;
            }
            warnings.put(r.seed(), r.stats().warnings());
        }
        return new Table(alpha, seeds, rows, tests, splitSig, splitTested, warnings);
    }

    private static TestRow testRow(
            String who, List<Run> runs, double alpha, boolean members, boolean chunkLevel) {
        int tested = 0;
        int raw = 0;
        int holm = 0;
        for (Run r : runs) {
            if (chunkLevel) {
                // what the run would have said with the chunk-level test alone (Holm over the run)
                List<MembershipStatistics.WorkStats> ws = r.stats().works();
                double[] p = new double[ws.size()];
                for (int i = 0; i < p.length; i++) {
                    p[i] = ws.get(i).aggregate().pChunks();
                }
                double[] adjusted = MultipleTesting.holm(p);
                for (int i = 0; i < p.length; i++) {
                    if (r.members().contains(ws.get(i).workId()) != members || Double.isNaN(p[i])) {
                        continue;
                    }
                    tested++;
                    raw += p[i] < alpha ? 1 : 0;
                    holm += adjusted[i] < alpha ? 1 : 0;
                }
                continue;
            }
            for (MembershipStatistics.WorkStats w : r.stats().works()) {
                if (r.members().contains(w.workId()) != members
                        || Double.isNaN(w.aggregate().p())) {
                    continue;
                }
                tested++;
                raw += w.aggregate().p() < alpha ? 1 : 0;
                holm += w.aggregate().pHolm() < alpha ? 1 : 0;
            }
        }
        return new TestRow(
                who,
                tested,
                raw,
                holm,
                tested == 0 ? Double.NaN : raw / (double) tested,
                tested == 0 ? Double.NaN : holm / (double) tested);
    }

    private enum Kind {
        MEMBER,
        NON_MEMBER,
        CONTROL
    }

    /** A feature's values turned so that higher = more member-like. */
    private static double[] values(Run r, String name, Orientation o, Kind kind) {
        List<Double> v = new ArrayList<>();
        for (ChunkRecord c : r.chunks()) {
            Kind k =
                    c.isControl()
                            ? Kind.CONTROL
                            : r.members().contains(c.workId()) ? Kind.MEMBER : Kind.NON_MEMBER;
            Double x = c.features().get(name);
            if (k == kind && x != null && Double.isFinite(x)) {
                v.add(o.memberward(x));
            }
        }
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double mean(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /** The table as JSON-ready maps (NaN as null). */
    public static Map<String, Object> toMap(Table t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema_version", 1);
        m.put("alpha", t.alpha());
        m.put("seeds", t.seeds());
        m.put("low_fpr", LOW_FPR);
        List<Map<String, Object>> fs = new ArrayList<>();
        for (FeatureRow f : t.features()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("feature", f.feature());
            r.put("orientation", f.orientation().label());
            r.put("auc", MembershipStatistics.finite(f.auc()));
            r.put("auc_min", MembershipStatistics.finite(f.aucMin()));
            r.put("auc_max", MembershipStatistics.finite(f.aucMax()));
            r.put("tpr_at_1pct_fpr", MembershipStatistics.finite(f.tprAtLowFpr()));
            r.put("auc_members_vs_controls", MembershipStatistics.finite(f.aucVsControls()));
            r.put("non_member_welch_tests", f.nonMemberWelchTests());
            r.put("non_member_welch_significant", f.nonMemberWelchSignificant());
            r.put("non_member_text_p_significant", f.nonMemberTextSignificant());
            fs.add(r);
        }
        m.put("features", fs);
        List<Map<String, Object>> ts = new ArrayList<>();
        for (TestRow r : t.tests()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("works", r.who());
            x.put("tested", r.tested());
            x.put("significant_p", r.significantRaw());
            x.put("significant_p_holm", r.significantHolm());
            x.put("rate_p", MembershipStatistics.finite(r.rateRaw()));
            x.put("rate_p_holm", MembershipStatistics.finite(r.rateHolm()));
            ts.add(x);
        }
        m.put("aggregate_test", ts);
        m.put("control_split_significant", t.controlSplitsSignificant());
        m.put("control_split_tested", t.controlSplitsTested());
        m.put("warnings", t.warnings());
        return m;
    }

    /** The table as Markdown (for the README's method section). */
    public static String toMarkdown(Table t) {
        StringBuilder b = new StringBuilder();
        b.append(
                String.format(
                        Locale.ROOT,
                        "Canary seeds %s; chunk-level separation of member vs non-member work"
                                + " chunks (AUC averaged over seeds, [min, max]); TPR at %.0f%% FPR;"
                                + " per-feature one-sided tests of non-member works significant at"
                                + " α = %s (chunk-level Welch; text-level text_p); per-work"
                                + " aggregate (p = max(p_chunks, p_texts)) below.%n%n",
                        t.seeds(),
                        LOW_FPR * 100,
                        t.alpha()));
        b.append(
                "| feature | orientation | AUC member vs non-member | TPR @ 1% FPR | AUC member vs"
                        + " control | non-members significant: Welch (chunks) | non-members"
                        + " significant: text_p |\n");
        b.append("|---|---|---|---|---|---|---|\n");
        for (FeatureRow f : t.features()) {
            b.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %.3f [%.3f, %.3f] | %.3f | %.3f | %d / %d | %d / %d |%n",
                            f.feature(),
                            f.orientation().label(),
                            f.auc(),
                            f.aucMin(),
                            f.aucMax(),
                            f.tprAtLowFpr(),
                            f.aucVsControls(),
                            f.nonMemberWelchSignificant(),
                            f.nonMemberWelchTests(),
                            f.nonMemberTextSignificant(),
                            f.nonMemberWelchTests()));
        }
        b.append("\n| works | tested | significant (p < α) | significant (Holm) |\n");
        b.append("|---|---|---|---|\n");
        for (TestRow r : t.tests()) {
            b.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %d | %d (%.2f) | %d (%.2f) |%n",
                            r.who(),
                            r.tested(),
                            r.significantRaw(),
                            r.rateRaw(),
                            r.significantHolm(),
                            r.rateHolm()));
        }
        b.append(
                String.format(
                        Locale.ROOT,
                        "%nControl-split self-check significant in %d of %d runs.%n",
                        t.controlSplitsSignificant(),
                        t.controlSplitsTested()));
        return b.toString();
    }
}
