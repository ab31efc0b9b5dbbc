package dev.memaudit.extractor.extract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * One line of {@code attempts.jsonl} (docs/run-folders.md): one decoding attempt on a window,
 * failures included. Attempt 0 is greedy, 1..n are samples under {@code scheme}.
 *
 * @param seed the attempt's own random seed (generation is reproducible from prefix, settings and
 *     seed; 0 for greedy)
 * @param generatedTokens the generated token ids
 * @param spans the generation scanned against the whole index: verbatim spans of any work
 * @param error why the attempt failed; then the match fields are empty
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"schema_version", "work_id", "window", "attempt"})
public record AttemptRecord(
        int schemaVersion,
        String workId,
        int window,
        int attempt,
        String scheme,
        long seed,
        Settings settings,
        String prefixText,
        String generatedText,
        int[] generatedTokens,
        Boolean exact,
        Integer longestCommonTokenRun,
        Double tokenMatchShare,
        Integer editDistance,
        List<ScanSpan> spans,
        String error) {

    /** Decoding settings of an attempt. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Settings(double temperature, int topK, double topP, int maxNewTokens) {}

    /** A verbatim span of a work found in the generation; offsets in code points. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ScanSpan(
            String workId,
            int workCharStart,
            int workCharEnd,
            int outputCharStart,
            int outputCharEnd,
            int words,
            boolean exact) {}
}
