package dev.memaudit.core.records.meter;

import com.fasterxml.jackson.annotation.JsonTypeName;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.Nullable;
import dev.memaudit.core.records.run.StageConfig;
import java.util.List;
import java.util.Map;

/**
 * The {@code config} of a {@code meter exact} folder's manifest (and of its run-config.json).
 *
 * @param corpus the corpus as given
 * @param corpusSha256 SHA-256 of its corpus.yaml
 * @param background the background folder or corpus.yaml as given
 * @param members the works trained on, by id, with their doses
 * @param works the metered works (each gets a canary trained without it), sorted
 * @param behaviours the behaviours file given, or null
 * @param behavioursSha256 its SHA-256, or null
 * @param seed the seed of the full canary and of every counterfactual one
 * @param seeds canaries in the seed-variation null (the full one included)
 * @param windowsPerWork own-text behaviours per metered work
 * @param windowWords words of each own-text behaviour's prompt and of its text
 * @param unrelated held-out background behaviours
 * @param canary the model and training settings of every canary
 */
@JsonTypeName("meter exact")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record MeterExactConfig(
        String corpus,
        String corpusSha256,
        String background,
        Map<String, Integer> members,
        List<String> works,
        @Nullable String behaviours,
        @Nullable String behavioursSha256,
        long seed,
        int seeds,
        int windowsPerWork,
        int windowWords,
        int unrelated,
        CanarySettings canary)
        implements StageConfig {

    /**
     * @param steps optimizer steps; 0 = one pass over the training stream
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record CanarySettings(
            String arch,
            int vocabSize,
            int hidden,
            int layers,
            int heads,
            int intermediate,
            int contextLength,
            int batchSize,
            double learningRate,
            int steps,
            long backgroundTokens) {}

    @Override
    public Map<String, Long> configSeeds() {
        return Map.of("seed", seed);
    }
}
