package dev.memaudit.index.scan;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * One line of {@code spans.jsonl}: a maximal verbatim span shared by an output and a work. Offsets
 * are Unicode code points, half-open, into the output's text and the work's original text.
 *
 * @param words length in normalized words
 * @param tokens length in the audited model's tokens (output side), when a tokenizer was given
 * @param exact true when the two original texts are identical, not only after normalization
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Span(
        String outputId,
        String workId,
        int outputCharStart,
        int outputCharEnd,
        int workCharStart,
        int workCharEnd,
        int words,
        Integer tokens,
        boolean exact) {}
