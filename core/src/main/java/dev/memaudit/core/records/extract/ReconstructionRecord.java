package dev.memaudit.core.records.extract;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.RecordFile;

/**
 * One line of {@code reconstruction.jsonl}: the {@link Reconstruction} of one work (fields as
 * there), keyed by work.
 */
@RecordFile(name = "reconstruction.jsonl", version = ReconstructionRecord.SCHEMA_VERSION)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonPropertyOrder(alphabetic = true)
public record ReconstructionRecord(
        int schemaVersion,
        String workId,
        int tokensGenerated,
        int tokensInOrder,
        double share,
        int charEnd) {

    /** Version of the reconstruction.jsonl layout. */
    public static final int SCHEMA_VERSION = 1;

    public static ReconstructionRecord of(String workId, Reconstruction r) {
        return new ReconstructionRecord(
                SCHEMA_VERSION,
                workId,
                r.tokensGenerated(),
                r.tokensInOrder(),
                r.share(),
                r.charEnd());
    }

    /** The reconstruction without its key. */
    public Reconstruction result() {
        return new Reconstruction(tokensGenerated, tokensInOrder, share, charEnd);
    }
}
