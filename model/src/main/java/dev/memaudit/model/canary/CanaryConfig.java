package dev.memaudit.model.canary;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.model.runtime.Architecture;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * @param batchSize windows per optimizer step (the effective batch)
 * @param microBatch windows per forward and backward pass, their gradients accumulated over the
 *     step; 0 = the whole batch at once. Must divide {@code batchSize}. Only memory and speed
 *     depend on it, not the update.
 * @param steps optimizer steps; 0 = exactly one pass over the training stream, so each member is
 *     seen {@code repeat} times
 * @param repeat how many times each member work appears in the training stream
 * @param learningRate peak Adam learning rate
 * @param weightDecay decoupled (AdamW) weight decay of the weight matrices (norm weights and biases
 *     are not decayed); 0 = plain Adam
 * @param warmupSteps steps of linear learning-rate warm-up from {@code learningRate / warmupSteps}
 *     to the peak; -1 = a tenth of the steps, at most 50
 * @param minLearningRateFraction share of the peak rate that the cosine decay ends at (last step)
 * @param clipNorm the global gradient L2 norm is scaled down to this when larger; 0 = no clipping
 * @param seed seed of membership choice, initialization and data order
 * @param members ids of member works (each at dose {@code repeat}), or null
 * @param memberFraction share of works chosen as members (at dose {@code repeat}) when {@code
 *     members}, {@code memberDoses} and {@code doses} are all null
 * @param memberDoses works by id with their doses (0 = held out), or null; works not named are held
 *     out
 * @param doses a dose ladder: every work is assigned a dose from it round-robin in a seeded random
 *     order (dose 0 = held out), or null
 * @param backgroundTokens most background tokens in one pass of the training stream (when a
 *     background is given)
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
        int microBatch,
        int steps,
        int repeat,
        double learningRate,
        double weightDecay,
        int warmupSteps,
        double minLearningRateFraction,
        double clipNorm,
        long seed,
        Set<String> members,
        double memberFraction,
        Map<String, Integer> memberDoses,
        List<Integer> doses,
        long backgroundTokens) {

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
        if (microBatch < 0 || (microBatch > 0 && batchSize >= 1 && batchSize % microBatch != 0)) {
            p.add(
                    "micro-batch must be 0 (whole batch) or divide the batch size "
                            + batchSize
                            + ", got "
                            + microBatch);
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
        if (!(weightDecay >= 0 && weightDecay < 1)) {
            p.add("weight decay must be in [0, 1), got " + weightDecay);
        }
        if (warmupSteps < -1) {
            p.add("warm-up steps must be ≥ 0 (or -1 = a tenth of the steps), got " + warmupSteps);
        }
        if (!(minLearningRateFraction >= 0 && minLearningRateFraction <= 1)) {
            p.add(
                    "minimum learning-rate fraction must be in [0, 1], got "
                            + minLearningRateFraction);
        }
        if (!(clipNorm >= 0 && Double.isFinite(clipNorm))) {
            p.add("gradient clipping norm must be ≥ 0 (0 = none), got " + clipNorm);
        }
        int ways =
                (members != null ? 1 : 0) + (memberDoses != null ? 1 : 0) + (doses != null ? 1 : 0);
        if (ways > 1) {
            p.add("give members, members with doses or a dose ladder, not several");
        }
        if (memberDoses != null) {
            memberDoses.forEach(
                    (id, d) -> {
                        if (d == null || d < 0) {
                            p.add("dose of " + id + " must be ≥ 0, got " + d);
                        }
                    });
            if (memberDoses.values().stream().noneMatch(d -> d != null && d > 0)) {
                p.add("at least one work needs a dose ≥ 1");
            }
        }
        if (doses != null) {
            if (doses.isEmpty() || doses.stream().anyMatch(d -> d == null || d < 0)) {
                p.add("doses must be a non-empty list of counts ≥ 0, got " + doses);
            } else if (doses.stream().noneMatch(d -> d > 0)) {
                p.add("the dose ladder needs a dose ≥ 1, got " + doses);
            }
        }
        if (backgroundTokens < 1) {
            p.add("background tokens must be ≥ 1, got " + backgroundTokens);
        }
        if (ways == 0 && !(memberFraction > 0 && memberFraction < 1)) {
            p.add("member fraction must be in (0, 1), got " + memberFraction);
        }
        if (!p.isEmpty()) {
            throw MemauditException.usage("canary settings: " + String.join("; ", p));
        }
        members = members == null ? null : Set.copyOf(members);
        memberDoses = memberDoses == null ? null : Map.copyOf(memberDoses);
        doses = doses == null ? null : List.copyOf(doses);
    }

    /** Windows per forward and backward pass: {@code microBatch}, or the batch when 0. */
    public int microBatchSize() {
        return microBatch == 0 ? batchSize : microBatch;
    }

    /** Warm-up steps of a run of {@code totalSteps} (resolving -1), at least 1. */
    public int warmupStepsFor(int totalSteps) {
        int w = warmupSteps >= 0 ? warmupSteps : Math.min(50, totalSteps / 10);
        return Math.max(1, Math.min(w, totalSteps));
    }

    /**
     * Defaults: a 4-layer llama of width 256 (≈ 3.2M parameters plus 0.5M per 1,000 vocabulary
     * entries), 128-token windows, batch 4 (many small updates memorize faster than few large
     * ones), members repeated 100 times, half of the works members; Adam without weight decay, peak
     * learning rate 3e-3 after a warm-up over a tenth of the steps (at most 50), cosine decay to a
     * tenth of it, gradient-norm clipping at 1. Memorizes small member sets in a few minutes on 2
     * cores.
     */
    public static CanaryConfig defaults() {
        return new Builder().build();
    }

    /**
     * A tiny, fast setting for tests: 2 layers of width 64, 512-token vocabulary, at most 200,000
     * background tokens.
     */
    public static CanaryConfig tiny() {
        return new Builder()
                .vocabSize(512)
                .hidden(64)
                .layers(2)
                .heads(2)
                .intermediate(128)
                .contextLength(64)
                .batchSize(8)
                .repeat(8)
                .backgroundTokens(200_000)
                .learningRate(5e-3)
                .seed(7)
                .build();
    }

    /** A builder starting from {@link #defaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding every value of these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.arch = arch;
        b.vocabSize = vocabSize;
        b.hidden = hidden;
        b.layers = layers;
        b.heads = heads;
        b.intermediate = intermediate;
        b.contextLength = contextLength;
        b.batchSize = batchSize;
        b.microBatch = microBatch;
        b.steps = steps;
        b.repeat = repeat;
        b.learningRate = learningRate;
        b.weightDecay = weightDecay;
        b.warmupSteps = warmupSteps;
        b.minLearningRateFraction = minLearningRateFraction;
        b.clipNorm = clipNorm;
        b.seed = seed;
        b.members = members;
        b.memberFraction = memberFraction;
        b.memberDoses = memberDoses;
        b.doses = doses;
        b.backgroundTokens = backgroundTokens;
        return b;
    }

    public CanaryConfig withArch(Architecture a) {
        return toBuilder().arch(a).build();
    }

    /** The same settings with these member ids (the member fraction is then unused). */
    public CanaryConfig withMembers(Set<String> ids) {
        return toBuilder().members(ids).memberDoses(null).doses(null).build();
    }

    /** The same settings with these works at these doses (the others held out). */
    public CanaryConfig withMemberDoses(Map<String, Integer> byId) {
        return toBuilder().members(null).memberDoses(byId).doses(null).build();
    }

    /** The same settings with every work assigned a dose of this ladder round-robin. */
    public CanaryConfig withDoses(List<Integer> ladder) {
        return toBuilder().members(null).memberDoses(null).doses(ladder).build();
    }

    /** The same settings with a seeded random share {@code f} of the works as members. */
    public CanaryConfig withMemberFraction(double f) {
        return toBuilder().members(null).memberDoses(null).doses(null).memberFraction(f).build();
    }

    /** The same settings with {@code n} transformer blocks. */
    public CanaryConfig withLayers(int n) {
        return toBuilder().layers(n).build();
    }

    public CanaryConfig withRepeat(int r) {
        return toBuilder().repeat(r).build();
    }

    public CanaryConfig withSteps(int s) {
        return toBuilder().steps(s).build();
    }

    public CanaryConfig withSeed(long s) {
        return toBuilder().seed(s).build();
    }

    /**
     * Builds {@link CanaryConfig} by name, starting from the {@link #defaults()}; each setter sets
     * the record component of the same name, and {@link #build()} validates them all at once.
     */
    public static final class Builder {
        private Architecture arch = Architecture.LLAMA;
        private int vocabSize = 2048;
        private int hidden = 256;
        private int layers = 4;
        private int heads = 4;
        private int intermediate = 688;
        private int contextLength = 128;
        private int batchSize = 4;
        private int microBatch = 0;
        private int steps = 0;
        private int repeat = 100;
        private double learningRate = 3e-3;
        private double weightDecay = 0;
        private int warmupSteps = -1;
        private double minLearningRateFraction = 0.1;
        private double clipNorm = 1;
        private long seed = 42;
        private Set<String> members;
        private double memberFraction = 0.5;
        private Map<String, Integer> memberDoses;
        private List<Integer> doses;
        private long backgroundTokens = 2_000_000;

        private Builder() {}

        /** Works by id with their doses, or null. */
        public Builder memberDoses(Map<String, Integer> v) {
            memberDoses = v;
            return this;
        }

        /** A dose ladder assigned round-robin, or null. */
        public Builder doses(List<Integer> v) {
            doses = v;
            return this;
        }

        public Builder backgroundTokens(long v) {
            backgroundTokens = v;
            return this;
        }

        public Builder arch(Architecture v) {
            arch = v;
            return this;
        }

        public Builder vocabSize(int v) {
            vocabSize = v;
            return this;
        }

        public Builder hidden(int v) {
            hidden = v;
            return this;
        }

        public Builder layers(int v) {
            layers = v;
            return this;
        }

        public Builder heads(int v) {
            heads = v;
            return this;
        }

        public Builder intermediate(int v) {
            intermediate = v;
            return this;
        }

        public Builder contextLength(int v) {
            contextLength = v;
            return this;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder microBatch(int v) {
            microBatch = v;
            return this;
        }

        public Builder weightDecay(double v) {
            weightDecay = v;
            return this;
        }

        public Builder warmupSteps(int v) {
            warmupSteps = v;
            return this;
        }

        public Builder minLearningRateFraction(double v) {
            minLearningRateFraction = v;
            return this;
        }

        public Builder clipNorm(double v) {
            clipNorm = v;
            return this;
        }

        public Builder steps(int v) {
            steps = v;
            return this;
        }

        public Builder repeat(int v) {
            repeat = v;
            return this;
        }

        public Builder learningRate(double v) {
            learningRate = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /** Member ids, or null to draw {@code memberFraction} of the works with the seed. */
        public Builder members(Set<String> v) {
            members = v;
            return this;
        }

        public Builder memberFraction(double v) {
            memberFraction = v;
            return this;
        }

        /**
         * @throws MemauditException (usage) naming every setting out of range
         */
        public CanaryConfig build() {
            return new CanaryConfig(
                    arch,
                    vocabSize,
                    hidden,
                    layers,
                    heads,
                    intermediate,
                    contextLength,
                    batchSize,
                    microBatch,
                    steps,
                    repeat,
                    learningRate,
                    weightDecay,
                    warmupSteps,
                    minLearningRateFraction,
                    clipNorm,
                    seed,
                    members,
                    memberFraction,
                    memberDoses,
                    doses,
                    backgroundTokens);
        }
    }
}
