package dev.memaudit.core.records.scan;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.OptionalField;
import dev.memaudit.core.records.RecordFile;

/**
 * One line of {@code spans.jsonl}: a maximal verbatim span shared by an output and a work. Offsets
 * are Unicode code points, half-open, into the output's text and the work's original text.
 *
 * @param words length in normalized words
 * @param tokens length in the audited model's tokens (output side); absent when no tokenizer was
 *     given
 * @param exact true when the two original texts are identical, not only after normalization
 */
@RecordFile(name = "spans.jsonl", version = Span.SCHEMA_VERSION)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonPropertyOrder({"schema_version", "output_id", "work_id"})
public record Span(
        int schemaVersion,
        String outputId,
        String workId,
        int outputCharStart,
        int outputCharEnd,
        int workCharStart,
        int workCharEnd,
        int words,
        @OptionalField Integer tokens,
        boolean exact) {

    /** Version of the spans.jsonl layout. */
    public static final int SCHEMA_VERSION = 1;

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
                outputCharStart,
                outputCharEnd,
                workCharStart,
                workCharEnd,
                words,
                tokens,
                exact);
    }
}
