package dev.memaudit.core.records.sample;

import com.fasterxml.jackson.annotation.JsonTypeName;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.OptionalField;
import dev.memaudit.core.records.run.ModelIdentity;
import dev.memaudit.core.records.run.NotPinned;
import dev.memaudit.core.records.run.StageConfig;
import java.util.List;

/**
 * The settings of a sample campaign ({@code config} of its manifest and run-config.json).
 *
 * @param model the backend's description, address included (not pinned)
 * @param modelIdentity what the model is (pinned: a resume needs the same model, wherever it is
 *     served); absent in run folders of earlier versions
 * @param n samples per prompt
 * @param settings decoding settings of every sample
 * @param prompts the campaign's prompt ids, in order
 * @param batch prompts per model call
 */
@JsonTypeName("sample")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SampleConfig(
        @NotPinned String model,
        @OptionalField ModelIdentity modelIdentity,
        int n,
        SampleSettings settings,
        List<String> prompts,
        @NotPinned int batch)
        implements StageConfig {}
