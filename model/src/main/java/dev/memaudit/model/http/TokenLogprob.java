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
     * The rank of this token derived from the top list: exact when some listed value is ≤ its
     * log-prob (then every more probable token is listed), else 0 = beyond the list. A rank the
     * server stated wins.
     */
    public int derivedRank() {
        if (rank > 0) {
            return rank;
        }
        if (Double.isNaN(logprob) || top.length == 0) {
            return 0;
        }
        int higher = 0;
        boolean someNotHigher = false;
        for (double v : top) {
            if (v > logprob) {
                higher++;
            } else {
                someNotHigher = true;
            }
        }
        return someNotHigher ? 1 + higher : 0;
    }
}
