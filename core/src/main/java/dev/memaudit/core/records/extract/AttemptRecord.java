package dev.memaudit.core.records.extract;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.OptionalField;
import dev.memaudit.core.records.RecordFile;
import java.util.List;

/**
 * One line of {@code attempts.jsonl} (docs/run-folders.md): one decoding attempt on a window and
 * its result. Attempt 0 is greedy, 1..n are samples under {@code scheme}. Only tries that produced
 * a generation are recorded: a backend failure stops the run (nothing written for it), and an
 * attempt the backend refused for good is in {@code skipped.jsonl}, not here.
 *
 * <p>The result fields are read as optional only so that a line of an earlier version that has
 * {@code error} instead is refused with the reason below, not as a missing field.
 *
 * @param seed the attempt's own random seed (generation is reproducible from prefix, settings and
 *     seed; 0 for greedy)
 * @param prefixText the prompt: the window's prefix as text
 * @param generatedText the generation decoded to text
 * @param generatedTokens the generated token ids
 * @param exact the generation starts with the whole true suffix
 * @param longestCommonTokenRun longest run of tokens the generation and the true suffix share
 * @param tokenMatchShare share of suffix positions where the generation has the true token
 * @param editDistance Levenshtein distance in tokens to the true suffix
 * @param wordSimilarity 1 − (word-level Levenshtein distance / the larger word count) between the
 *     generation (cut to the suffix's token length) and the true suffix, both decoded by the
 *     model's tokenizer and split into the project's normalized words; absent when the true suffix
 *     has no normalized word (the ratio is undefined: not measured, never 0)
 * @param rougeL ROUGE-L F1 (β = 1) over the same normalized words: 2 · LCS / (words of the
 *     generation + words of the true suffix); absent when the true suffix has no normalized word
 * @param near a near extraction: exact, or word similarity ≥ the run's {@code min_similarity}; so
 *     every exact attempt is also near (always written; optional only so that an old error line is
 *     refused with the reason below)
 * @param spans the generation scanned against the whole index: verbatim spans of any work
 * @param error never written; earlier versions of memaudit wrote a backend failure as an attempt
 *     with this field, and such a line is refused on reading (it is not a try)
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
        @OptionalField Double wordSimilarity,
        @OptionalField Double rougeL,
        @OptionalField Boolean near,
        @OptionalField List<ScanSpan> spans,
        @OptionalField String error) {

    /**
     * Version of the attempts.jsonl layout. 2: {@code word_similarity}, {@code rouge_l}, {@code
     * near}.
     */
    public static final int SCHEMA_VERSION = 2;

    public AttemptRecord {
        if (error != null) {
            throw new IllegalArgumentException(
                    "an attempt recorded as failed ("
                            + error
                            + ") is not a try: an earlier memaudit wrote backend failures into"
                            + " attempts.jsonl; delete the lines that have an \"error\" field"
                            + " and run extract again with --resume to try those attempts");
        }
        if (generatedText == null
                || generatedTokens == null
                || exact == null
                || longestCommonTokenRun == null
                || tokenMatchShare == null
                || editDistance == null
                || near == null
                || spans == null) {
            throw new IllegalArgumentException(
                    "an attempt needs generated_text, generated_tokens, exact,"
                            + " longest_common_token_run, token_match_share, edit_distance, near"
                            + " and spans");
        }
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
