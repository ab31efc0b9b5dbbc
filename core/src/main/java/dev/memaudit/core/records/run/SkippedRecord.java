package dev.memaudit.core.records.run;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.OptionalField;
import dev.memaudit.core.records.RecordFile;

/**
 * One line of {@code skipped.jsonl} (docs/run-folders.md): an item of a stage that the backend
 * refused for good (e.g. longer than the model's context), so it has no result. A skipped item is
 * done (a resumed run does not retry it), counted apart from the results, and never counted as a
 * try. A backend that failed (down, timing out) never leads here: the stage stops instead.
 *
 * @param item what kind of item: {@code window}, {@code attempt}, {@code chunk} or {@code
 *     generation}
 * @param id the item's key in its stage, as the stage's ledger keys it: {@code <work_id>#<window>},
 *     {@code <work_id>#<window>/<attempt>}, {@code <set>/<id>#<chunk>}, or the generation's id
 * @param workId the work the item belongs to; absent when it belongs to none
 * @param reason the backend's refusal, naming the input's size and the limit
 */
@RecordFile(name = "skipped.jsonl", version = SkippedRecord.SCHEMA_VERSION)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonPropertyOrder({"schema_version", "item", "id", "work_id", "reason"})
public record SkippedRecord(
        int schemaVersion, String item, String id, @OptionalField String workId, String reason) {

    /** Version of the skipped.jsonl layout. */
    public static final int SCHEMA_VERSION = 1;

    public static SkippedRecord of(String item, String id, String workId, String reason) {
        return new SkippedRecord(SCHEMA_VERSION, item, id, workId, reason);
    }
}
