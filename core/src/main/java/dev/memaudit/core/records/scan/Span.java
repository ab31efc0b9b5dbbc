package dev.memaudit.core.records.scan;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.Nullable;
import dev.memaudit.core.records.OptionalField;
import dev.memaudit.core.records.RecordFile;

/**
 * One line of {@code spans.jsonl}: a passage shared by an output and a work, either a maximal
 * verbatim span ({@code match} "exact") or a maximal near-verbatim passage ({@code match} "near":
 * the same words up to substitutions, insertions and deletions). Offsets are Unicode code points,
 * half-open, into the output's text and the work's original text.
 *
 * @param words length in normalized words of the output side (= {@code wordsOutput})
 * @param tokens length in the audited model's tokens (output side); absent when no tokenizer was
 *     given
 * @param exact true when the two original texts are identical character for character, not only
 *     after normalization
 * @param match {@link #EXACT} or {@link #NEAR}
 * @param similarity word-level similarity, 1 − editDistance / max(wordsOutput, wordsWork); 1 for an
 *     exact span
 * @param editDistance words substituted, inserted and deleted (0 for an exact span)
 * @param wordsOutput normalized words of the output side
 * @param wordsWork normalized words of the work side
 * @param alignment the word alignment, output against work, as runs of one operation each: a count
 *     then {@code =} (words equal), {@code X} (substituted), {@code I} (output words the work
 *     lacks), {@code D} (work words the output lacks), {@code J} (two output words that are one
 *     work word, such as "soap works" for a hyphenated "soap-works"; no edit) or {@code P} (one
 *     output word that is two work words; no edit); for example {@code 14=1X9=2I20=}
 * @param chanceLog10 the chance score: log10 of how often text like the scan's background (control
 *     texts, a background corpus) would hold a passage like this one in an output this long, from
 *     the background frequencies of its 4-word n-grams; ≤ 0, lower is less likely chance; absent
 *     when the scan was given no background (not measured)
 * @param common whether the passage's text is common rather than distinctive of the work: at least
 *     {@link #COMMON_SHARE} of the distinct {@value #COMMON_GRAM}-word n-grams of its work side
 *     occur in one other indexed work, or in one of the scan's control texts; absent in version 2
 *     files and for a passage shorter than {@value #COMMON_GRAM} words (not measured)
 * @param commonIn where else the passage's text occurs; absent with {@code common}
 */
@RecordFile(name = "spans.jsonl", version = Span.SCHEMA_VERSION, readsFrom = 2)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonPropertyOrder({"schema_version", "output_id", "work_id", "match"})
public record Span(
        int schemaVersion,
        String outputId,
        String workId,
        String match,
        int outputCharStart,
        int outputCharEnd,
        int workCharStart,
        int workCharEnd,
        int words,
        @OptionalField Integer tokens,
        boolean exact,
        double similarity,
        int editDistance,
        int wordsOutput,
        int wordsWork,
        String alignment,
        @OptionalField Double chanceLog10,
        @OptionalField Boolean common,
        @OptionalField CommonIn commonIn) {

    /**
     * Version of the spans.jsonl layout. 3: {@code common}, {@code common_in} (optional; version 2
     * files are still read).
     */
    public static final int SCHEMA_VERSION = 3;

    /** Word n-gram length of the commonness test. */
    public static final int COMMON_GRAM = 5;

    /** Share of a passage's n-grams another source must hold for the passage to be common. */
    public static final double COMMON_SHARE = 0.5;

    /**
     * Where else a passage's text occurs.
     *
     * @param works indexed works (not controls) besides the matched one that hold at least {@link
     *     Span#COMMON_SHARE} of the passage's distinct {@value Span#COMMON_GRAM}-grams
     * @param controls whether one control text (of the index, or of the scan's {@code --controls})
     *     holds at least that share; null when there are no controls (not looked in)
     * @param share the largest share of the passage's distinct n-grams that one other work, or one
     *     control text, holds; in [0, 1]
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record CommonIn(int works, @Nullable Boolean controls, double share) {}

    /** {@code match} of a verbatim span. */
    public static final String EXACT = "exact";

    /** {@code match} of a near-verbatim passage. */
    public static final String NEAR = "near";

    public Span {
        if (!EXACT.equals(match) && !NEAR.equals(match)) {
            throw new IllegalArgumentException(
                    "match must be \"exact\" or \"near\", got \"" + match + "\"");
        }
    }

    /** Whether this is a near-verbatim passage (not an exact span). */
    public boolean near() {
        return NEAR.equals(match);
    }

    /** An exact span of {@code words} words on both sides. */
    public static Span of(
            String outputId,
            String workId,
            int outputCharStart,
            int outputCharEnd,
            int workCharStart,
            int workCharEnd,
            int words,
            Integer tokens,
            boolean exact) {
        return new Span(
                SCHEMA_VERSION,
                outputId,
                workId,
                EXACT,
                outputCharStart,
                outputCharEnd,
                workCharStart,
                workCharEnd,
                words,
                tokens,
                exact,
                1.0,
                0,
                words,
                words,
                words + "=",
                null,
                null,
                null);
    }

    /** A near-verbatim passage. */
    public static Span near(
            String outputId,
            String workId,
            int outputCharStart,
            int outputCharEnd,
            int workCharStart,
            int workCharEnd,
            Integer tokens,
            boolean exact,
            double similarity,
            int editDistance,
            int wordsOutput,
            int wordsWork,
            String alignment) {
        return new Span(
                SCHEMA_VERSION,
                outputId,
                workId,
                NEAR,
                outputCharStart,
                outputCharEnd,
                workCharStart,
                workCharEnd,
                wordsOutput,
                tokens,
                exact,
                similarity,
                editDistance,
                wordsOutput,
                wordsWork,
                alignment,
                null,
                null,
                null);
    }

    /** This span with its chance score (see {@code index.scan.BackgroundGrams#chanceLog10}). */
    public Span withChance(double log10) {
        return new Span(
                schemaVersion,
                outputId,
                workId,
                match,
                outputCharStart,
                outputCharEnd,
                workCharStart,
                workCharEnd,
                words,
                tokens,
                exact,
                similarity,
                editDistance,
                wordsOutput,
                wordsWork,
                alignment,
                log10,
                common,
                commonIn);
    }

    /** This span marked common or distinctive ({@code index.scan.CommonGrams}). */
    public Span withCommon(CommonIn in) {
        return new Span(
                schemaVersion,
                outputId,
                workId,
                match,
                outputCharStart,
                outputCharEnd,
                workCharStart,
                workCharEnd,
                words,
                tokens,
                exact,
                similarity,
                editDistance,
                wordsOutput,
                wordsWork,
                alignment,
                chanceLog10,
                in.works() > 0 || Boolean.TRUE.equals(in.controls()),
                in);
    }
}
