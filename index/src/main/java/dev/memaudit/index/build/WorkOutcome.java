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
 * @param limit for a work that exceeded a reading limit, its corpus.yaml key (e.g. {@code
 *     max_document_bytes}), else null; the reason names the part of the file and its size
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WorkOutcome(
        String id, String source, Integer line, Status status, String reason, String limit) {

    /** An outcome that is not a limit exceeded. */
    public WorkOutcome(String id, String source, Integer line, Status status, String reason) {
        this(id, source, line, status, reason, null);
    }

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
        /** Could not be read (malformed, unreadable, over a reading limit, duplicate id). */
        FAILED
    }
}
