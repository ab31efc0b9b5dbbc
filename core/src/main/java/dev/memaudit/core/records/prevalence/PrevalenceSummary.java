package dev.memaudit.core.records.prevalence;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.Nullable;
import dev.memaudit.core.records.RecordFile;
import java.util.List;
import java.util.Map;

/**
 * {@code prevalence.json}: the share of outputs that reproduce indexed text, overall, per stratum
 * and per work, with design-based intervals (see {@code stats.StratifiedProportion}).
 *
 * @param design "census" (every output scanned; intervals are points) or "stratified sample"
 * @param strata the strata fields, in order
 * @param seed the sample's seed; null for a census
 * @param confidence the intervals' confidence level
 * @param interval how the intervals were computed
 * @param outputsEmpty scanned outputs without text (counted as not reproducing)
 * @param overall share of outputs that reproduce any work
 * @param byStratum one entry per stratum, sorted by its values
 * @param byWork work id → share of outputs that reproduce that work (every indexed work)
 */
@RecordFile(name = "prevalence.json", version = PrevalenceSummary.SCHEMA_VERSION)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PrevalenceSummary(
        int schemaVersion,
        String design,
        List<String> strata,
        @Nullable Long seed,
        double confidence,
        String interval,
        long outputsEmpty,
        Share overall,
        List<StratumShare> byStratum,
        Map<String, WorkShare> byWork) {
    /** Version of the prevalence.json layout. */
    public static final int SCHEMA_VERSION = 1;

    /**
     * A share with its interval.
     *
     * @param share the estimated share of the population
     * @param ciLow lower bound of the interval
     * @param ciHigh upper bound
     * @param hits sampled outputs that reproduce
     * @param sampled outputs scanned
     * @param population outputs in the population
     * @param effectiveSampleSize Korn–Graubard's n* of the interval; null for a census (no sampling
     *     error)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Share(
            double share,
            double ciLow,
            double ciHigh,
            long hits,
            long sampled,
            long population,
            @Nullable Double effectiveSampleSize) {}

    /**
     * @param values the strata fields' values, in the order of {@code strata}
     * @param share its share (exact Clopper–Pearson interval)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record StratumShare(List<String> values, Share share) {}

    /**
     * @param title the work's title
     * @param share share of outputs that reproduce it
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record WorkShare(String title, Share share) {}
}
