package dev.memaudit.core.records.meter;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.Nullable;
import dev.memaudit.core.records.RecordFile;
import java.util.List;

/**
 * {@code validation.json} of {@code meter validate}: how well each approximate method agreed with
 * the exact counterfactuals of one {@code meter exact} folder, run on its full canary with its
 * behaviours. The compared quantity is each (work, behaviour) pair's {@code delta_logprob}: the
 * exact Δ log p against the method's estimate of it (for {@code gradient} a first-order estimate in
 * other units: only its correlation and ranking are meaningful, not its scale).
 *
 * @param exact the meter exact folder, as given
 * @param exactInfluenceSha256 SHA-256 of its {@code influence.jsonl}
 * @param canary the model the approximations ran on (the exact folder's full canary)
 * @param canaryWeightsSha256 SHA-256 of its {@code model.safetensors}
 * @param seeds canaries in the exact run's seed null
 * @param conventions what is compared, and how the intervals are made
 * @param methods one entry per method run
 */
@RecordFile(name = "validation.json", version = ValidationSummary.SCHEMA_VERSION)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ValidationSummary(
        int schemaVersion,
        String exact,
        String exactInfluenceSha256,
        String canary,
        String canaryWeightsSha256,
        int seeds,
        String conventions,
        List<MethodAgreement> methods) {
    /** Version of the validation.json layout. */
    public static final int SCHEMA_VERSION = 1;

    /**
     * One method's agreement with the exact influence.
     *
     * @param method {@code unlearn} or {@code gradient}
     * @param folder the method's meter approx folder (inside the validation folder)
     * @param works works compared
     * @param behaviours behaviours compared
     * @param pairs (work, behaviour) pairs compared: those both methods measured
     * @param pearson Pearson r over the pairs, with its 95 % bootstrap interval
     * @param spearman Spearman ρ over the pairs, with its 95 % bootstrap interval
     * @param topK the k of top-k agreement
     * @param topKAgreement mean over behaviours with more than k works of the share of the exact
     *     top-k works the method also ranks in its top k; null when no behaviour has more than k
     *     works
     * @param topKBehaviours behaviours the top-k agreement averages over
     * @param ownSignAgreement share of the pairs of a work with its own text where the method's
     *     sign matches the exact one; null without such pairs
     * @param seconds the method's wall-clock seconds on the canary
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record MethodAgreement(
            String method,
            String folder,
            int works,
            int behaviours,
            int pairs,
            Estimate pearson,
            Estimate spearman,
            int topK,
            @JsonProperty("top_k_agreement") @Nullable Double topKAgreement,
            @JsonProperty("top_k_behaviours") int topKBehaviours,
            @Nullable Double ownSignAgreement,
            double seconds) {}

    /**
     * A correlation with its interval; all null when it is undefined (a side that does not vary).
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Estimate(@Nullable Double value, @Nullable Double low, @Nullable Double high) {}
}
