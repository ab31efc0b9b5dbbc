package dev.memaudit.core.records.run;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.NullableValues;
import dev.memaudit.core.records.OptionalField;
import dev.memaudit.core.records.RecordFile;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json} of a stage folder or report bundle (written by {@link
 * dev.memaudit.core.io.RunManifest}): what produced the folder and the SHA-256 of everything it
 * read and wrote. Written last: a folder without it is an unfinished run.
 *
 * @param tool always {@code memaudit}
 * @param command the stage ({@code scan}, {@code extract}, {@code sample}, {@code ppl}) or {@code
 *     report}; it chooses the type of {@code config}
 * @param args the command line after {@code memaudit}
 * @param java the Java version that ran it
 * @param os operating system name and architecture
 * @param startedUtc ISO-8601 instant the run started
 * @param endedUtc ISO-8601 instant the manifest was written
 * @param config the effective settings, one record type per command
 * @param inputs every input by name (e.g. {@code work/<id>}, {@code outputs/<file>}, a path
 *     relative to the run folder for a report)
 * @param outputs every file of the folder except the manifest, by path relative to it
 * @param seeds the run's seeds by name; a report's: {@code <stage>} → that stage's seeds and {@code
 *     <stage>.<config key>} → a seed in its config; absent when the command has none
 * @param backend the model backend as it describes itself (kind, capabilities, endpoint, …), for
 *     people: no reader interprets it; absent for a command without a model
 * @param schemaVersions versions of files whose records carry none of their own (kept for older
 *     readers: every file record now carries its own); absent when there are none
 * @param runDir a report's run folder relative to the report folder; absent otherwise
 * @param stages the stage folders a report read; absent otherwise
 */
@RecordFile(name = "manifest.json", version = Manifest.SCHEMA_VERSION)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Manifest(
        int schemaVersion,
        String tool,
        String toolVersion,
        String command,
        List<String> args,
        String java,
        String os,
        String startedUtc,
        String endedUtc,
        @JsonTypeInfo(
                        use = JsonTypeInfo.Id.NAME,
                        include = JsonTypeInfo.As.EXTERNAL_PROPERTY,
                        property = "command",
                        visible = true)
                StageConfig config,
        Map<String, FileDigest> inputs,
        Map<String, FileDigest> outputs,
        @OptionalField Map<String, Object> seeds,
        @OptionalField @NullableValues Map<String, Object> backend,
        @OptionalField Map<String, Integer> schemaVersions,
        @OptionalField String runDir,
        @OptionalField List<ReportStage> stages) {

    /** Version of the manifest layout. */
    public static final int SCHEMA_VERSION = 1;

    public Manifest {
        if (!command.equals(config.command())) {
            throw new IllegalArgumentException(
                    "command " + command + " with the config of " + config.command());
        }
    }

    /**
     * One stage folder a report read.
     *
     * @param folder its path relative to the run folder ({@code .} for the run folder itself)
     * @param args its command line
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ReportStage(
            String command, String folder, String toolVersion, List<String> args) {}
}
