package dev.memaudit.core.records.ppl;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Settings of the per-work membership statistics ({@code statistics} of ppl.json).
 *
 * @param alpha significance level of the self-checks and of the {@code significant} flags
 * @param seed seed of the chunk splits (dataset inference, control split) and of the bootstrap
 * @param bootstrapResamples bootstrap resamples of the gap's confidence interval
 * @param ciLevel confidence level of that interval
 * @param minControlChunks fewer control chunks than this: "not enough control text", no p-values
 * @param minControlTexts fewer control texts than this: "not enough control text" (the chunks of
 *     one text are not independent, so one long control text is not a control set)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PplStatsSettings(
        double alpha,
        long seed,
        int bootstrapResamples,
        double ciLevel,
        int minControlChunks,
        int minControlTexts) {

    public PplStatsSettings {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
        }
        if (bootstrapResamples < 100) {
            throw new IllegalArgumentException(
                    "bootstrap resamples must be ≥ 100, got " + bootstrapResamples);
        }
        if (!(ciLevel > 0 && ciLevel < 1)) {
            throw new IllegalArgumentException("CI level must be in (0, 1), got " + ciLevel);
        }
        if (minControlChunks < 4 || minControlTexts < 1) {
            throw new IllegalArgumentException(
                    "need at least 4 control chunks and 1 control text, got "
                            + minControlChunks
                            + " and "
                            + minControlTexts);
        }
    }

    /**
     * α = 0.05, seed 0, 2,000 resamples, 95% interval, ≥ 10 control chunks from ≥ 3 texts (the
     * text-level test needs 3).
     */
    public static PplStatsSettings defaults() {
        return new PplStatsSettings(0.05, 0, 2000, 0.95, 10, 3);
    }

    public PplStatsSettings withAlpha(double a) {
        return new PplStatsSettings(
                a, seed, bootstrapResamples, ciLevel, minControlChunks, minControlTexts);
    }

    public PplStatsSettings withSeed(long s) {
        return new PplStatsSettings(
                alpha, s, bootstrapResamples, ciLevel, minControlChunks, minControlTexts);
    }
}
