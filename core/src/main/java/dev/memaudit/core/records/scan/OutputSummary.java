package dev.memaudit.core.records.scan;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.memaudit.core.records.Nullable;
import dev.memaudit.core.records.OptionalField;
import dev.memaudit.core.records.RecordFile;

/**
 * One line of {@code outputs.jsonl}: how much of one scanned output is corpus text.
 *
 * @param line 1-based line of the output in its JSONL file (file index for a .txt folder)
 * @param status {@code scanned}, or {@code empty} when the output had no text
 * @param words normalized words in the output
 * @param chars code points in the output
 * @param spans exact spans found in it (the fields up to coveredCharShare count exact spans only)
 * @param longestSpanWords words of its longest span (0 without spans)
 * @param longestSpanWorkId the work of that span; null without spans
 * @param coveredWords output words inside at least one span
 * @param coveredWordShare coveredWords / words (0 without words)
 * @param coveredChars output code points inside at least one span
 * @param coveredCharShare coveredChars / chars (0 without text)
 * @param nearPassages near-verbatim passages found in it; this and the next two are null with
 *     {@code --exact-only} (not looked for, never 0)
 * @param nearCoveredWords output words inside at least one exact span or near passage
 * @param nearCoveredWordShare nearCoveredWords / words (0 without words)
 * @param fields the output line's other fields, kept as given (the scanned file's own data); absent
 *     when it had none
 */
@RecordFile(name = "outputs.jsonl", version = OutputSummary.SCHEMA_VERSION)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonPropertyOrder({"schema_version", "output_id"})
public record OutputSummary(
        int schemaVersion,
        String outputId,
        long line,
        String status,
        int words,
        int chars,
        int spans,
        int longestSpanWords,
        @Nullable String longestSpanWorkId,
        long coveredWords,
        double coveredWordShare,
        long coveredChars,
        double coveredCharShare,
        @Nullable Integer nearPassages,
        @Nullable Long nearCoveredWords,
        @Nullable Double nearCoveredWordShare,
        @OptionalField ObjectNode fields) {

    /** Version of the outputs.jsonl layout. */
    public static final int SCHEMA_VERSION = 2;

    /** {@link #status()} of an output that was matched. */
    public static final String SCANNED = "scanned";

    /** {@link #status()} of an output without text. */
    public static final String EMPTY = "empty";
}
