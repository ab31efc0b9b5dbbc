package dev.memaudit.core.records.extract;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.OptionalField;
import dev.memaudit.core.records.RecordFile;
import java.util.List;

/**
 * One line of {@code attempts.jsonl} (docs/run-folders.md): one decoding attempt on a window,
 * failures included. Attempt 0 is greedy, 1..n are samples under {@code scheme}. An attempt either
 * has a result (generation, match and spans) or an {@code error}, never both and never neither.
 *
 * @param seed the attempt's own random seed (generation is reproducible from prefix, settings and
 *     seed; 0 for greedy)
 * @param prefixText the prompt: the window's prefix as text
 * @param generatedText the generation decoded to text; absent when the attempt failed
 * @param generatedTokens the generated token ids; absent when the attempt failed
 * @param exact the generation starts with the whole true suffix; absent when the attempt failed
 * @param longestCommonTokenRun longest run of tokens the generation and the true suffix share;
 *     absent when the attempt failed
 * @param tokenMatchShare share of suffix positions where the generation has the true token; absent
 *     when the attempt failed
 * @param editDistance Levenshtein distance in tokens to the true suffix; absent when the attempt
 *     failed
 * @param spans the generation scanned against the whole index: verbatim spans of any work; absent
 *     when the attempt failed
 * @param error why the attempt failed; absent when it did not
 */
@RecordFile(name = "attempts.jsonl", version = AttemptRecord.SCHEMA_VERSION)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
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
        @OptionalField String generatedText,
        @OptionalField int[] generatedTokens,
        @OptionalField Boolean exact,
        @OptionalField Integer longestCommonTokenRun,
        @OptionalField Double tokenMatchShare,
        @OptionalField Integer editDistance,
        @OptionalField List<ScanSpan> spans,
        @OptionalField String error) {

    /** Version of the attempts.jsonl layout. */
    public static final int SCHEMA_VERSION = 1;

    public AttemptRecord {
        boolean result =
                generatedText != null
                        && generatedTokens != null
                        && exact != null
                        && longestCommonTokenRun != null
                        && tokenMatchShare != null
                        && editDistance != null
                        && spans != null;
        boolean none =
                generatedText == null
                        && generatedTokens == null
                        && exact == null
                        && longestCommonTokenRun == null
                        && tokenMatchShare == null
                        && editDistance == null
                        && spans == null;
        if (error == null ? !result : !none) {
            throw new IllegalArgumentException(
                    error == null
                            ? "an attempt without an error needs generated_text, generated_tokens,"
                                    + " exact, longest_common_token_run, token_match_share,"
                                    + " edit_distance and spans"
                            : "a failed attempt (error) has no generation, match or spans");
        }
    }

    /** A failed attempt: what was asked and why it failed. */
    public static AttemptRecord failed(
            String workId,
            int window,
            int attempt,
            String scheme,
            long seed,
            Settings settings,
            String prefixText,
            String error) {
        return new AttemptRecord(
                SCHEMA_VERSION,
                workId,
                window,
                attempt,
                scheme,
                seed,
                settings,
                prefixText,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                error);
    }

    /** Whether the attempt failed (then it has an error and no result). */
    @JsonIgnore
    public boolean isFailed() {
        return error != null;
    }

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
