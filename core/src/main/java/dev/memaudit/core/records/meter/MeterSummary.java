package dev.memaudit.core.records.meter;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.Nullable;
import dev.memaudit.core.records.RecordFile;
import java.util.List;
import java.util.Map;

/**
 * {@code meter.json}: per metered work, what its influence measured, by behaviour kind, and its
 * most influenced behaviours; and what the run cost.
 *
 * @param method {@code exact}, {@code unlearn} or {@code gradient}
 * @param conventions how the numbers are defined (logarithm, sign, per-token, null)
 * @param seeds canaries in the seed-variation null; 0 for a method without one
 * @param works per metered work, in id order
 * @param behaviours behaviours measured, by kind
 * @param skipped behaviours not measured, by id, with the reason (e.g. longer than the context)
 * @param cost seconds spent
 */
@RecordFile(name = "meter.json", version = MeterSummary.SCHEMA_VERSION)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record MeterSummary(
        int schemaVersion,
        String method,
        String conventions,
        int seeds,
        List<WorkInfluence> works,
        Map<String, Integer> behaviours,
        Map<String, String> skipped,
        Cost cost) {
    /** Version of the meter.json layout. */
    public static final int SCHEMA_VERSION = 1;

    /**
     * @param dose the work's dose in the full canary (null where unknown: a model not trained here)
     * @param byKind per behaviour kind ({@code own}, {@code other} = other metered works' own text,
     *     {@code style}, {@code unrelated}, {@code given})
     * @param top the behaviours it raised most (largest delta_logprob), at most 5
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record WorkInfluence(
            String workId,
            @Nullable Integer dose,
            Map<String, KindSummary> byKind,
            List<Top> top) {}

    /**
     * @param behaviours behaviours of the kind
     * @param meanDeltaPerToken mean of their delta_per_token, nats
     * @param meanDeltaLogprob mean of their delta_logprob, nats
     * @param significant those with p below 0.05 (null without a seed null)
     * @param withinNull those with |z| below 2 (null without a seed null)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record KindSummary(
            int behaviours,
            double meanDeltaPerToken,
            double meanDeltaLogprob,
            @Nullable Integer significant,
            @Nullable Integer withinNull) {}

    /** One behaviour a work influences, as in influence.jsonl. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Top(
            String behaviourId,
            String behaviourKind,
            double deltaLogprob,
            double deltaPerToken,
            @Nullable Double z,
            @Nullable Double p) {}

    /**
     * @param trainSeconds training of every canary of the run, as models.jsonl recorded it when
     *     each was trained (a resumed run counts the kept ones too)
     * @param scoreSeconds scoring the behaviours on every model
     * @param models models scored
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Cost(double trainSeconds, double scoreSeconds, int models) {}
}
