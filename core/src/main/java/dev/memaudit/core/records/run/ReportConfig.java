package dev.memaudit.core.records.run;

import com.fasterxml.jackson.annotation.JsonTypeName;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.OptionalField;
import java.util.List;

/**
 * The {@code config} of a report bundle's manifest.
 *
 * @param run the run folder reported, as given on the command line
 * @param signed whether the bundle was signed ({@code --sign-key})
 * @param calibration the calibration the method section summarizes ({@code --calibration}), or null
 *     (then absent from the manifest)
 * @param influence the influence.jsonl files ({@code --influence}) and validation.json ({@code
 *     --influence-validation}) the report read, pinned like the calibration; null (absent) when
 *     none
 */
@JsonTypeName("report")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ReportConfig(
        String run,
        boolean signed,
        @OptionalField CalibrationInput calibration,
        @OptionalField List<InfluenceInput> influence)
        implements StageConfig {

    public ReportConfig(String run, boolean signed) {
        this(run, signed, null, null);
    }

    public ReportConfig(String run, boolean signed, CalibrationInput calibration) {
        this(run, signed, calibration, null);
    }

    /**
     * A file of influence metering a report read, outside the run folder: verify re-hashes it where
     * it still lies.
     *
     * @param role {@code influence} (an influence.jsonl) or {@code validation} (a validation.json)
     * @param file absolute path
     * @param sha256 its SHA-256
     * @param method the influence file's method; absent for a validation
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record InfluenceInput(
            String role, String file, String sha256, @OptionalField String method) {}

    /**
     * A {@code calibration.json} of {@code memaudit canary calibrate} that a report read. It lies
     * outside the run folder, so it is pinned here by hash rather than among the manifest's inputs
     * (which {@code memaudit verify} re-hashes inside the run folder); verify re-hashes it when it
     * is still there and notes when it is not.
     *
     * @param file the file given to {@code --calibration}, absolute (so {@code memaudit verify} can
     *     re-hash it where it still lies)
     * @param sha256 its SHA-256
     * @param schemaVersion its schema_version (1: member-only canaries, 2: ladder canaries)
     * @param doseResponseSvg the {@code dose-response.svg} beside it; absent when there is none
     * @param doseResponseSvgSha256 that file's SHA-256; absent when there is none
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record CalibrationInput(
            String file,
            String sha256,
            int schemaVersion,
            @OptionalField String doseResponseSvg,
            @OptionalField String doseResponseSvgSha256) {}
}
