package dev.memaudit.model;

import dev.memaudit.core.error.MemauditException;

/**
 * How to decode.
 *
 * @param maxNewTokens most tokens to generate per row, ≥ 1
 * @param temperature 0 = greedy (argmax); otherwise logits are divided by it before sampling
 * @param topK keep only the k most probable tokens (0 = no limit)
 * @param topP keep the smallest set of most probable tokens whose probability reaches p (1 = no
 *     limit), applied after top-k and temperature
 * @param seed seed of the sampling streams (ignored when greedy)
 * @param stopAtEos stop a row after it produces the end-of-sequence token (the token is kept)
 */
public record GenerationSettings(
        int maxNewTokens, double temperature, int topK, double topP, long seed, boolean stopAtEos) {

    public GenerationSettings {
        if (maxNewTokens < 1) {
            throw MemauditException.usage("max new tokens must be at least 1, got " + maxNewTokens);
        }
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw MemauditException.usage("temperature must be ≥ 0, got " + temperature);
        }
        if (topK < 0) {
            throw MemauditException.usage("top-k must be ≥ 0 (0 = off), got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw MemauditException.usage("top-p must be in (0, 1], got " + topP);
        }
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
