package dev.memaudit.model.influence;

/**
 * A behaviour as model tokens: {@code tokens[scoredFrom..]} are the text's tokens, those before
 * them the prompt's. The first token of a sequence has no log-probability, so a behaviour without a
 * prompt scores its tokens from the second on.
 *
 * @param tokens prompt tokens followed by text tokens
 * @param scoredFrom index of the first scored token, ≥ 1
 */
public record TokenizedBehaviour(Behaviour behaviour, int[] tokens, int scoredFrom) {
    /** Tokens whose log-probability counts. */
    public int scoredTokens() {
        return tokens.length - scoredFrom;
    }
}
