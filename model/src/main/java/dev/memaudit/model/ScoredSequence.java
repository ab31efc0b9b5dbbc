package dev.memaudit.model;

/**
 * Teacher-forced scores of one token sequence. All arrays have the length of the sequence and are
 * indexed by token position (0-based); position 0 has no context, so its entries are {@code NaN}
 * (log-probs, μ, σ²) or 0 (rank).
 *
 * @param tokenIds the scored tokens
 * @param logprobs {@code logprobs[i] = ln p(token i | tokens 0..i-1)}, natural log
 * @param ranks rank of token i in the next-token distribution at position i-1: 1 = argmax, ties
 *     share the best rank (1 + number of tokens with strictly higher probability); 0 at a position
 *     ≥ 1 = unknown, beyond the top-k list a remote backend returned ({@link Capabilities})
 * @param means μ_i = Σ_z p(z) ln p(z) under the same distribution, or {@code null} when not asked
 *     ({@code NaN} everywhere when asked of a backend without the full distribution)
 * @param variances σ²_i = Σ_z p(z) (ln p(z))² − μ_i², or {@code null} when not asked
 * @param schemeLogprobs ln P_h(token i | tokens before it) under a decoding scheme h (temperature,
 *     then top-k, then top-p truncation, renormalized; {@code -Infinity} where h cannot produce the
 *     token; greedy: 0 for the argmax, else {@code -Infinity}; {@code NaN} where a remote backend's
 *     top-k list does not determine it), or {@code null} when not asked. Summing it over a suffix
 *     gives ln p_z of (n,p)-discoverable extraction
 */
public record ScoredSequence(
        int[] tokenIds,
        float[] logprobs,
        int[] ranks,
        float[] means,
        float[] variances,
        float[] schemeLogprobs) {

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
