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
        long bitsNotMeasuredWindows) {

    /**
     * Version of the extract.json layout. 2: {@code bits_rank_cutoff}, {@code easiest_window},
     * {@code bits_not_measured_windows}.
     */
    public static final int SCHEMA_VERSION = 2;
}
