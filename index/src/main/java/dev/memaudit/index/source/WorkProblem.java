package dev.memaudit.index.source;

import java.nio.file.Path;

/**
 * A manifest entry, or one line of a JSONL file, that could not be loaded.
 *
 * @param id the work id, or null when it is not known (e.g. a JSONL line without an id)
 * @param file the source file
 * @param line the 1-based line in the file (JSONL lines, text decoding errors), or null
 * @param kind skipped (readable in principle but not usable: DRM, no text layer) or failed
 * @param reason what went wrong and what to do about it, for the user
 * @param limit the {@link ReadLimits} key the work exceeded, or null when no limit was hit
 */
public record WorkProblem(
        String id, Path file, Integer line, Kind kind, String reason, ReadLimits.Key limit) {

    /** A problem that is not a limit exceeded. */
    public WorkProblem(String id, Path file, Integer line, Kind kind, String reason) {
        this(id, file, line, kind, reason, null);
    }

    /** How a work could not be loaded. */
    public enum Kind {
        /** The file is well-formed but holds no usable text (DRM, scanned PDF, password). */
        SKIPPED,
        /** The file is missing, corrupt, or not in the format it claims. */
        FAILED
    }
}
