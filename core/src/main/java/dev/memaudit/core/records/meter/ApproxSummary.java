package dev.memaudit.core.records.meter;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.Nullable;
import dev.memaudit.core.records.RecordFile;
import java.util.List;
import java.util.Map;

/**
 * {@code approx.json}: what {@code meter approx} measured per work, by behaviour kind, and what
 * each work cost. The definitions of the numbers are in {@code conventions}.
 *
 * @param method {@code unlearn} or {@code gradient}
 * @param conventions how delta_logprob is defined for the method, with its units
 * @param parameters parameters of the model that got gradients
 * @param works per metered work, in id order
 * @param behaviours behaviours measured, by kind
 * @param skipped behaviours not measured, by id, with the reason (e.g. longer than the context)
 * @param behaviourSeconds gradient: computing and projecting every behaviour's gradient once;
 *     unlearn: scoring them once at the checkpoint
 * @param totalSeconds the whole run, loading the model included
 */
@RecordFile(name = "approx.json", version = ApproxSummary.SCHEMA_VERSION)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ApproxSummary(
        int schemaVersion,
        String method,
        String conventions,
        long parameters,
        List<WorkCost> works,
        Map<String, Integer> behaviours,
        Map<String, String> skipped,
        double behaviourSeconds,
        double totalSeconds) {
    /** Version of the approx.json layout. */
    public static final int SCHEMA_VERSION = 1;

    /**
     * @param chunks chunks of the work used
     * @param tokens their scored tokens
     * @param seconds wall time of the work (unlearning or gradient, and rescoring)
     * @param secondsPerBehaviour {@code seconds} over the behaviours measured
     * @param forgetNllBefore mean NLL per token of the work's chunks at the checkpoint, nats
     * @param forgetNllAfter the same after unlearning; null for gradient
     * @param retainNllBefore mean NLL per token of the retain chunks at the checkpoint; null for
     *     gradient or without retain text
     * @param retainNllAfter the same after unlearning; null with {@code retainNllBefore}
     * @param gradientNorms each unlearning step's gradient norm before clipping; empty for gradient
     * @param byKind per behaviour kind ({@code own}, {@code other} = other works' own text, {@code
     *     style}, {@code unrelated}, {@code given}); significant and within_null are null (no null
     *     distribution)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record WorkCost(
            String workId,
            int chunks,
            int tokens,
            double seconds,
            double secondsPerBehaviour,
            double forgetNllBefore,
            @Nullable Double forgetNllAfter,
            @Nullable Double retainNllBefore,
            @Nullable Double retainNllAfter,
            List<Double> gradientNorms,
            Map<String, MeterSummary.KindSummary> byKind) {}
}
