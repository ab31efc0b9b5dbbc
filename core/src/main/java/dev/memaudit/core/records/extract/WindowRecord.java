package dev.memaudit.core.records.extract;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.NullableValues;
import dev.memaudit.core.records.OptionalField;
import dev.memaudit.core.records.RecordFile;
import java.util.List;
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
 * @param bitsToExtract extraction cost in bits (Liu, Evans, Xiong 2026, "Inextractability"): b =
 *     −log2 p with p = Π_t (1/r_t if r_t ≤ m else P(x_t)) over the suffix tokens x_t, the chance of
 *     an adversary who tries the model's ranked candidates at each step; r_t is the 1-based rank of
 *     x_t in the model's untruncated next-token distribution (1 + the number of tokens with a
 *     strictly higher logit, so tied tokens share the better rank), P(x_t) its untruncated (T = 1)
 *     probability, m = {@link #BITS_RANK_CUTOFF}; log base 2; absent when not measured
 * @param bitsRanksBeyondM suffix tokens whose rank is above m (charged P(x_t) rather than 1/r_t);
 *     absent when the bits are not measured
 * @param bitsNotMeasured why the bits are not measured for this window (a remote server's
 *     top-log-prob list shorter than m that a suffix token falls outside of, so whether its rank is
 *     at most m is unknown); absent when they are measured
 * @param notMeasured scheme → why the backend could not measure its p_z for this window; absent
 *     when every scheme was measured
 * @param prior the commonness control ({@code extract --prior-prefixes}): would the model say the
 *     suffix anyway, after unrelated text; absent when it was not run or not measured (version 3
 *     files never have it)
 */
@RecordFile(name = "windows.jsonl", version = WindowRecord.SCHEMA_VERSION, readsFrom = 3)
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
        @OptionalField Double bitsToExtract,
        @OptionalField Integer bitsRanksBeyondM,
        @OptionalField String bitsNotMeasured,
        @OptionalField Map<String, String> notMeasured,
        @OptionalField Prior prior) {

    /** m of the bits to extract: ranks up to m are tried as candidates, 1/r each. */
    public static final int BITS_RANK_CUTOFF = 20;

    /**
     * Version of the windows.jsonl layout. 2: {@code attempts_needed} is "unreachable" (was null)
     * when p_z = 0 and never capped at the largest double; {@code not_measured}. 3: {@code
     * bits_to_extract}, {@code bits_ranks_beyond_m}, {@code bits_not_measured}. 4: {@code prior}
     * (optional; version 3 files are still read).
     */
    public static final int SCHEMA_VERSION = 4;

    /**
     * The commonness control of one window (prior-aware memorization, arXiv 2602.18733): the
     * suffix's log-probability after its own prefix against after K unrelated prefixes of the same
     * token length, drawn from other works and control texts. All log-probabilities are natural
     * logs, teacher-forced at temperature 1, summed over the suffix tokens.
     *
     * @param prefixes K, the unrelated prefixes scored
     * @param ownLogProb ln P(suffix | own prefix), the window's t1 {@code log_p_z}
     * @param meanLogProb the arithmetic mean over the K unrelated prefixes of ln P(suffix |
     *     prefix_j)
     * @param maxLogProb the largest ln P(suffix | prefix_j)
     * @param logMeanExp ln of the mean probability, ln((1/K) Σ_j P(suffix | prefix_j)): the
     *     suffix's probability after an unrelated prefix drawn at random
     * @param logRatio own_log_prob − log_mean_exp, in nats: how many times (e^log_ratio) likelier
     *     the model is to say the suffix after its own prefix than after unrelated text; below ln
     *     10 ({@link WindowRecord#SAID_ANYWAY_LOG_RATIO}) the model would say it anyway, within 10×
     * @param from the unrelated prefixes, each {@code <id>@<token start>}: a work of the index or a
     *     control text, and the 0-based token position its prefix starts at
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Prior(
            int prefixes,
            double ownLogProb,
            double meanLogProb,
            double maxLogProb,
            double logMeanExp,
            double logRatio,
            List<String> from) {}

    /**
     * ln 10: a window whose log ratio is below it is one the model would say anyway, within 10×.
     */
    public static final double SAID_ANYWAY_LOG_RATIO = Math.log(10);

    /** Not-measured reasons, an empty map when every scheme was measured. */
    public Map<String, String> notMeasuredOrEmpty() {
        return notMeasured == null ? Map.of() : notMeasured;
    }
}
