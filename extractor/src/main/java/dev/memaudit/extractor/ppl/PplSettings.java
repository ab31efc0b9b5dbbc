package dev.memaudit.extractor.ppl;

/**
 * Settings of the chunk stage of a ppl run (chunk length and lowercase pass come from the run's
 * {@link dev.memaudit.core.records.ppl.PplConfig}, which the run folder pins for {@code --resume}).
 *
 * @param chunkTokens tokens per chunk (the audited model's tokens)
 * @param lowercase also score each chunk lowercased (a second pass) for {@code lowercase_ratio}
 * @param batchSize chunks scored together
 */
public record PplSettings(int chunkTokens, boolean lowercase, int batchSize) {
    public PplSettings {
        if (chunkTokens < Chunker.MIN_TOKENS || chunkTokens > 8192) {
            throw new IllegalArgumentException(
                    "chunk tokens must be between "
                            + Chunker.MIN_TOKENS
                            + " and 8192, got "
                            + chunkTokens);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be ≥ 1, got " + batchSize);
        }
    }

    /** 128-token chunks, no lowercase pass, batches of 8. */
    public static PplSettings defaults() {
        return new PplSettings(128, false, 8);
    }
}
