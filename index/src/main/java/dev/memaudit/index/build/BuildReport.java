package dev.memaudit.index.build;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * The result of one {@code index build}: per-work outcomes and counters, and what it cost.
 *
 * @param counts number of works per {@link WorkOutcome.Status} name
 * @param sourceBytes UTF-8 bytes of the original texts read and indexed in this build
 * @param seconds wall time of the whole build (read, normalize, index, merge, sidecars, manifest)
 * @param heapPeakBytes sum of the JVM heap pools' peak usage during the build (an upper bound of
 *     the peak heap; includes garbage not yet collected)
 * @param indexBytes size of the index folder after the build
 * @param limits the reading limits the build kept to, by corpus.yaml key (bytes, or counts)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record BuildReport(
        String index,
        long generation,
        int works,
        long totalWords,
        long distinctGrams,
        int hotGrams,
        Map<String, Integer> counts,
        long sourceBytes,
        double seconds,
        double megabytesPerSecond,
        long heapPeakBytes,
        long indexBytes,
        Map<String, Long> limits,
        List<WorkOutcome> outcomes) {

    /** Outcomes that are not INDEXED or UNCHANGED. */
    public long problemCount() {
        return outcomes.stream()
                .filter(
                        o ->
                                o.status() != WorkOutcome.Status.INDEXED
                                        && o.status() != WorkOutcome.Status.UNCHANGED)
                .count();
    }
}
