package dev.memaudit.reports.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/**
 * One stage folder of a run: its directory, the stage name from its manifest ({@code scan}, {@code
 * extract}, {@code sample}, {@code ppl}) and the parsed {@code manifest.json}.
 */
public record StageFolder(Path dir, String command, JsonNode manifest) {
    /** The manifest's {@code config} object (empty when absent). */
    public JsonNode config() {
        return Nodes.object(manifest, "config");
    }
}
