package dev.memaudit.core.records.run;

import com.fasterxml.jackson.annotation.JsonTypeName;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The {@code config} of a report bundle's manifest.
 *
 * @param run the run folder reported, as given on the command line
 * @param signed whether the bundle was signed ({@code --sign-key})
 */
@JsonTypeName("report")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ReportConfig(String run, boolean signed) implements StageConfig {}
