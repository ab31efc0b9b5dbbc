package dev.memaudit.core.records.extract;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.NullableValues;
import dev.memaudit.core.records.OptionalField;
import dev.memaudit.core.records.RecordFile;
import java.util.Map;

/**
 * One line of {@code windows.jsonl} (docs/run-folders.md): the teacher-forced verdict on one
 * window. Offsets are code points, half-open, into the work's original text; token positions are
 * 0-based indexes into the work's token sequence; log-probabilities are natural logs.
 *
 * <p>A scheme the backend cannot measure for this window (a remote server's top-log-prob list does
 * not determine it) is absent from {@code p_z}, {@code log_p_z} and {@code attempts_needed}, never
 * written as 0, and {@code not_measured} names it with the reason.
 *
 * @param window 0-based index of the window within the work
 * @param prefixTokens prefix length in tokens
 * @param suffixTokens suffix length in tokens
 * @param pZ extraction probability per scheme: the product over suffix tokens of the scheme's
 *     probability of the true token given the true text before it
 * @param logPZ ln p_z per scheme, exact also where p_z underflows to 0; null where p_z is exactly 0
 *     (the scheme cannot produce some suffix token)
 * @param attemptsNeeded per scheme, the number of independent attempts after which the chance of at
 *     least one exact extraction reaches 0.5 and 0.99: ⌈ln(1−p) / ln(1−p_z)⌉, or unreachable when
 *     p_z = 0 ({@link AttemptsNeeded})
 * @param longestRank1Run longest run of suffix tokens that are each the model's top choice
 * @param notMeasured scheme → why the backend could not measure its p_z for this window; absent
 *     when every scheme was measured
 */
@RecordFile(name = "windows.jsonl", version = WindowRecord.SCHEMA_VERSION)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonPropertyOrder({"schema_version", "work_id", "window"})
public record WindowRecord(
        int schemaVersion,
        String workId,
        int window,
        int prefixCharStart,
        int prefixCharEnd,
        int suffixCharStart,
        int suffixCharEnd,
        int prefixTokens,
        int suffixTokens,
        int prefixTokenStart,
        int suffixTokenStart,
        int suffixTokenEnd,
        Map<String, Double> pZ,
        // Snake case alone would make this "log_pz"; docs/run-folders.md names it log_p_z.
        @JsonProperty("log_p_z") @NullableValues Map<String, Double> logPZ,
        boolean greedyExtractable,
        int longestRank1Run,
        Map<String, Map<String, AttemptsNeeded>> attemptsNeeded,
        @OptionalField Map<String, String> notMeasured) {

    /**
     * Version of the windows.jsonl layout. 2: {@code attempts_needed} is "unreachable" (was null)
     * when p_z = 0 and never capped at the largest double; {@code not_measured}.
     */
    public static final int SCHEMA_VERSION = 2;

    /** Not-measured reasons, an empty map when every scheme was measured. */
    public Map<String, String> notMeasuredOrEmpty() {
        return notMeasured == null ? Map.of() : notMeasured;
    }
}
