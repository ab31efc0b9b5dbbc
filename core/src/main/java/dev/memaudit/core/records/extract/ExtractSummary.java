package dev.memaudit.core.records.extract;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.Nullable;
import dev.memaudit.core.records.RecordFile;
import java.util.List;

/**
 * {@code extract.json}: run-level counters of an extraction.
 *
 * @param model the backend's description
 * @param works works audited
 * @param windows window records in the ledger
 * @param attempts attempt records in the ledger
 * @param schemes schemes whose p_z every window has (greedy and t1 first)
 * @param resumed whether this run continued an earlier one
 * @param windowsScoredThisRun windows scored by the last process (not counting resumed ones)
 * @param windowSeconds seconds it spent scoring them
 * @param windowsPerSecond their rate; null when no time was spent
 * @param attemptsRunThisRun attempts decoded by the last process
 * @param attemptSeconds seconds it spent decoding them (scan included)
 * @param attemptsPerSecond their rate; null when no time was spent
 * @param bitsRankCutoff m of the bits to extract ({@link WindowRecord#BITS_RANK_CUTOFF})
 * @param easiestWindow the run's window with the fewest bits to extract among the works' easiest
 *     ({@link ExtractWork#easiestWindow()}), lowest work id then window on a tie; null when no
 *     window's bits were measured
 * @param bitsNotMeasuredWindows windows of the run whose bits were not measured
 * @param minSimilarity lowest word similarity of a near attempt
 * @param empirical the sampled attempts' exact rate over all works (k and n summed, one
 *     Clopper–Pearson interval; expected rate the mean p_z over all their windows)
 * @param empiricalNear the sampled attempts' near rate over all works (expected rate never
 *     measured)
 * @param attemptCoverage coverage by attempts over all works: covered tokens summed over works /
 *     tokens summed over works; null shares when no window of any work has an attempt
 */
@RecordFile(name = "extract.json", version = ExtractSummary.SCHEMA_VERSION)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ExtractSummary(
        int schemaVersion,
        String model,
        int works,
        long windows,
        long attempts,
        List<String> schemes,
        boolean resumed,
        long windowsScoredThisRun,
        double windowSeconds,
        @Nullable Double windowsPerSecond,
        long attemptsRunThisRun,
        double attemptSeconds,
        @Nullable Double attemptsPerSecond,
        int bitsRankCutoff,
        @Nullable ExtractWork.EasiestWindow easiestWindow,
        long bitsNotMeasuredWindows,
        double minSimilarity,
        ExtractWork.Empirical empirical,
        ExtractWork.Empirical empiricalNear,
        ExtractWork.AttemptCoverage attemptCoverage) {

    /**
     * Version of the extract.json layout. 2: {@code bits_rank_cutoff}, {@code easiest_window},
     * {@code bits_not_measured_windows}. 3: {@code min_similarity}, {@code empirical}, {@code
     * empirical_near}, {@code attempt_coverage}.
     */
    public static final int SCHEMA_VERSION = 3;
}
