package dev.memaudit.index.scan;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code scan.json}: what a scan read, what it could not, and what it found.
 *
 * @param outputsScanned outputs with text that were matched
 * @param outputsEmpty outputs whose text was missing or empty
 * @param outputsWithSpans outputs with at least one span
 * @param problems lines or files that could not be scanned, with the reason
 * @param wordsScanned normalized output words matched
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScanSummary(
        int schemaVersion,
        long outputsScanned,
        long outputsEmpty,
        long outputsWithSpans,
        long spans,
        long wordsScanned,
        int worksInIndex,
        int problemCount,
        List<Problem> problems,
        Double seconds) {

    /** A line or file that was not scanned. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Problem(String file, Long line, String reason) {}

    ScanSummary withSeconds(double s) {
        return new ScanSummary(
                schemaVersion,
                outputsScanned,
                outputsEmpty,
                outputsWithSpans,
                spans,
                wordsScanned,
                worksInIndex,
                problemCount,
                problems,
                s);
    }

    static final class Builder {
        private long scanned;
        private long empty;
        private long withSpans;
        private long spans;
        private long words;
        private final List<Problem> problems = new ArrayList<>();

        void problem(String file, Long line, String reason) {
            problems.add(new Problem(file, line, reason));
        }

        List<Problem> problems() {
            return problems;
        }

        void output(OutputSummary s) {
            if ("empty".equals(s.status())) {
                empty++;
                return;
            }
            scanned++;
            words += s.words();
            spans += s.spans();
            if (s.spans() > 0) {
                withSpans++;
            }
        }

        ScanSummary build(int works) {
            return new ScanSummary(
                    ScanService.SCHEMA_VERSION,
                    scanned,
                    empty,
                    withSpans,
                    spans,
                    words,
                    works,
                    problems.size(),
                    List.copyOf(problems),
                    null);
        }
    }
}
