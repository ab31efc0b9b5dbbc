package dev.memaudit.core.records.ppl;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.Nullable;
import dev.memaudit.core.records.NullableValues;
import dev.memaudit.core.records.RecordFile;
import java.util.List;
import java.util.Map;

/**
 * {@code ppl.json}: run-level settings, counters and the self-checks of a ppl run.
 *
 * @param model the audited model's description
 * @param referenceModel the reference model's; null without one
 * @param chunkTokens tokens per chunk
 * @param lowercase whether each chunk was also scored lowercased
 * @param notMeasured feature (or family) → why it is absent from every chunk
 * @param run what the chunk stage did
 * @param alpha significance level of the run
 * @param seeds the statistics' seed
 * @param statistics the statistics' settings
 * @param chunks chunks of works and of controls
 * @param controls the control texts
 * @param features the features tested
 * @param controlSplit the control texts split in two and tested against each other
 * @param controlLeaveOneOut each control text tested against the others
 * @param worksTested works with statistics
 * @param worksSignificant works below α by raw p, Holm and BH
 * @param warnings run-level warnings
 * @param conventions the definition of every feature and test, stated in every report
 */
@RecordFile(name = "ppl.json", version = PplSummary.SCHEMA_VERSION)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PplSummary(
        int schemaVersion,
        String model,
        @Nullable String referenceModel,
        int chunkTokens,
        boolean lowercase,
        Map<String, String> notMeasured,
        Run run,
        double alpha,
        Seeds seeds,
        PplStatsSettings statistics,
        ChunkCounts chunks,
        List<String> controls,
        List<String> features,
        ControlSplit controlSplit,
        ControlLeaveOneOut controlLeaveOneOut,
        int worksTested,
        SignificantCounts worksSignificant,
        List<String> warnings,
        Map<String, String> conventions) {

    /** Version of the ppl.json layout. */
    public static final int SCHEMA_VERSION = 1;

    /**
     * @param chunks chunks of all texts
     * @param resumed chunks found in the ledger from an earlier run
     * @param written chunks scored and appended by the last process
     * @param skipped chunks the backend refused for good (in skipped.jsonl; no record, not retried,
     *     in no statistic)
     * @param skippedReasons the first few of them, each {@code <set>/<id>#<chunk>: <reason>}
     * @param textsTooShort texts with no chunk (fewer tokens than a chunk needs)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Run(
            int chunks,
            int resumed,
            int written,
            int skipped,
            List<String> skippedReasons,
            List<String> textsTooShort) {}

    /**
     * @param statistics seed of the chunk splits and of the bootstrap
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Seeds(long statistics) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ChunkCounts(int work, int control) {}

    /**
     * @param status {@code ok} or why the check could not run
     * @param method {@code by_text} or, with a single control text, {@code by_chunk}
     * @param p one-sided p of the suspect half; null when the check did not run
     * @param significant p below α: the check failed
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ControlSplit(
            String status,
            String method,
            @Nullable Double p,
            boolean significant,
            List<String> suspectTexts,
            List<String> controlTexts,
            int suspectChunks,
            int controlChunks) {}

    /**
     * @param tested control texts tested
     * @param significant of them below α
     * @param rate significant / tested; null when none was tested
     * @param binomialP chance of at least that many by chance; null when none was tested
     * @param passed binomialP ≥ α
     * @param p per control text, its p (null when it could not be computed)
     * @param effects per control text, its effect
     * @param pChunks per control text, its chunk-level p
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ControlLeaveOneOut(
            int tested,
            int significant,
            @Nullable Double rate,
            @Nullable Double binomialP,
            boolean passed,
            @NullableValues Map<String, Double> p,
            @NullableValues Map<String, Double> effects,
            @NullableValues Map<String, Double> pChunks) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record SignificantCounts(int p, int pHolm, int pBh) {}
}
