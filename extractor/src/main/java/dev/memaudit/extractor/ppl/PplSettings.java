package dev.memaudit.extractor.ppl;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Settings of a ppl run that change its records (pinned in the run folder for {@code --resume}).
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

    /** The settings as pinned in run-config.json (batch size excluded: it changes no record). */
    public Map<String, Object> pinned() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("chunk_tokens", chunkTokens);
        m.put("lowercase", lowercase);
        return m;
    }
}
