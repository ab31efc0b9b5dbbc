package dev.memaudit.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a {@link LanguageModel} backend can measure exactly. A local model measures everything; a
 * remote server sees only what its protocol returns, and a metric that needs more is reported as
 * not measurable (never guessed).
 *
 * <p>How unknown values appear in {@link ScoredSequence}: a rank of {@code 0} at a position ≥ 1
 * means "not among the top {@link #exactRanksUpTo()} tokens the server returned" (so the true rank
 * is larger than that); μ and σ² are {@code NaN} when {@link #fullDistribution()} is false; a
 * scheme log-prob is {@code NaN} where the returned top-k list does not determine it.
 *
 * @param backend {@code "local"} or {@code "openai-completions"}
 * @param promptLogprobs teacher-forced scoring is possible ({@link LanguageModel#score} works)
 * @param fullDistribution μ, σ² (Min-K%++) can be computed
 * @param exactRanksUpTo ranks are exact up to this value, larger ranks read 0; {@link
 *     Integer#MAX_VALUE} = every rank exact
 * @param schemeLogprobs {@code "exact"} (every scheme), {@code "partial"} (what the server's
 *     top-log-prob list determines under {@link DecodingDistribution}'s rules: greedy unless the
 *     top is tied, temperature 1, top-k while k fits the list, top-p at temperature 1 while the
 *     list reaches p; others NaN) or {@code "none"}
 * @param seedReproducible {@code "yes"}, {@code "no"} or {@code "unknown"}: whether the same seed
 *     gives the same sample
 * @param tokenization where token ids come from (e.g. {@code "local tokenizer.json <path>"}, {@code
 *     "server /tokenize"})
 */
public record Capabilities(
        String backend,
        boolean promptLogprobs,
        boolean fullDistribution,
        int exactRanksUpTo,
        String schemeLogprobs,
        String seedReproducible,
        String tokenization) {

    /** A local model: everything exact. */
    public static Capabilities local(String tokenization) {
        return new Capabilities(
                "local", true, true, Integer.MAX_VALUE, "exact", "yes", tokenization);
    }

    /**
     * Whether the rank of token i read from {@code ranks[i]} is exact (rank 0 = beyond the list).
     */
    public boolean ranksExact() {
        return exactRanksUpTo == Integer.MAX_VALUE;
    }

    /** A JSON-ready map for a run manifest. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("backend", backend);
        m.put("prompt_logprobs", promptLogprobs);
        m.put("full_distribution", fullDistribution);
        m.put("exact_ranks_up_to", ranksExact() ? "all" : exactRanksUpTo);
        m.put("scheme_logprobs", schemeLogprobs);
        m.put("seed_reproducible", seedReproducible);
        m.put("tokenization", tokenization);
        return m;
    }
}
