package dev.memaudit.model.canary;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.model.runtime.Architecture;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Settings of a canary training run.
 *
 * @param arch architecture of the model
 * @param vocabSize tokenizer vocabulary including the end-of-text token
 * @param hidden model width
 * @param layers transformer blocks
 * @param heads attention heads
 * @param intermediate MLP inner width
 * @param contextLength training window in tokens (also the model's maximum length)
 * @param batchSize windows per step
 * @param steps optimizer steps; 0 = exactly one pass over the training stream, so each member is
 *     seen {@code repeat} times
 * @param repeat how many times each member work appears in the training stream
 * @param learningRate peak Adam learning rate
 * @param seed seed of membership choice, initialization and data order
 * @param members ids of member works, or null to choose {@code memberFraction} of them at random
 * @param memberFraction share of works chosen as members when {@code members} is null
 */
public record CanaryConfig(
        Architecture arch,
        int vocabSize,
        int hidden,
        int layers,
        int heads,
        int intermediate,
        int contextLength,
        int batchSize,
        int steps,
        int repeat,
        double learningRate,
        long seed,
        Set<String> members,
        double memberFraction) {

    public CanaryConfig {
        List<String> p = new ArrayList<>();
        if (vocabSize < 257 || vocabSize > 65536) {
            p.add("vocab size must be between 257 and 65536, got " + vocabSize);
        }
        if (hidden < 8 || heads < 1 || hidden % heads != 0 || (hidden / heads) % 2 != 0) {
            p.add(
                    "width "
                            + hidden
                            + " must be ≥ 8 and split into "
                            + heads
                            + " heads of even size");
        }
        if (layers < 1 || intermediate < 1) {
            p.add("layers and intermediate size must be ≥ 1");
        }
        if (contextLength < 8 || contextLength > 4096) {
            p.add("context length must be between 8 and 4096, got " + contextLength);
        }
        if (batchSize < 1) {
            p.add("batch size must be ≥ 1, got " + batchSize);
        }
        if (steps < 0) {
            p.add("steps must be ≥ 0 (0 = one pass), got " + steps);
        }
        if (repeat < 1) {
            p.add("repeat must be ≥ 1, got " + repeat);
        }
        if (!(learningRate > 0 && learningRate < 1)) {
            p.add("learning rate must be in (0, 1), got " + learningRate);
        }
        if (members == null && !(memberFraction > 0 && memberFraction < 1)) {
            p.add("member fraction must be in (0, 1), got " + memberFraction);
        }
        if (!p.isEmpty()) {
            throw MemauditException.usage("canary settings: " + String.join("; ", p));
        }
        members = members == null ? null : Set.copyOf(members);
    }

    /**
     * Defaults: a 4-layer llama of width 256 (≈ 3.2M parameters plus 0.5M per 1,000 vocabulary
     * entries), 128-token windows, batch 4 (many small updates memorize faster than few large
     * ones), members repeated 100 times, half of the works members, peak learning rate 3e-3 with
     * gradient-norm clipping at 1. Memorizes small member sets in a few minutes on 2 cores.
     */
    public static CanaryConfig defaults() {
        return new CanaryConfig(
                Architecture.LLAMA, 2048, 256, 4, 4, 688, 128, 4, 0, 100, 3e-3, 42, null, 0.5);
    }

    /** A tiny, fast setting for tests: 2 layers of width 64, 512-token vocabulary. */
    public static CanaryConfig tiny() {
        return new CanaryConfig(
                Architecture.LLAMA, 512, 64, 2, 2, 128, 64, 8, 0, 8, 5e-3, 7, null, 0.5);
    }

    public CanaryConfig withArch(Architecture a) {
        return new CanaryConfig(
                a,
                vocabSize,
                hidden,
                layers,
                heads,
                intermediate,
                contextLength,
                batchSize,
                steps,
                repeat,
                learningRate,
                seed,
                members,
                memberFraction);
    }

    public CanaryConfig withMembers(Set<String> ids) {
        return new CanaryConfig(
                arch,
                vocabSize,
                hidden,
                layers,
                heads,
                intermediate,
                contextLength,
                batchSize,
                steps,
                repeat,
                learningRate,
                seed,
                ids,
                memberFraction);
    }

    public CanaryConfig withMemberFraction(double f) {
        return new CanaryConfig(
                arch,
                vocabSize,
                hidden,
                layers,
                heads,
                intermediate,
                contextLength,
                batchSize,
                steps,
                repeat,
                learningRate,
                seed,
                null,
                f);
    }

    /** The same settings with {@code n} transformer blocks. */
    public CanaryConfig withLayers(int n) {
        return new CanaryConfig(
                arch,
                vocabSize,
                hidden,
                n,
                heads,
                intermediate,
                contextLength,
                batchSize,
                steps,
                repeat,
                learningRate,
                seed,
                members,
                memberFraction);
    }

    public CanaryConfig withRepeat(int r) {
        return new CanaryConfig(
                arch,
                vocabSize,
                hidden,
                layers,
                heads,
                intermediate,
                contextLength,
                batchSize,
                steps,
                r,
                learningRate,
                seed,
                members,
                memberFraction);
    }

    public CanaryConfig withSteps(int s) {
        return new CanaryConfig(
                arch,
                vocabSize,
                hidden,
                layers,
                heads,
                intermediate,
                contextLength,
                batchSize,
                s,
                repeat,
                learningRate,
                seed,
                members,
                memberFraction);
    }

    public CanaryConfig withSeed(long s) {
        return new CanaryConfig(
                arch,
                vocabSize,
                hidden,
                layers,
                heads,
                intermediate,
                contextLength,
                batchSize,
                steps,
                repeat,
                learningRate,
                s,
                members,
                memberFraction);
    }
}
