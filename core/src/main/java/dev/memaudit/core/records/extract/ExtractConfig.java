package dev.memaudit.core.records.extract;

import com.fasterxml.jackson.annotation.JsonTypeName;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.Nullable;
import dev.memaudit.core.records.OptionalField;
import dev.memaudit.core.records.run.IndexInput;
import dev.memaudit.core.records.run.ModelIdentity;
import dev.memaudit.core.records.run.NotPinned;
import dev.memaudit.core.records.run.StageConfig;
import java.util.List;
import java.util.Map;

/**
 * The settings of an extract stage ({@code config} of its manifest and run-config.json). Token
 * counts are the audited model's tokens.
 *
 * @param model the backend's description, address included (not pinned)
 * @param modelIdentity what the model is (pinned: a resume needs the same model, wherever it is
 *     served); absent in run folders of earlier versions
 * @param indexUid uid of the index the works come from
 * @param indexWorks SHA-256 over the selected works' ids and source hashes: an unchanged corpus
 *     rebuilt into a new index generation resumes, a changed one does not
 * @param prefixTokens prefix length
 * @param suffixTokens suffix length
 * @param stride tokens between window starts
 * @param schemes schemes besides greedy and t1 whose p_z is computed
 * @param attempts sampled attempts per chosen window (0 = no decoding)
 * @param attemptScheme the scheme of the sampled attempts
 * @param attemptWindows which windows get attempts ({@code all}, {@code top:<k>}, …)
 * @param seed run seed (attempt seeds, random window choice)
 * @param reconstructMaxTokens most tokens of chained greedy reconstruction per work (0 = off)
 * @param minWords shortest verbatim span reported when scanning a generation, in words
 * @param minSimilarity lowest word similarity of a near attempt ({@link
 *     AttemptRecord#wordSimilarity()}), in [0.5, 1]; absent in run folders of earlier versions
 *     (which then do not resume)
 * @param works the work ids asked for; null for every work of the index that is not a control
 * @param batch windows (or attempt rows) per model call
 * @param index the index folder as given
 * @param indexGeneration the index's build generation
 * @param near settings of the near-verbatim extraction bound; absent when it was not computed
 * @param prior settings of the commonness control; absent when it was not run
 */
@JsonTypeName("extract")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ExtractConfig(
        @NotPinned String model,
        @OptionalField ModelIdentity modelIdentity,
        String indexUid,
        String indexWorks,
        int prefixTokens,
        int suffixTokens,
        int stride,
        List<String> schemes,
        int attempts,
        String attemptScheme,
        String attemptWindows,
        long seed,
        int reconstructMaxTokens,
        int minWords,
        @OptionalField Double minSimilarity,
        @Nullable List<String> works,
        @NotPinned int batch,
        @NotPinned String index,
        @NotPinned long indexGeneration,
        @OptionalField NearSettings near,
        @OptionalField PriorSettings prior)
        implements StageConfig, IndexInput {

    @Override
    public Map<String, Long> configSeeds() {
        return Map.of("seed", seed);
    }
}
