package dev.memaudit.core.records.scan;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.Nullable;

/**
 * The {@code coverage} of one work in works.json's {@code scan} section: how much of the work the
 * outputs, taken together, reproduce (the book-coverage convention of bmc@k). Lengths are the
 * work's normalized words.
 *
 * <p>An output is compared with a work when its prompt came from the work (its record's {@code
 * work_id}) or when it holds a span or near passage of the work. Every maximal run of at least
 * {@code k} equal words between the two is found; the output words of each m-gram ({@code m} words)
 * that also occurs in the output's {@code prompt} are removed from it (prompt-overlap trimming),
 * and each piece left that still has {@code k} words (for the {@code *_k} figures) or {@code
 * min_words} words (for {@code *_min_words}) covers its work words. The union over all outputs is
 * the coverage. Near figures add the matched work words of near-verbatim passages that keep at
 * least {@code min_words} matched words after trimming.
 *
 * @param k the block length of the bmc@k convention
 * @param m the m-gram length of prompt-overlap trimming
 * @param minWords the scan's {@code --min-words}
 * @param workWords normalized words of the work
 * @param outputs outputs compared with the work
 * @param outputsTrimmed of those, the outputs that had a prompt to trim against
 * @param exactK exact blocks of at least k words
 * @param exactMinWords exact blocks of at least min-words words
 * @param nearK exact blocks of at least k words and near passages; null with {@code --exact-only}
 * @param nearMinWords exact blocks of at least min-words and near passages; null with {@code
 *     --exact-only}
 * @param passagesOver20 exact spans of over 20 words (work side), untrimmed, counted without
 *     overlap in the work (longer first)
 * @param passagesOver50 the same over 50 words
 * @param nearPassagesOver20 exact spans and near passages of over 20 words, counted the same way;
 *     null with {@code --exact-only}
 * @param nearPassagesOver50 the same over 50 words
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ScanCoverage(
        int k,
        int m,
        int minWords,
        int workWords,
        int outputs,
        int outputsTrimmed,
        Block exactK,
        Block exactMinWords,
        @Nullable Block nearK,
        @Nullable Block nearMinWords,
        @JsonProperty("passages_over_20") int passagesOver20,
        @JsonProperty("passages_over_50") int passagesOver50,
        @JsonProperty("near_passages_over_20") @Nullable Integer nearPassagesOver20,
        @JsonProperty("near_passages_over_50") @Nullable Integer nearPassagesOver50) {

    /**
     * The covered words of one convention.
     *
     * @param words work words covered
     * @param share words / the work's words (0 for a work without words)
     * @param longestBlockWords the longest run of consecutive covered work words (0 without)
     * @param longestBlockCharStart its first code point in the work; null without a block
     * @param longestBlockCharEnd its end (exclusive); null without a block
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Block(
            long words,
            double share,
            int longestBlockWords,
            @Nullable Integer longestBlockCharStart,
            @Nullable Integer longestBlockCharEnd) {}
}
