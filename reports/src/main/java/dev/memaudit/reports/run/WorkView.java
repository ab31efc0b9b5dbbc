package dev.memaudit.reports.run;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;
import java.util.Map;

/**
 * One work across the stages; a section is null when its stage did not run or did not report the
 * work. Offsets are Unicode code points, half-open, into the work's original text.
 *
 * @param workChars length of the work's original text in code points, null when unknown
 */
public record WorkView(
        String workId, String title, Integer workChars, Scan scan, Extract extract, Ppl ppl) {

    /** The scan stage's findings for this work ({@code works.json} section and spans). */
    public record Scan(
            Integer outputsHit,
            Integer spans,
            Long charsReproduced,
            Double shareReproduced,
            Integer longestSpanWords,
            String longestSpanOutputId,
            @JsonIgnore List<Passage> passages) {}

    /**
     * The extract stage's findings: the {@code works.json} summary, the windows (for the p_z map)
     * and the attempt ledger's counts.
     *
     * @param scheme the decoding scheme the p_z map and coverage use ({@code t1} when present)
     * @param coverage share of the work's tokens in windows with p_z ≥ threshold, by threshold
     */
    public record Extract(
            Integer windowCount,
            Long tokens,
            String scheme,
            Map<String, Double> coverage,
            Integer greedyExtractableWindows,
            Double greedyExtractableShare,
            Integer longestExtractableTokens,
            Double pzMedian,
            Double pzP90,
            Double pzMax,
            Ledger ledger,
            Double empiricalRate,
            Double empiricalCiLow,
            Double empiricalCiHigh,
            Double empiricalExpectedRate,
            @JsonIgnore List<Window> windows,
            @JsonIgnore List<Passage> attempts) {}

    /** One extraction window: where its suffix lies and its p_z under the report's scheme. */
    public record Window(
            int window,
            int suffixCharStart,
            int suffixCharEnd,
            Double pz,
            Double logPz,
            boolean greedyExtractable) {}

    /**
     * Counts from {@code attempts.jsonl} (the tries) and {@code skipped.jsonl} (what the backend
     * refused for good: not tries).
     *
     * @param skipped attempts skipped
     * @param skippedWindows windows skipped
     * @param skippedReasons skipped windows and attempts by reason (first 80 characters)
     */
    public record Ledger(
            long total,
            long exact,
            long skipped,
            long skippedWindows,
            Map<String, Long> byScheme,
            Map<String, Long> skippedReasons) {}

    /** The ppl stage's membership statistics for this work. */
    public record Ppl(
            String status,
            Integer chunks,
            Double p,
            Double pHolm,
            Double pBh,
            Integer testChunks,
            Double pChunks,
            Double pTexts,
            List<String> warnings,
            List<Feature> features,
            @JsonIgnore Map<String, double[]> chunkFeatures) {}

    /** One feature's work-vs-controls statistics as the ppl stage computed them. */
    public record Feature(
            String name,
            String orientation,
            Double workMean,
            Double controlMean,
            Double gap,
            Double gapCiLow,
            Double gapCiHigh,
            Double effectSize,
            Double welchP,
            Double mannwhitneyP) {}
}
