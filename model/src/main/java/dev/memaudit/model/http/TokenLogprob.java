package dev.memaudit.model.http;

/**
 * One token position as a server reported it.
 *
 * @param tokenId the token id when the server gave it ({@code "token_id:N"} strings, an {@code id}
 *     field or a vLLM prompt-logprobs key), else -1
 * @param token the token as text (or {@code "token_id:N"}), possibly empty
 * @param logprob ln p of the token, natural log; {@code NaN} where the server sent null (the first
 *     prompt token)
 * @param rank 1-based rank the server stated (vLLM prompt log-probs), or 0 when it stated none
 * @param top log-probs of the server's top-k list at this position, best first (the token itself
 *     may be among them); empty when none was sent
 */
public record TokenLogprob(int tokenId, String token, double logprob, int rank, double[] top) {

    /**
     * The rank of this token derived from the server's top-{@code k} list: exact when one of the
     * {@code k} best listed values is ≤ its log-prob (then every more probable token is listed),
     * else 0 = beyond the list. Servers such as vLLM add the token itself to the list when it is
     * not among the best {@code k}; only the {@code k} best values count. A rank the server stated
     * wins.
     *
     * @param k the {@code logprobs} asked for
     */
    public int derivedRank(int k) {
        if (rank > 0) {
            return rank;
        }
        int n = Math.min(k, top.length);
        if (Double.isNaN(logprob) || n == 0) {
            return 0;
        }
        int higher = 0;
        for (int i = 0; i < n; i++) {
            if (top[i] > logprob) {
                higher++;
            }
        }
        return higher < n ? 1 + higher : 0;
    }
}
