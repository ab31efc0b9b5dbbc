package dev.memaudit.core.records.ppl;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.memaudit.core.records.InsertionOrder;
import dev.memaudit.core.records.RecordFile;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of a ppl run's {@code chunks.jsonl} (docs/run-folders.md): the membership features of
 * one chunk of a work or of a control text.
 *
 * @param set {@code "work"} or {@code "control"}
 * @param workId the work or control text the chunk belongs to
 * @param chunk 0-based chunk index within it
 * @param charStart code-point offset of the chunk in the text (half-open with charEnd)
 * @param tokens chunk length in the audited model's tokens
 * @param chars chunk length in code points
 * @param bytes chunk length in UTF-8 bytes
 * @param zlibBytes zlib-compressed length (level 6) of the chunk's UTF-8
 * @param features feature name → value (natural logs); a feature that was not measured is absent,
 *     never 0 or null (ppl.json {@code not_measured} says why)
 */
@RecordFile(name = "chunks.jsonl", version = ChunkRecord.SCHEMA_VERSION)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonPropertyOrder({"schema_version", "set", "work_id", "chunk"})
public record ChunkRecord(
        int schemaVersion,
        String set,
        String workId,
        int chunk,
        int charStart,
        int charEnd,
        int tokens,
        int chars,
        int bytes,
        int zlibBytes,
        // in the order the features were computed, as this file always had them
        @JsonSerialize(using = InsertionOrder.class) Map<String, Double> features) {

    /** Version of the chunks.jsonl layout. */
    public static final int SCHEMA_VERSION = 1;

    public static final String WORK = "work";
    public static final String CONTROL = "control";

    public ChunkRecord {
        if (!WORK.equals(set) && !CONTROL.equals(set)) {
            throw new IllegalArgumentException(
                    "\"set\" must be \"work\" or \"control\", got \"" + set + "\"");
        }
        // in the order given: that is the order written
        features = Collections.unmodifiableMap(new LinkedHashMap<>(features));
    }

    /** Whether the chunk is a control chunk. */
    @JsonIgnore
    public boolean isControl() {
        return CONTROL.equals(set);
    }
}
