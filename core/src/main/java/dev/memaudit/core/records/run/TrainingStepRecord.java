package dev.memaudit.core.records.run;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.RecordFile;
import java.util.List;

/**
 * One line of a canary folder's {@code data-order.jsonl}: what one optimizer step trained on, so
 * that two canaries' data can be compared step by step (a counterfactual canary differs from its
 * pair exactly at the steps that held the withheld work).
 *
 * @param step the 1-based optimizer step
 * @param windows indexes of the step's windows in the first pass's window list, in batch order
 * @param works member works whose tokens the step's windows hold, sorted
 * @param sha256 lower-case hex SHA-256 of the step's token ids (each window's ids as 4-byte
 *     big-endian integers, windows in batch order)
 */
@RecordFile(name = "data-order.jsonl", version = TrainingStepRecord.SCHEMA_VERSION)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TrainingStepRecord(
        int schemaVersion, int step, List<Integer> windows, List<String> works, String sha256) {
    /** Version of the data-order.jsonl layout. */
    public static final int SCHEMA_VERSION = 1;

    public TrainingStepRecord {
        windows = List.copyOf(windows);
        works = List.copyOf(works);
    }
}
