package dev.memaudit.core.records.sample;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.RecordFile;
import java.util.Map;

/**
 * {@code sample.json}: the counts of a sample campaign.
 *
 * @param generations generation records in the ledger
 * @param skipped samples the backend refused for good (in skipped.jsonl; not generations)
 * @param prompts campaign prompts
 * @param perTier generations planned per tier
 */
@RecordFile(name = "sample.json", version = SampleSummary.SCHEMA_VERSION)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SampleSummary(
        int schemaVersion, long generations, long skipped, int prompts, Map<String, Long> perTier) {

    /** Version of the sample.json layout. */
    public static final int SCHEMA_VERSION = 1;
}
