package dev.memaudit.core.records.meter;

import com.fasterxml.jackson.annotation.JsonTypeName;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.Nullable;
import dev.memaudit.core.records.run.IndexInput;
import dev.memaudit.core.records.run.ModelIdentity;
import dev.memaudit.core.records.run.StageConfig;
import java.util.List;
import java.util.Map;

/**
 * The {@code config} of a {@code meter approx} folder's manifest (and of its run-config.json).
 * Settings that only one method uses are null under the other.
 *
 * @param model the model folder as given
 * @param modelIdentity what the model is: hashes of its weights, config and tokenizer (see "Model
 *     identity" in docs/run-folders.md)
 * @param index the index the works were read from, or null when the texts were given directly
 * @param indexUid that index's uid, or null
 * @param works the metered works, sorted
 * @param worksSha256 per metered work, SHA-256 of the UTF-8 text metered
 * @param behaviours the behaviours file as given, or null when they were given directly
 * @param behavioursSha256 SHA-256 of the behaviours (of the file, or of their JSONL lines)
 * @param method {@code unlearn} or {@code gradient}
 * @param chunkTokens tokens per chunk of a work's (and the retain text's) text
 * @param chunksPerWork most chunks taken from each work, evenly spread over its text
 * @param retain where the retain text came from (unlearn): {@code index} (the index's other works)
 *     or the file given; null for gradient
 * @param retainChunks retain chunks used (unlearn); null for gradient
 * @param steps unlearning steps per work; null for gradient
 * @param learningRate rate of each unlearning step; null for gradient
 * @param retainWeight weight of the retain text's log-likelihood; null for gradient
 * @param clipNorm gradient norm each step is clipped to (0 = none); null for gradient
 * @param projectionDim count-sketch size; null for unlearn
 * @param seed seed of the projection; null for unlearn (it uses no randomness)
 */
@JsonTypeName("meter approx")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ApproxConfig(
        String model,
        ModelIdentity modelIdentity,
        @Nullable String index,
        @Nullable String indexUid,
        List<String> works,
        Map<String, String> worksSha256,
        @Nullable String behaviours,
        String behavioursSha256,
        String method,
        int chunkTokens,
        int chunksPerWork,
        @Nullable String retain,
        @Nullable Integer retainChunks,
        @Nullable Integer steps,
        @Nullable Double learningRate,
        @Nullable Double retainWeight,
        @Nullable Double clipNorm,
        @Nullable Integer projectionDim,
        @Nullable Long seed)
        implements StageConfig, IndexInput {

    @Override
    public Map<String, Long> configSeeds() {
        return seed == null ? Map.of() : Map.of("seed", seed);
    }
}
