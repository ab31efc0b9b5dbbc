package dev.memaudit.stats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.io.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One record of a ppl run's {@code chunks.jsonl} as the statistics need it (see
 * docs/run-folders.md).
 *
 * @param set {@code "work"} or {@code "control"}
 * @param workId the work or control text the chunk belongs to
 * @param chunk 0-based chunk index within it
 * @param tokens chunk length in the audited model's tokens
 * @param chars chunk length in code points
 * @param bytes chunk length in UTF-8 bytes
 * @param zlibBytes zlib-compressed length (level 6) of the chunk's UTF-8
 * @param features feature name → value; a feature the backend could not measure is absent
 */
public record PplChunk(
        String set,
        String workId,
        int chunk,
        int tokens,
        int chars,
        int bytes,
        int zlibBytes,
        Map<String, Double> features) {
    /** The {@code schema_version} of chunks.jsonl records this reader knows. */
    public static final int SCHEMA_VERSION = 1;

    public static final String WORK = "work";
    public static final String CONTROL = "control";

    public PplChunk {
        features = Map.copyOf(features);
    }

    /** Whether the chunk is a control chunk. */
    public boolean isControl() {
        return CONTROL.equals(set);
    }

    /**
     * Reads a chunks.jsonl file.
     *
     * @throws MemauditException INTEGRITY naming file and line for a record that is not valid
     */
    public static List<PplChunk> read(Path file) {
        List<PplChunk> out = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (!line.isBlank()) {
                    out.add(parse(Json.MAPPER.readTree(line), file + ":" + lineNo));
                }
            }
        } catch (IOException e) {
            throw MemauditException.integrity(file + ": unreadable: " + e.getMessage(), e);
        }
        return out;
    }

    /** Parses one record; {@code where} names it in messages. */
    public static PplChunk parse(JsonNode node, String where) {
        if (!(node instanceof ObjectNode o)) {
            throw MemauditException.integrity(where + ": not a JSON object");
        }
        int version = o.path("schema_version").asInt(-1);
        if (version != SCHEMA_VERSION) {
            throw MemauditException.integrity(
                    where
                            + ": chunks.jsonl schema_version "
                            + o.path("schema_version")
                            + " is not one this version reads ("
                            + SCHEMA_VERSION
                            + ")");
        }
        String set = o.path("set").asText();
        if (!set.equals(WORK) && !set.equals(CONTROL)) {
            throw MemauditException.integrity(
                    where + ": set must be \"work\" or \"control\", got " + o.path("set"));
        }
        Map<String, Double> features = new TreeMap<>();
        JsonNode f = o.path("features");
        for (Iterator<Map.Entry<String, JsonNode>> it = f.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isNumber()) {
                features.put(e.getKey(), e.getValue().asDouble());
            }
        }
        return new PplChunk(
                set,
                o.path("work_id").asText(),
                o.path("chunk").asInt(),
                o.path("tokens").asInt(),
                o.path("chars").asInt(),
                o.path("bytes").asInt(),
                o.path("zlib_bytes").asInt(),
                features);
    }
}
