package dev.memaudit.core.records.extract;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.Nullable;
import dev.memaudit.core.records.OptionalField;
import java.util.Map;

/**
 * The {@code extract} section of one work in works.json (docs/run-folders.md), recomputed from the
 * ledgers alone. Token counts are the audited model's tokens; offsets code points, half-open.
 *
 * @param windows window records of the work
 * @param skippedWindows windows the backend refused for good (in skipped.jsonl): not in {@code
 *     windows} nor in any figure below
 * @param tokens the work's length in tokens
 *     <p>Coverage, the one definition (docs/run-folders.md, the report's method section): the share
 *     of the work's tokens that lie in the <em>suffix</em> of at least one window whose p_z reaches
 *     the threshold τ. A window's prefix is given to the model, so its tokens are not counted
 *     (unless they are the suffix of another such window); the work's first prefix is never
 *     covered.
 * @param coverage coverage under t1 by threshold ("0.5", "0.1", "0.01"); t1 is always measured (the
 *     same as {@code coverage_by_scheme.t1})
 * @param coverageByScheme coverage by scheme, then threshold, for every scheme whose p_z was
 *     measured for every window of the work
 * @param coverageNotMeasured scheme → why its coverage is not measured (p_z missing for some
 *     window: the share is unknown, never computed as if those windows covered nothing); empty when
 *     every scheme was measured
 * @param greedyExtractableShare greedy-extractable windows / windows (0 without windows)
 * @param longestExtractable the longest stretch of tokens inside greedy-extractable suffixes
 * @param pZ quantiles of the windows' t1 p_z
 * @param attempts counts of the decoding attempts
 * @param reconstruction chained greedy reconstruction, null when it was not run
 * @param easiestWindow the window with the fewest bits to extract ({@link
 *     WindowRecord#bitsToExtract()}) among those whose bits were measured, lowest window index on a
 *     tie; null when no window's bits were measured
 * @param bitsNotMeasuredWindows windows whose bits were not measured: the easiest window is then
 *     the easiest of the others only
 * @param bitsNotMeasured why, for the first such window; absent when every window was measured
 * @param prior the windows' commonness control ({@link WindowRecord#prior()}); absent when it was
 *     not run
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ExtractWork(
        int windows,
        int skippedWindows,
        int tokens,
        Map<String, Double> coverage,
        Map<String, Map<String, Double>> coverageByScheme,
        Map<String, String> coverageNotMeasured,
        int greedyExtractableWindows,
        double greedyExtractableShare,
        LongestExtractable longestExtractable,
        PzQuantiles pZ,
        Attempts attempts,
        @Nullable Reconstruction reconstruction,
        @Nullable EasiestWindow easiestWindow,
        int bitsNotMeasuredWindows,
        @OptionalField String bitsNotMeasured,
        @OptionalField PriorWork prior) {

    /** This section with the commonness control's figures. */
    public ExtractWork withPrior(PriorWork p) {
        return new ExtractWork(
                windows,
                skippedWindows,
                tokens,
                coverage,
                coverageByScheme,
                coverageNotMeasured,
                greedyExtractableWindows,
                greedyExtractableShare,
                longestExtractable,
                pZ,
                attempts,
                reconstruction,
                easiestWindow,
                bitsNotMeasuredWindows,
                bitsNotMeasured,
                p);
    }

    /**
     * The commonness control over the work's windows.
     *
     * @param windows windows whose prior was measured (the rest are not counted below)
     * @param medianLogRatio median of their {@code prior.log_ratio} (type 7), nats; null without
     *     such windows
     * @param saidAnyway windows whose log ratio is below {@code threshold}: the model would say the
     *     suffix anyway, after unrelated text, within 10×
     * @param saidAnywayShare saidAnyway / windows; null without such windows
     * @param threshold the log-ratio threshold, ln 10 ({@link WindowRecord#SAID_ANYWAY_LOG_RATIO})
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record PriorWork(
            int windows,
            @Nullable Double medianLogRatio,
            int saidAnyway,
            @Nullable Double saidAnywayShare,
            double threshold) {}

    /**
     * The window cheapest to extract, in bits (log base 2).
     *
     * @param workId its work
     * @param window its 0-based index within the work
     * @param suffixCharStart code-point start of its suffix in the work's original text
     * @param suffixCharEnd code-point end (half-open)
     * @param bits its bits to extract, −log2 of the rank-aware probability
     * @param ranksBeyondM its suffix tokens of rank above m
     * @param text its suffix, the work's original text [suffix_char_start, suffix_char_end)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record EasiestWindow(
            String workId,
            int window,
            int suffixCharStart,
            int suffixCharEnd,
            double bits,
            int ranksBeyondM,
            String text) {}

    /**
     * @param tokens its length in tokens (0 when no window is greedy-extractable)
     * @param charStart code-point start in the work; null when there is none
     * @param charEnd code-point end in the work; null when there is none
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record LongestExtractable(
            int tokens, @Nullable Integer charStart, @Nullable Integer charEnd) {}

    /** Median, 90th percentile (type 7) and maximum of p_z; null without windows. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record PzQuantiles(
            @Nullable Double median, @Nullable Double p90, @Nullable Double max) {}

    /**
     * @param total attempt records: the tries (skipped attempts are none)
     * @param exact attempts that reproduced the suffix exactly
     * @param near near attempts ({@link AttemptRecord#near()}: word similarity ≥ min_similarity);
     *     every exact attempt is near, so {@code near ≥ exact}
     * @param skipped attempts the backend refused for good (in skipped.jsonl): not tries
     * @param greedyExact greedy attempts (attempt 0) that were exact
     * @param greedyNear greedy attempts that were near
     * @param empirical the sampled attempts' exact rate against p_z
     * @param empiricalNear the sampled attempts' near rate; its {@code expected_rate} is never
     *     measured (p_z is the probability of the exact suffix only)
     * @param coverage the share of the work's tokens reproduced by some attempt, exact and near
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Attempts(
            int total,
            int exact,
            int near,
            int skipped,
            int greedyExact,
            int greedyNear,
            Empirical empirical,
            Empirical empiricalNear,
            AttemptCoverage coverage) {}

    /**
     * Coverage by attempts: the share of the work's tokens that lie in the suffix of at least one
     * window with an exact (a near) attempt, greedy or sampled. As for p_z coverage, prefix tokens
     * are not counted; windows without attempts count as not covered, so the share depends on which
     * windows got attempts ({@code attempt_windows}).
     *
     * @param windowsWithAttempts windows of the work with at least one attempt
     * @param exactTokens tokens in the suffix of a window with an exact attempt
     * @param nearTokens tokens in the suffix of a window with a near attempt
     * @param tokens the work's length in tokens (the denominator)
     * @param exact exactTokens / tokens; null when no window has an attempt (not measured)
     * @param near nearTokens / tokens; null when no window has an attempt
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record AttemptCoverage(
            int windowsWithAttempts,
            long exactTokens,
            long nearTokens,
            long tokens,
            @Nullable Double exact,
            @Nullable Double near) {}

    /**
     * Sampled attempts only (attempt ≥ 1).
     *
     * @param scheme the scheme they sampled under
     * @param k successful ones: exact ({@code empirical}) or near ({@code empirical_near})
     * @param n all of them
     * @param rate k / n; null when n = 0
     * @param ciLow Clopper–Pearson 95% interval, lower end; null when n = 0
     * @param ciHigh upper end; null when n = 0
     * @param expectedRate mean p_z of the scheme over the attempts' windows; null when n = 0, when
     *     p_z of the scheme was not measured for one of those windows, or for near attempts
     * @param notMeasured {@code expected_rate} → why it is not measured; absent when it was (or
     *     when n = 0)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Empirical(
            String scheme,
            int k,
            int n,
            @Nullable Double rate,
            @Nullable Double ciLow,
            @Nullable Double ciHigh,
            @Nullable Double expectedRate,
            @OptionalField Map<String, String> notMeasured) {}
}
