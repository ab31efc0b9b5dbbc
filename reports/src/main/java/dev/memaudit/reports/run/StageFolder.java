package dev.memaudit.reports.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.memaudit.core.records.Records;
import dev.memaudit.core.records.run.Manifest;
import dev.memaudit.core.records.run.StageConfig;
import java.nio.file.Path;

/**
 * One stage folder of a run: its directory, the stage name from its manifest ({@code scan}, {@code
 * extract}, {@code sample}, {@code ppl}) and its {@code manifest.json}.
 */
public record StageFolder(Path dir, String command, Manifest manifest) {
    /** The manifest's {@code config}, typed by the stage. */
    public StageConfig config() {
        return manifest.config();
    }

    /**
     * The config as the manifest file holds it (a JSON object, keys sorted), for showing every
     * setting and echoing them into report.json.
     */
    public JsonNode configJson() {
        return Records.sortedTree(manifest.config());
    }
}
