package dev.memaudit.reports.run;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.memaudit.core.records.extract.AttemptsNeeded;
import dev.memaudit.core.records.extract.ExtractWork;
import dev.memaudit.core.records.extract.NearSettings;
import dev.memaudit.core.records.extract.NearSummary;
import dev.memaudit.core.records.run.Reservation;
import dev.memaudit.core.records.scan.ScanCoverage;
import java.util.List;
import java.util.Map;

/**
 * One work across the stages; a section is null when its stage did not run or did not report the
 * work. Offsets are Unicode code points, half-open, into the work's original text.
 *
 * @param workChars length of the work's original text in code points, null when unknown
 * @param reservation the work's text-and-data-mining reservation as the corpus declares it; null
 *     when it declares none or the corpus was not at hand
 */
public record WorkView(
        String workId,
        String title,
        Integer workChars,
        Scan scan,
        Extract extract,
        Ppl ppl,
        Reservation reservation) {

    /** Whether outputs reproduce the work: a verbatim span or a near-verbatim passage. */
    @com.fasterxml.jackson.annotation.JsonProperty("reproduced")
    public boolean reproduced() {
        return scan != null
                && ((scan.spans() != null && scan.spans() > 0)
                        || (scan.nearPassages() != null && scan.nearPassages() > 0));
    }

    /**
     * Whether extraction shows the work memorized: a greedy-extractable window or an exact attempt.
     */
    @com.fasterxml.jackson.annotation.JsonProperty("memorized")
    public boolean memorized() {
        return extract != null
                && ((extract.greedyExtractableWindows() != null
                                && extract.greedyExtractableWindows() > 0)
                        || (extract.ledger() != null && extract.ledger().exact() > 0));
    }

    /**
     * The scan stage's findings for this work ({@code works.json} section and spans).
     *
     * @param coverage the work's coverage by all outputs together (bmc@k convention)
     */
    public record Scan(
            Integer outputsHit,
            Integer spans,
            Long charsReproduced,
            Double shareReproduced,
            Integer longestSpanWords,
            String longestSpanOutputId,
            Integer nearPassages,
            Double shareReproducedNear,
            Integer longestNearWords,
            ScanCoverage coverage,
            @JsonIgnore List<Passage> passages) {}

    /**
     * The extract stage's findings: the {@code works.json} summary, the windows (for the p_z map)
     * and the attempt ledger's counts.
     *
     * @param scheme the decoding scheme the p_z map and coverage use ({@code t1} when present)
     * @param coverage share of the work's tokens in the suffix of a window with p_z ≥ threshold, by
     *     threshold (scheme {@code scheme})
     * @param coverageByScheme the same for every scheme measured for every window of the work
     * @param coverageNotMeasured scheme → why its coverage is not measured (shown as "not
     *     measured", never 0)
     * @param bestWindows per scheme of {@code coverageByScheme}, the window with the highest p_z
     *     and the attempts it needs
     * @param empiricalExpectedRateNotMeasured why the expected rate is not measured; null when it
     *     is or when there were no sampled attempts
     * @param nearAttempts attempts whose word similarity to the true suffix reaches the run's
     *     min_similarity, exact ones included
     * @param empiricalNearRate the sampled attempts' near rate; null without sampled attempts
     * @param empiricalNearCiLow its Clopper–Pearson 95% interval, lower end
     * @param empiricalNearCiHigh upper end
     * @param attemptCoverageExact share of the work's tokens in the suffix of a window with an
     *     exact attempt; null when no window had attempts (not measured)
     * @param attemptCoverageNear the same with a near attempt
     * @param easiestWindow the window with the fewest bits to extract (log base 2, rank-aware, m =
     *     20) among those measured, with its suffix text; null when no window's bits were measured
     * @param bitsNotMeasuredWindows windows whose bits were not measured
     * @param bitsNotMeasured why, for the first of them; null when every window was measured
     * @param nearSettings the near-verbatim bound's settings; null when the run had none
     * @param nearBound the work's near-verbatim bound figures (near.json); null without them
     * @param nearWindows the windows with a near-verbatim bound ({@code near.jsonl}), the bound in
     *     place of p_z; empty without them
     */
    public record Extract(
            Integer windowCount,
            Long tokens,
            String scheme,
            Map<String, Double> coverage,
            Map<String, Map<String, Double>> coverageByScheme,
            Map<String, String> coverageNotMeasured,
            Map<String, BestWindow> bestWindows,
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
            String empiricalExpectedRateNotMeasured,
            Integer nearAttempts,
            Double empiricalNearRate,
            Double empiricalNearCiLow,
            Double empiricalNearCiHigh,
            Double attemptCoverageExact,
            Double attemptCoverageNear,
            ExtractWork.EasiestWindow easiestWindow,
            Integer bitsNotMeasuredWindows,
            String bitsNotMeasured,
            NearSettings nearSettings,
            NearSummary.Work nearBound,
            @JsonIgnore List<Window> windows,
            @JsonIgnore List<Window> nearWindows,
            @JsonIgnore List<Passage> attempts) {

        /**
         * Every scheme with a coverage figure or a reason for its absence, besides {@link
         * #scheme()}: measured ones first, each group in name order.
         */
        public List<String> otherSchemes() {
            List<String> out = new java.util.ArrayList<>();
            new java.util.TreeSet<>(coverageByScheme.keySet()).forEach(out::add);
            new java.util.TreeSet<>(coverageNotMeasured.keySet()).forEach(out::add);
            out.remove(scheme);
            return out;
        }
    }

    /**
     * The window of a work with the highest p_z under one scheme (ties: the lower index).
     *
     * @param logPz ln p_z; null when p_z is exactly 0
     * @param attemptsNeeded target probability ("0.5", "0.99") → attempts needed, or unreachable
     */
    public record BestWindow(
            int window, double pz, Double logPz, Map<String, AttemptsNeeded> attemptsNeeded) {
        /** ln p_z for ordering: −∞ when p_z is exactly 0. */
        double logKey() {
            return logPz == null ? Double.NEGATIVE_INFINITY : logPz;
        }
    }

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
