package dev.memaudit.core.records.meter;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.Nullable;
import dev.memaudit.core.records.RecordFile;

/**
 * One line of {@code influence.jsonl}: how much one work moved the log-probability of one
 * behaviour, by one method. Natural logarithms; per token = over the behaviour's scored tokens.
 *
 * @param method {@code exact} (trained with and without the work), {@code unlearn} (gradient ascent
 *     on the work) or {@code gradient} (projected gradient similarity)
 * @param workId the metered work
 * @param behaviourId the behaviour's id
 * @param behaviourKind relative to {@code workId}: {@code own} (the work's own text), {@code style}
 *     (held-out text of its source), {@code generation} (the model's own continuation of a prompt
 *     of the work that matched it), {@code other} / {@code other-style} / {@code other-generation}
 *     (the same of another metered work), {@code unrelated} (held-out background text) or {@code
 *     given} (from a file)
 * @param tokens the behaviour's scored tokens
 * @param deltaLogprob log p_with(b) − log p_without(b), summed over the scored tokens (for {@code
 *     gradient}, the method's first-order estimate of it)
 * @param deltaPerToken {@code deltaLogprob / tokens}
 * @param z {@code deltaLogprob} over the seed-variation null's standard deviation; null when the
 *     method has no null (or fewer than 2 seeds)
 * @param p two-sided p-value of {@code z} (Student t with seeds − 1 degrees of freedom); null with
 *     {@code z}
 * @param logprobWith log p(b) under the model with the work; null for {@code gradient}
 * @param logprobWithout log p(b) under the model without it (exact) or after unlearning; null for
 *     {@code gradient}
 */
@RecordFile(name = "influence.jsonl", version = InfluenceRecord.SCHEMA_VERSION)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record InfluenceRecord(
        int schemaVersion,
        String method,
        String workId,
        String behaviourId,
        String behaviourKind,
        int tokens,
        double deltaLogprob,
        double deltaPerToken,
        @Nullable Double z,
        @Nullable Double p,
        @Nullable Double logprobWith,
        @Nullable Double logprobWithout) {
    /** Version of the influence.jsonl layout. */
    public static final int SCHEMA_VERSION = 1;
}
