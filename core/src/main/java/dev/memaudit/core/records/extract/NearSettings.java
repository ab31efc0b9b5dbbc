package dev.memaudit.core.records.extract;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Settings of the near-verbatim extraction bound ({@code extract --near-beam}).
 *
 * @param scheme the decoding scheme the bound is for (the attempt scheme)
 * @param epsilon the largest token edit distance of a near suffix, as a share of the suffix's
 *     tokens (rounded down per window)
 * @param beam partial suffixes kept per step
 * @param budget the most partial suffixes extended per window (model rows forwarded)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record NearSettings(String scheme, double epsilon, int beam, long budget) {
    /** ε in tokens for a suffix of {@code suffixTokens} tokens. */
    public int epsilonTokens(int suffixTokens) {
        return (int) Math.floor(epsilon * suffixTokens + 1e-9);
    }
}
