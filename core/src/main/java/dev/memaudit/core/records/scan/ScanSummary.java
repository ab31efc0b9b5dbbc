package dev.memaudit.core.records.scan;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.Nullable;
import dev.memaudit.core.records.OptionalField;
import dev.memaudit.core.records.RecordFile;
import java.util.List;

/**
 * {@code scan.json}: what a scan read, what it could not, and what it found.
 *
 * @param outputsScanned outputs with text that were matched
 * @param outputsEmpty outputs whose text was missing or empty
 * @param outputsWithSpans outputs with at least one span
 * @param spans exact spans written to spans.jsonl
 * @param nearPassages near-verbatim passages written to spans.jsonl (null with {@code
 *     --exact-only}: not looked for)
 * @param wordsScanned normalized output words matched
 * @param worksInIndex works the outputs were matched against
 * @param problemCount lines or files that could not be scanned
 * @param problems each of them, with the reason
 * @param seconds wall-clock seconds of the scan
 */
@RecordFile(name = "scan.json", version = ScanSummary.SCHEMA_VERSION)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ScanSummary(
        int schemaVersion,
        long outputsScanned,
        long outputsEmpty,
        long outputsWithSpans,
        long spans,
        @Nullable Long nearPassages,
        long wordsScanned,
        int worksInIndex,
        int problemCount,
        List<Problem> problems,
        double seconds) {

    /** Version of the scan files' layout. */
    public static final int SCHEMA_VERSION = 2;

    /**
     * A line or file that was not scanned.
     *
     * @param line 1-based line in the file; absent for a whole file (a .txt output)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Problem(String file, @OptionalField Long line, String reason) {}
}
