package dev.memaudit.core.records.ppl;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeName;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.Nullable;
import dev.memaudit.core.records.OptionalField;
import dev.memaudit.core.records.run.IndexInput;
import dev.memaudit.core.records.run.ModelIdentity;
import dev.memaudit.core.records.run.NotPinned;
import dev.memaudit.core.records.run.StageConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings of a ppl stage ({@code config} of its manifest and run-config.json). {@code memaudit
 * ppl} reads works from an index and controls from a corpus; {@code memaudit canary calibrate}
 * passes its texts directly and records its canary's seed instead.
 *
 * @param model the model folder (absolute), or the endpoint's description (not pinned)
 * @param modelIdentity what the model is (pinned: a resume needs the same model, wherever it is
 *     served); absent in run folders of earlier versions
 * @param referenceModel the reference model folder (absolute); null without one
 * @param index the index folder (absolute); absent for a calibration
 * @param indexUid the index's uid; absent for a calibration
 * @param controls the controls' folder or corpus.yaml (absolute); absent for a calibration
 * @param works the work ids asked for (empty: every work); absent for a calibration
 * @param seed the calibration canary's seed; absent for {@code memaudit ppl}
 * @param chunkTokens tokens per chunk
 * @param lowercase whether each chunk was also scored lowercased
 * @param statisticsAlpha {@link PplStatsSettings#alpha()}
 * @param statisticsSeed {@link PplStatsSettings#seed()}
 * @param statisticsBootstrapResamples {@link PplStatsSettings#bootstrapResamples()}
 * @param statisticsCiLevel {@link PplStatsSettings#ciLevel()}
 * @param statisticsMinControlChunks {@link PplStatsSettings#minControlChunks()}
 * @param statisticsMinControlTexts {@link PplStatsSettings#minControlTexts()}
 */
@JsonTypeName("ppl")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PplConfig(
        @NotPinned String model,
        @OptionalField ModelIdentity modelIdentity,
        @Nullable String referenceModel,
        @OptionalField String index,
        @OptionalField String indexUid,
        @OptionalField String controls,
        @OptionalField List<String> works,
        @OptionalField Long seed,
        int chunkTokens,
        boolean lowercase,
        // The statistics are recomputed from the whole ledger at the end: a resumed run may change
        // them.
        @NotPinned @JsonProperty("statistics.alpha") double statisticsAlpha,
        @NotPinned @JsonProperty("statistics.seed") long statisticsSeed,
        @NotPinned @JsonProperty("statistics.bootstrap_resamples") int statisticsBootstrapResamples,
        @NotPinned @JsonProperty("statistics.ci_level") double statisticsCiLevel,
        @NotPinned @JsonProperty("statistics.min_control_chunks") int statisticsMinControlChunks,
        @NotPinned @JsonProperty("statistics.min_control_texts") int statisticsMinControlTexts)
        implements StageConfig, IndexInput {

    /** The config of {@code memaudit ppl}: works from an index, controls from a corpus. */
    public static PplConfig ofIndex(
            String model,
            String referenceModel,
            String index,
            String indexUid,
            String controls,
            List<String> works,
            int chunkTokens,
            boolean lowercase,
            PplStatsSettings statistics) {
        return of(
                model,
                referenceModel,
                index,
                indexUid,
                controls,
                List.copyOf(works),
                null,
                chunkTokens,
                lowercase,
                statistics);
    }

    /** The config of one canary of {@code memaudit canary calibrate} (no reference model). */
    public static PplConfig ofCalibration(
            String model,
            long canarySeed,
            int chunkTokens,
            boolean lowercase,
            PplStatsSettings statistics) {
        return of(
                model,
                null,
                null,
                null,
                null,
                null,
                canarySeed,
                chunkTokens,
                lowercase,
                statistics);
    }

    private static PplConfig of(
            String model,
            String referenceModel,
            String index,
            String indexUid,
            String controls,
            List<String> works,
            Long seed,
            int chunkTokens,
            boolean lowercase,
            PplStatsSettings s) {
        return new PplConfig(
                model,
                null,
                referenceModel,
                index,
                indexUid,
                controls,
                works,
                seed,
                chunkTokens,
                lowercase,
                s.alpha(),
                s.seed(),
                s.bootstrapResamples(),
                s.ciLevel(),
                s.minControlChunks(),
                s.minControlTexts());
    }

    /** This config with the audited model's identity (pinned for {@code --resume}). */
    public PplConfig withModelIdentity(ModelIdentity identity) {
        return new PplConfig(
                model,
                identity,
                referenceModel,
                index,
                indexUid,
                controls,
                works,
                seed,
                chunkTokens,
                lowercase,
                statisticsAlpha,
                statisticsSeed,
                statisticsBootstrapResamples,
                statisticsCiLevel,
                statisticsMinControlChunks,
                statisticsMinControlTexts);
    }

    /** The statistics settings. */
    public PplStatsSettings statistics() {
        return new PplStatsSettings(
                statisticsAlpha,
                statisticsSeed,
                statisticsBootstrapResamples,
                statisticsCiLevel,
                statisticsMinControlChunks,
                statisticsMinControlTexts);
    }

    @Override
    public Map<String, Long> configSeeds() {
        Map<String, Long> m = new LinkedHashMap<>();
        if (seed != null) {
            m.put("seed", seed);
        }
        m.put("statistics.seed", statisticsSeed);
        return m;
    }
}
