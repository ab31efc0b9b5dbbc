package dev.memaudit.core.records.run;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.RecordFile;

/**
 * {@code run-config.json}: the settings a resumable stage started with ({@link
 * dev.memaudit.core.run.RunFolder}); {@code --resume} continues only a run with the same ones
 * (except those marked {@link NotPinned}).
 *
 * @param command the stage; it chooses the type of {@code config}
 * @param config the stage's settings, as its manifest's {@code config} records them
 */
@RecordFile(name = "run-config.json", version = RunConfigFile.SCHEMA_VERSION)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RunConfigFile(
        int schemaVersion,
        String command,
        @JsonTypeInfo(
                        use = JsonTypeInfo.Id.NAME,
                        include = JsonTypeInfo.As.EXTERNAL_PROPERTY,
                        property = "command",
                        visible = true)
                StageConfig config) {

    /** Version of the run-config.json layout. */
    public static final int SCHEMA_VERSION = 1;

    public RunConfigFile {
        if (!command.equals(config.command())) {
            throw new IllegalArgumentException(
                    "command " + command + " with the settings of " + config.command());
        }
    }

    public static RunConfigFile of(StageConfig settings) {
        return new RunConfigFile(SCHEMA_VERSION, settings.command(), settings);
    }
}
