package dev.memaudit.core.records.ppl;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.Nullable;
import java.util.List;
import java.util.Map;

/**
 * The {@code ppl} section of one work in works.json: its chunks' features against the control
 * chunks. When {@code status} is not {@code ok}, every p-value, interval and effect size is null
 * (means stay).
 *
 * @param chunks the work's chunks
 * @param status {@code ok}, {@code not enough control text} or {@code not enough work text}
 * @param features per feature, the work-vs-controls statistics
 * @param aggregate the dataset-inference test of the work
 * @param warnings e.g. that the work and the controls differ in kind
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PplWork(
        int chunks,
        String status,
        Map<String, Feature> features,
        Aggregate aggregate,
        List<String> warnings) {

    /** {@link #status()} of a work whose tests ran. */
    public static final String OK = "ok";

    /**
     * One feature's statistics; means and gap in the feature's units, null when not finite.
     *
     * @param orientation {@code lower_is_member} or {@code higher_is_member}
     * @param gap work mean minus control mean
     * @param gapCiLow percentile bootstrap interval of the gap, lower end
     * @param effectSize Cohen's d
     * @param welchP one-sided Welch t-test over chunks (descriptive: chunks of one text are not
     *     independent)
     * @param mannwhitneyP one-sided Mann–Whitney U over chunks (descriptive, as welchP)
     * @param textP the work's mean against the control texts' means (the unit is a text)
     * @param workChunks the work's chunks with the feature
     * @param controlChunks control chunks with the feature
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Feature(
            String orientation,
            @Nullable Double workMean,
            @Nullable Double controlMean,
            @Nullable Double gap,
            @Nullable Double gapCiLow,
            @Nullable Double gapCiHigh,
            @Nullable Double effectSize,
            @Nullable Double welchP,
            @Nullable Double mannwhitneyP,
            @Nullable Double textP,
            int workChunks,
            int controlChunks) {}

    /**
     * Dataset inference: features combined by a linear model fitted on one half, tested on the
     * other.
     *
     * @param p max(p_chunks, p_texts)
     * @param pChunks held-out halves' scores, one-sided Welch t-test
     * @param pTexts the work's effect against the control texts' effects
     * @param effect Cohen's d of the held-out scores
     * @param pHolm Holm adjustment of p across the run's works
     * @param pBh Benjamini–Hochberg adjustment of p across the run's works
     * @param significantHolm pHolm below the run's α
     * @param testChunks the work's held-out chunks
     * @param testControlChunks held-out control chunks
     * @param features the features combined
     * @param weights their weights in the linear model
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Aggregate(
            @Nullable Double p,
            @Nullable Double pChunks,
            @Nullable Double pTexts,
            @Nullable Double effect,
            @Nullable Double pHolm,
            @Nullable Double pBh,
            boolean significantHolm,
            int testChunks,
            int testControlChunks,
            List<String> features,
            Map<String, Double> weights) {}
}
