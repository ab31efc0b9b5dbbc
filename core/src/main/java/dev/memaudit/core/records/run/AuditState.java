package dev.memaudit.core.records.run;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.Nullable;
import dev.memaudit.core.records.OptionalField;
import dev.memaudit.core.records.RecordFile;
import java.util.Map;

/**
 * {@code audit-state.json} of an audit folder: what each stage last ran and whether it finished, so
 * that {@code memaudit audit} skips current stages, resumes unfinished ones and re-runs changed
 * ones.
 *
 * @param stages stage name → its state
 */
@RecordFile(name = "audit-state.json", version = AuditState.SCHEMA_VERSION)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record AuditState(int schemaVersion, Map<String, Stage> stages) {

    /** Version of the audit-state.json layout. */
    public static final int SCHEMA_VERSION = 1;

    /**
     * @param fingerprint SHA-256 of the stage's command line and of what it read; null when that
     *     was not there yet when the stage started
     * @param command the command line as printed
     * @param startedUtc ISO-8601 instant the stage started
     * @param finished whether it ended with exit 0
     * @param endedUtc ISO-8601 instant it finished; absent until it did
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Stage(
            @Nullable String fingerprint,
            String command,
            String startedUtc,
            boolean finished,
            @OptionalField String endedUtc) {}
}
