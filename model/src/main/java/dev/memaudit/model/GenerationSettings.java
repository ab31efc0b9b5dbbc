package dev.memaudit.model;

import dev.memaudit.core.error.MemauditException;

/**
 * How to decode. The per-token distribution these settings define, ties included, is {@link
 * DecodingDistribution}'s: the sampler draws from it and scheme log-probs measure it.
 *
 * @param maxNewTokens most tokens to generate per row, ≥ 1
 * @param temperature 0 = greedy (the highest logit, lowest id among equal ones); otherwise logits
 *     are divided by it before sampling
 * @param topK keep exactly the k most probable tokens, lower id first among equal logits (0 = no
 *     limit)
 * @param topP keep the shortest run of most probable tokens (same order) whose probability reaches
 *     p (1 = no limit), applied after top-k and temperature
 * @param seed seed of the sampling streams (ignored when greedy)
 * @param stopAtEos stop a row after it produces the end-of-sequence token (the token is kept)
 */
public record GenerationSettings(
        int maxNewTokens, double temperature, int topK, double topP, long seed, boolean stopAtEos) {

    public GenerationSettings {
        if (maxNewTokens < 1) {
            throw MemauditException.usage("max new tokens must be at least 1, got " + maxNewTokens);
        }
        DecodingDistribution.checkSettings(temperature, topK, topP);
    }

    /** Greedy decoding of up to {@code maxNewTokens} tokens, stopping at EOS. */
    public static GenerationSettings greedy(int maxNewTokens) {
        return new GenerationSettings(maxNewTokens, 0, 0, 1, 0, true);
    }

    /** Pure sampling at the given temperature, no truncation, stopping at EOS. */
    public static GenerationSettings sampling(int maxNewTokens, double temperature, long seed) {
        return new GenerationSettings(maxNewTokens, temperature, 0, 1, seed, true);
    }

    public boolean isGreedy() {
        return temperature == 0;
    }

    /** The same settings with another seed. */
    public GenerationSettings withSeed(long newSeed) {
        return new GenerationSettings(maxNewTokens, temperature, topK, topP, newSeed, stopAtEos);
    }
}
