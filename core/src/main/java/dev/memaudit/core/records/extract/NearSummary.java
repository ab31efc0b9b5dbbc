package dev.memaudit.core.records.extract;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.RecordFile;
import java.util.Map;

/**
 * {@code near.json}: the near-verbatim extraction bound per work (from {@code near.jsonl}).
 *
 * @param settings the bound's settings
 * @param works work id → its figures
 */
@RecordFile(name = "near.json", version = NearSummary.SCHEMA_VERSION)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record NearSummary(int schemaVersion, NearSettings settings, Map<String, Work> works) {
    /** Version of the near.json layout. */
    public static final int SCHEMA_VERSION = 1;

    /**
     * @param windows windows with a bound
     * @param tokens the work's tokens
     * @param budgetExhausted windows whose budget ran out (bound 0)
     * @param windowsAbovePZ windows whose bound exceeds their verbatim p_z
     * @param coverage share of the work's tokens in the suffix of a window whose bound reaches the
     *     threshold ("0.5", "0.1", "0.01")
     * @param coverageVerbatim the same with the windows' verbatim p_z, for comparison
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Work(
            int windows,
            long tokens,
            int budgetExhausted,
            @JsonProperty("windows_above_p_z") int windowsAbovePZ,
            Map<String, Double> coverage,
            Map<String, Double> coverageVerbatim) {}
}
