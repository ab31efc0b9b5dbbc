package dev.memaudit.model;

/**
 * Teacher-forced scores of one token sequence. All arrays have the length of the sequence and are
 * indexed by token position (0-based); position 0 has no context, so its entries are {@code NaN}
 * (log-probs, μ, σ²) or 0 (rank).
 *
 * @param tokenIds the scored tokens
 * @param logprobs {@code logprobs[i] = ln p(token i | tokens 0..i-1)}, natural log
 * @param ranks rank of token i in the next-token distribution at position i-1: 1 + the number of
 *     tokens with a strictly higher logit, so tokens tied at the top all have rank 1 (greedy
 *     decoding emits only one of them: see {@code greedyLogprobs}); 0 at a position ≥ 1 = unknown,
 *     beyond the top-k list a remote backend returned ({@link Capabilities})
 * @param means μ_i = Σ_z p(z) ln p(z) under the same distribution, or {@code null} when not asked
 *     ({@code NaN} everywhere when asked of a backend without the full distribution)
 * @param variances σ²_i = Σ_z p(z) (ln p(z) − μ_i)², or {@code null} when not asked
 * @param schemeLogprobs ln P_h(token i | tokens before it) under a decoding scheme h, as {@link
 *     DecodingDistribution} defines it (temperature, then top-k, then top-p, renormalized; ties
 *     broken by lower token id; {@code -Infinity} where h cannot produce the token; greedy: 0 for
 *     the token greedy decoding emits, else {@code -Infinity}; {@code NaN} where a remote backend's
 *     top-k list does not determine it), or {@code null} when not asked. Summing it over a suffix
 *     gives ln p_z of (n,p)-discoverable extraction
 * @param greedyLogprobs the greedy scheme's ln P(token i | tokens before it), always computed: 0
 *     when token i is the token greedy decoding emits after tokens 0..i-1 (the highest logit, the
 *     lowest id among equal ones), {@code -Infinity} when it is not, {@code NaN} at position 0 and
 *     where a remote backend's answer does not tell (a tie at the top it cannot resolve); {@code
 *     null} where not computed (long sequences stitched from windows for {@code score})
 */
public record ScoredSequence(
        int[] tokenIds,
        float[] logprobs,
        int[] ranks,
        float[] means,
        float[] variances,
        float[] schemeLogprobs,
        float[] greedyLogprobs) {

    /** Number of tokens. */
    public int length() {
        return tokenIds.length;
    }

    /**
     * Mean negative log-likelihood over positions 1..n-1 in nats per token; {@code NaN} for a
     * sequence of one token.
     */
    public double nll() {
        if (tokenIds.length < 2) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = 1; i < logprobs.length; i++) {
            sum -= logprobs[i];
        }
        return sum / (logprobs.length - 1);
    }
}
