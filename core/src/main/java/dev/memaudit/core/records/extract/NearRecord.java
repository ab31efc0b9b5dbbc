package dev.memaudit.core.records.extract;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.Nullable;
import dev.memaudit.core.records.RecordFile;

/**
 * One line of {@code near.jsonl}: the near-verbatim extraction bound of one window.
 *
 * @param scheme the decoding scheme
 * @param epsilonTokens the largest token edit distance of a near suffix
 * @param beam partial suffixes kept per step
 * @param budget the most partial suffixes this window could extend
 * @param bound lower bound on the probability that decoding yields, in the suffix's length, a
 *     suffix within {@code epsilon_tokens} of the true one (0 when none was found)
 * @param logBound its natural log; null when it is 0
 * @param pZ the window's verbatim p_z under the same scheme (windows.jsonl); null where not
 *     measured there
 * @param suffixes distinct complete suffixes within ε found (the true one among them when p_z > 0)
 * @param expansions partial suffixes extended
 * @param budgetExhausted the budget ran out before the suffix's length (then bound 0)
 */
@RecordFile(name = "near.jsonl", version = NearRecord.SCHEMA_VERSION)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonPropertyOrder({"schema_version", "work_id", "window"})
public record NearRecord(
        int schemaVersion,
        String workId,
        int window,
        String scheme,
        int epsilonTokens,
        int beam,
        long budget,
        double bound,
        @Nullable Double logBound,
        @Nullable Double pZ,
        int suffixes,
        long expansions,
        boolean budgetExhausted) {

    /** Version of the near.jsonl layout. */
    public static final int SCHEMA_VERSION = 1;
}
