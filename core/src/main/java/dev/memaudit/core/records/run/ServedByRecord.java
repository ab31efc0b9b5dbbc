package dev.memaudit.core.records.run;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.RecordFile;

/**
 * One line of {@code served-by.jsonl}: an address (model folder or server URL) that served part of
 * the run, written when a run or a resume starts at an address not yet listed. The manifest's
 * {@code backend.served_by} lists them all, in order.
 *
 * @param address the model folder (absolute) or the server's base URL (never a credential)
 */
@RecordFile(name = "served-by.jsonl", version = ServedByRecord.SCHEMA_VERSION)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ServedByRecord(int schemaVersion, String address) {

    /** Version of the served-by.jsonl layout. */
    public static final int SCHEMA_VERSION = 1;
}
