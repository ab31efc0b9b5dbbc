package dev.memaudit.extractor.ppl;

import static dev.memaudit.stats.MembershipStatistics.finite;

import dev.memaudit.core.io.Json;
import dev.memaudit.stats.MembershipStatistics;
import dev.memaudit.stats.MembershipStatistics.Aggregate;
import dev.memaudit.stats.MembershipStatistics.FeatureStats;
import dev.memaudit.stats.MembershipStatistics.Result;
import dev.memaudit.stats.MembershipStatistics.WorkStats;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes the statistics of a ppl run into its folder: the {@code ppl} section of {@code works.json}
 * and {@code ppl.json} with the self-checks (layout in docs/run-folders.md). Values that could not
 * be computed are {@code null}.
 */
public final class PplStatsFiles {
    /** {@code schema_version} of works.json and ppl.json as written here. */
    public static final int SCHEMA_VERSION = 1;

    /** The definitions every report states, keyed by feature (or feature family). */
    public static final Map<String, String> CONVENTIONS = conventions();

    private PplStatsFiles() {}

    private static Map<String, String> conventions() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put(
                "logprob",
                "lp_t = ln p(x_t | x_<t), natural log, over the chunk's tokens 1..n-1 (the first"
                        + " token of a chunk has no context and is not scored)");
        c.put("nll", "NLL = -mean(lp_t), nats per token; lower is member-like");
        c.put("ppl", "PPL = exp(NLL); lower is member-like");
        c.put(
                "zlib_ratio",
                "NLL / zlib_bytes, zlib_bytes = length of zlib.compress(UTF-8 text, level 6);"
                        + " lower is member-like (Carlini et al. use the inverse orientation)");
        c.put(
                "min_k_K",
                "mean of the lowest K% of lp_t (max(1, floor(K/100 * (n-1))) tokens); higher is"
                        + " member-like");
        c.put(
                "min_k_pp_K",
                "Min-K%++: the same over z_t = (lp_t - mu_t) / sigma_t, mu_t = sum_z p(z) ln p(z),"
                        + " sigma_t^2 = sum_z p(z) (ln p(z))^2 - mu_t^2 under the model's full"
                        + " next-token distribution; absent when the backend does not give it;"
                        + " higher is member-like");
        c.put(
                "lowercase_ratio",
                "NLL(text) / NLL(lowercased text), each scored in its own pass; lower is"
                        + " member-like");
        c.put("ref_diff", "NLL_target(text) - NLL_reference(text); lower is member-like");
        c.put(
                "gap",
                "mean over the work's chunks minus mean over the control chunks, in the feature's"
                        + " units; gap_ci_low/high: percentile bootstrap interval");
        c.put("effect_size", "Cohen's d, (work mean - control mean) / pooled SD; sign as the gap");
        c.put(
                "welch_p, mannwhitney_p",
                "one-sided p-values in the feature's member-like direction (Welch's unequal"
                        + " variances t-test; Mann-Whitney U with tie and continuity correction,"
                        + " normal approximation). Chunks of one text are not independent samples:"
                        + " treat per-feature p-values as descriptive");
        c.put(
                "aggregate",
                "dataset inference: features combined by a ridge linear model fitted on a seeded"
                        + " random half of the work's and of the controls' chunks, one-sided Welch"
                        + " t-test of the held-out halves' scores (p_chunks; effect: Cohen's d of"
                        + " those scores); p_texts: the work's effect against the effects of the"
                        + " control texts each put through the same procedure against the other"
                        + " controls (one-sided prediction t-test, k-1 df over k control texts), so"
                        + " the unit is a text; p = max(p_chunks, p_texts); p_holm / p_bh: Holm and"
                        + " Benjamini-Hochberg adjustments of p across all works of the run");
        c.put(
                "text_p",
                "per feature: the work's mean against the control texts' means, one-sided"
                        + " prediction t-test (the unit is a text, not a chunk)");
        c.put(
                "evidence",
                "membership inference is weak evidence on its own; read verbatim extraction"
                        + " first");
        return c;
    }

    /**
     * Writes {@code works.json} and {@code ppl.json} into {@code runDir}.
     *
     * @param titles work id → title (missing ids get no title)
     * @param run run-level counters and settings of the producer, merged into ppl.json (e.g.
     *     chunk_tokens, model); keys of this writer win
     */
    public static void write(
            Path runDir, Result result, Map<String, String> titles, Map<String, Object> run) {
        Json.writePretty(runDir.resolve("works.json"), worksJson(result, titles));
        Json.writePretty(runDir.resolve("ppl.json"), pplJson(result, run));
    }

    /** The works.json document. */
    public static Map<String, Object> worksJson(Result result, Map<String, String> titles) {
        Map<String, Object> works = new TreeMap<>();
        for (WorkStats w : result.works()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            if (titles.get(w.workId()) != null) {
                entry.put("title", titles.get(w.workId()));
            }
            entry.put("ppl", workSection(w, result.settings().alpha()));
            works.put(w.workId(), entry);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("schema_version", SCHEMA_VERSION);
        doc.put("works", works);
        return doc;
    }

    /** The {@code ppl} section of one work. */
    public static Map<String, Object> workSection(WorkStats w, double alpha) {
        boolean ok = w.status().equals(MembershipStatistics.OK);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("chunks", w.chunks());
        s.put("status", w.status());
        Map<String, Object> features = new TreeMap<>();
        for (FeatureStats f : w.features()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("orientation", f.orientation().label());
            m.put("work_mean", finite(f.workMean()));
            m.put("control_mean", finite(f.controlMean()));
            m.put("gap", finite(f.gap()));
            m.put("gap_ci_low", ok ? finite(f.gapCiLow()) : null);
            m.put("gap_ci_high", ok ? finite(f.gapCiHigh()) : null);
            m.put("effect_size", ok ? finite(f.effectSize()) : null);
            m.put("welch_p", ok ? finite(f.welchP()) : null);
            m.put("mannwhitney_p", ok ? finite(f.mannWhitneyP()) : null);
            m.put("text_p", ok ? finite(f.textP()) : null);
            m.put("work_chunks", f.workChunks());
            m.put("control_chunks", f.controlChunks());
            features.put(f.name(), m);
        }
        s.put("features", features);
        Aggregate a = w.aggregate();
        Map<String, Object> agg = new LinkedHashMap<>();
        agg.put("p", ok ? finite(a.p()) : null);
        agg.put("p_chunks", ok ? finite(a.pChunks()) : null);
        agg.put("p_texts", ok ? finite(a.pTexts()) : null);
        agg.put("effect", ok ? finite(a.effect()) : null);
        agg.put("p_holm", ok ? finite(a.pHolm()) : null);
        agg.put("p_bh", ok ? finite(a.pBh()) : null);
        agg.put("significant_holm", ok && a.pHolm() < alpha);
        agg.put("test_chunks", a.testChunks());
        agg.put("test_control_chunks", a.testControlChunks());
        agg.put("features", a.features());
        agg.put("weights", a.weights());
        s.put("aggregate", agg);
        s.put("warnings", w.warnings());
        return s;
    }

    /** The ppl.json document. */
    public static Map<String, Object> pplJson(Result result, Map<String, Object> run) {
        Map<String, Object> doc = new LinkedHashMap<>(run);
        doc.put("schema_version", SCHEMA_VERSION);
        doc.put("alpha", result.settings().alpha());
        doc.put("seeds", Map.of("statistics", result.settings().seed()));
        doc.put("statistics", result.settings().toMap());
        Map<String, Object> chunks = new LinkedHashMap<>();
        chunks.put("work", result.workChunks());
        chunks.put("control", result.controlChunks());
        doc.put("chunks", chunks);
        doc.put("controls", result.controlTexts());
        doc.put("features", result.featureNames());
        MembershipStatistics.ControlSplit cs = result.controlSplit();
        Map<String, Object> split = new LinkedHashMap<>();
        split.put("status", cs.status());
        split.put("method", cs.method());
        split.put("p", finite(cs.p()));
        split.put("significant", cs.significant());
        split.put("suspect_texts", cs.suspectTexts());
        split.put("control_texts", cs.controlTexts());
        split.put("suspect_chunks", cs.suspectChunks());
        split.put("control_chunks", cs.controlChunks());
        doc.put("control_split", split);
        MembershipStatistics.ControlLeaveOneOut loo = result.controlLeaveOneOut();
        Map<String, Object> l = new LinkedHashMap<>();
        l.put("tested", loo.tested());
        l.put("significant", loo.significant());
        l.put("rate", finite(loo.rate()));
        l.put("binomial_p", finite(loo.binomialP()));
        l.put("passed", loo.binomialP() >= result.settings().alpha());
        l.put("p", loo.p());
        l.put("effects", loo.effects());
        l.put("p_chunks", loo.pChunks());
        doc.put("control_leave_one_out", l);
        int raw = 0;
        int holm = 0;
        int bh = 0;
        for (WorkStats w : result.works()) {
            if (!w.status().equals(MembershipStatistics.OK)) {
                continue;
            }
            raw += w.aggregate().p() < result.settings().alpha() ? 1 : 0;
            holm += w.aggregate().pHolm() < result.settings().alpha() ? 1 : 0;
            bh += w.aggregate().pBh() < result.settings().alpha() ? 1 : 0;
        }
        doc.put("works_tested", result.works().size());
        doc.put("works_significant", Map.of("p", raw, "p_holm", holm, "p_bh", bh));
        doc.put("warnings", result.warnings());
        doc.put("conventions", CONVENTIONS);
        return doc;
    }
}
