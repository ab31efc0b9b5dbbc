package dev.memaudit.extractor.extract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.Map;

/**
 * One line of {@code windows.jsonl} (docs/run-folders.md): the teacher-forced verdict on one
 * window. Offsets are code points, half-open, into the work's original text; token positions are
 * 0-based indexes into the work's token sequence; log-probabilities are natural logs.
 *
 * @param pZ extraction probability per scheme: the product over suffix tokens of the scheme's
 *     probability of the true token given the true text before it
 * @param logPZ ln p_z per scheme, exact also where p_z underflows to 0; null where p_z is exactly 0
 *     (the scheme cannot produce some suffix token)
 * @param attemptsNeeded per scheme, the number of independent attempts after which the chance of at
 *     least one exact extraction reaches 0.5 and 0.99: ⌈ln(1−p) / ln(1−p_z)⌉; null = never (p_z =
 *     0); a huge count is written as a floating-point number
 * @param longestRank1Run longest run of suffix tokens that are each the model's top choice
 * @param suffixLogprob ln p of the suffix under the model's own distribution (= log_p_z of t1)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
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
        Map<String, Double> logPZ,
        boolean greedyExtractable,
        int longestRank1Run,
        Map<String, Map<String, Number>> attemptsNeeded) {}
