package dev.memaudit.index.build;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * What an index build did with one work (or one line of a JSONL source).
 *
 * @param id work id, null when the entry could not be read far enough to know it
 * @param source source path relative to the corpus root
 * @param line 1-based line for JSONL sources, else null
 * @param status the outcome
 * @param reason why, for anything but {@link Status#INDEXED} and {@link Status#UNCHANGED}
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WorkOutcome(String id, String source, Integer line, Status status, String reason) {
    /** Per-work outcome of a build. */
    public enum Status {
        /** Read, normalized and (re)indexed in this build. */
        INDEXED,
        /** Already in the index with the same source hash; kept as it was. */
        UNCHANGED,
        /** The source has no words. */
        EMPTY,
        /** Deliberately not indexed (e.g. DRM-encrypted, no text layer). */
        SKIPPED,
        /** Could not be read (malformed, unreadable, duplicate id). */
        FAILED
    }
}
