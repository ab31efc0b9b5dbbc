package dev.memaudit.core.records.prevalence;

import com.fasterxml.jackson.annotation.JsonTypeName;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.Nullable;
import dev.memaudit.core.records.run.IndexInput;
import dev.memaudit.core.records.run.NotPinned;
import dev.memaudit.core.records.run.StageConfig;
import java.util.List;
import java.util.Map;

/**
 * The {@code config} of a prevalence stage's manifest (and of its run-config.json).
 *
 * @param outputs the outputs file or folder, as given
 * @param strata the record fields that define the strata, in order (empty: one stratum)
 * @param sample outputs to sample (proportional allocation over the strata); null for a census
 * @param seed the sample's seed; null for a census
 * @param confidence the intervals' confidence level
 * @param minWords shortest span or near passage that counts, in normalized words
 * @param minSimilarity lowest word similarity of a near passage; null with exact spans only
 * @param maxOutputBytes the largest output line, in bytes
 * @param threads scanning threads (may change on resume)
 * @param index the index folder as given
 * @param indexUid the index's uid
 * @param indexGeneration the index's build generation
 * @param ngram words per indexed gram
 * @param normalizerVersion version of the word normalizer the index was built with
 */
@JsonTypeName("prevalence")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PrevalenceConfig(
        String outputs,
        List<String> strata,
        @Nullable Long sample,
        @Nullable Long seed,
        double confidence,
        int minWords,
        @Nullable Double minSimilarity,
        long maxOutputBytes,
        @NotPinned int threads,
        String index,
        String indexUid,
        long indexGeneration,
        int ngram,
        int normalizerVersion)
        implements StageConfig, IndexInput {
    @Override
    public Map<String, Long> configSeeds() {
        return seed == null ? Map.of() : Map.of("seed", seed);
    }
}
