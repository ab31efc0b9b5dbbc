package dev.memaudit.core.records.prevalence;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.RecordFile;
import java.util.List;

/**
 * One line of {@code prevalence.jsonl}: one output of the sample (every output in a census),
 * appended as soon as it is scanned, in input order.
 *
 * @param outputId the output's id
 * @param line its 1-based line in the outputs file (file index for a folder of .txt files)
 * @param stratum the values of the strata fields, in their order ("(missing)" for an absent field)
 * @param words its normalized words (0 for an empty output)
 * @param reproduces whether it holds at least one exact span or near passage of min-words
 * @param works the works it reproduces, sorted
 * @param spans its spans and near passages in spans.jsonl, written just before this record
 */
@RecordFile(name = "prevalence.jsonl", version = PrevalenceRecord.SCHEMA_VERSION)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PrevalenceRecord(
        int schemaVersion,
        String outputId,
        long line,
        List<String> stratum,
        int words,
        boolean reproduces,
        List<String> works,
        int spans) {
    /** Version of the prevalence.jsonl layout. */
    public static final int SCHEMA_VERSION = 1;
}
