package dev.memaudit.core.records.sample;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.OptionalField;
import dev.memaudit.core.records.RecordFile;

/**
 * One line of a sample campaign's {@code generations.jsonl}: one seeded sample of one prompt, in
 * the shape {@code memaudit sample} writes plus the campaign's fields. {@code memaudit scan} reads
 * the file as its outputs ({@code id}, {@code completion}; the other fields are kept).
 *
 * @param id {@code <tier>:<work_id>#<k>} or {@code unconditioned#<k>} (k = 0-based sample)
 * @param tier {@code plain}, {@code instruction}, {@code title} or {@code unconditioned}
 * @param workId the work the prompt came from; absent for an unconditioned prompt
 * @param prompt the prompt text
 * @param completion the generated text
 * @param tokenIds the generated token ids
 * @param logprobs ln p of each generated token under the model's own distribution (temperature 1,
 *     no truncation)
 * @param seed the sample's own seed (derived from the campaign seed, the prompt id and k)
 * @param stoppedAtEos whether the sample ended at the end-of-sequence token
 * @param promptTokensDropped tokens cut from the start of a prompt longer than the model's context
 *     allows; absent when none were
 * @param settings the decoding settings
 */
@RecordFile(name = "generations.jsonl", version = GenerationRecord.SCHEMA_VERSION)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonPropertyOrder(alphabetic = true)
public record GenerationRecord(
        int schemaVersion,
        String id,
        String tier,
        @OptionalField String workId,
        String prompt,
        String completion,
        int[] tokenIds,
        float[] logprobs,
        long seed,
        boolean stoppedAtEos,
        @OptionalField Integer promptTokensDropped,
        SampleSettings settings) {

    /** Version of the generations.jsonl layout. */
    public static final int SCHEMA_VERSION = 1;
}
