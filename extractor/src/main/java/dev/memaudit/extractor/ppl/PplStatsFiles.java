package dev.memaudit.extractor.ppl;

import static dev.memaudit.stats.MembershipStatistics.finite;

import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.ppl.PplSummary;
import dev.memaudit.core.records.ppl.PplWork;
import dev.memaudit.core.records.run.WorksFile;
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
 * and {@code ppl.json} with the self-checks ({@link WorksFile}, {@link PplSummary}). Values that
 * could not be computed are {@code null}.
 */
public final class PplStatsFiles {
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
                        + " random half of the work's chunks and of the controls (halved by text:"
                        + " all chunks of one control text on the same side), one-sided Welch"
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
     * What the chunk stage knows of the run (the part of ppl.json the statistics do not make).
     *
     * @param model the audited model's description
     * @param referenceModel the reference model's, or null
     * @param notMeasured feature (or family) → why it is absent from every chunk
     * @param run the chunk stage's counters
     */
    public record RunInfo(
            String model,
            String referenceModel,
            int chunkTokens,
            boolean lowercase,
            Map<String, String> notMeasured,
            PplSummary.Run run) {}

    /**
     * Writes {@code works.json} and {@code ppl.json} into {@code runDir}.
     *
     * @param titles work id → title (missing ids get no title)
     */
    public static void write(Path runDir, Result result, Map<String, String> titles, RunInfo info) {
        Records.write(runDir.resolve(Records.fileName(WorksFile.class)), worksJson(result, titles));
        Records.write(runDir.resolve(Records.fileName(PplSummary.class)), pplJson(result, info));
    }

    /** The works.json document. */
    public static WorksFile worksJson(Result result, Map<String, String> titles) {
        Map<String, WorksFile.WorkEntry> works = new TreeMap<>();
        for (WorkStats w : result.works()) {
            works.put(
                    w.workId(),
                    WorksFile.WorkEntry.ppl(
                            titles.get(w.workId()), workSection(w, result.settings().alpha())));
        }
        return WorksFile.of(works);
    }

    /** The {@code ppl} section of one work. */
    public static PplWork workSection(WorkStats w, double alpha) {
        boolean ok = w.status().equals(MembershipStatistics.OK);
        Map<String, PplWork.Feature> features = new TreeMap<>();
        for (FeatureStats f : w.features()) {
            features.put(
                    f.name(),
                    new PplWork.Feature(
                            f.orientation().label(),
                            finite(f.workMean()),
                            finite(f.controlMean()),
                            finite(f.gap()),
                            ok ? finite(f.gapCiLow()) : null,
                            ok ? finite(f.gapCiHigh()) : null,
                            ok ? finite(f.effectSize()) : null,
                            ok ? finite(f.welchP()) : null,
                            ok ? finite(f.mannWhitneyP()) : null,
                            ok ? finite(f.textP()) : null,
                            f.workChunks(),
                            f.controlChunks()));
        }
        Aggregate a = w.aggregate();
        PplWork.Aggregate agg =
                new PplWork.Aggregate(
                        ok ? finite(a.p()) : null,
                        ok ? finite(a.pChunks()) : null,
                        ok ? finite(a.pTexts()) : null,
                        ok ? finite(a.effect()) : null,
                        ok ? finite(a.pHolm()) : null,
                        ok ? finite(a.pBh()) : null,
                        ok && a.pHolm() < alpha,
                        a.testChunks(),
                        a.testControlChunks(),
                        a.features(),
                        a.weights());
        return new PplWork(w.chunks(), w.status(), features, agg, w.warnings());
    }

    /** The ppl.json document. */
    public static PplSummary pplJson(Result result, RunInfo info) {
        double alpha = result.settings().alpha();
        MembershipStatistics.ControlSplit cs = result.controlSplit();
        MembershipStatistics.ControlLeaveOneOut loo = result.controlLeaveOneOut();
        int raw = 0;
        int holm = 0;
        int bh = 0;
        for (WorkStats w : result.works()) {
            if (!w.status().equals(MembershipStatistics.OK)) {
                continue;
            }
            raw += w.aggregate().p() < alpha ? 1 : 0;
            holm += w.aggregate().pHolm() < alpha ? 1 : 0;
            bh += w.aggregate().pBh() < alpha ? 1 : 0;
        }
        return new PplSummary(
                PplSummary.SCHEMA_VERSION,
                info.model(),
                info.referenceModel(),
                info.chunkTokens(),
                info.lowercase(),
                info.notMeasured(),
                info.run(),
                alpha,
                new PplSummary.Seeds(result.settings().seed()),
                result.settings(),
                new PplSummary.ChunkCounts(result.workChunks(), result.controlChunks()),
                result.controlTexts(),
                result.featureNames(),
                new PplSummary.ControlSplit(
                        cs.status(),
                        cs.method(),
                        finite(cs.p()),
                        cs.significant(),
                        cs.suspectTexts(),
                        cs.controlTexts(),
                        cs.suspectChunks(),
                        cs.controlChunks()),
                new PplSummary.ControlLeaveOneOut(
                        loo.tested(),
                        loo.significant(),
                        finite(loo.rate()),
                        finite(loo.binomialP()),
                        loo.binomialP() >= alpha,
                        loo.p(),
                        loo.effects(),
                        loo.pChunks()),
                result.works().size(),
                new PplSummary.SignificantCounts(raw, holm, bh),
                result.warnings(),
                CONVENTIONS);
    }
}
