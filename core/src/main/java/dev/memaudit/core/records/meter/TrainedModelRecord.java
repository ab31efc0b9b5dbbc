package dev.memaudit.core.records.meter;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.Nullable;
import dev.memaudit.core.records.RecordFile;

/**
 * One line of a {@code meter exact} folder's {@code models.jsonl}: a canary trained and kept,
 * appended once its folder is complete; a resumed run re-hashes it instead of training it again.
 *
 * @param name {@code full}, {@code without-<work>} or {@code seed-<seed>}
 * @param path its Hugging Face folder, relative to the meter folder
 * @param seed the canary's seed (initialization and data order)
 * @param dataSeed the seed that chose its background pieces
 * @param withheld the work withheld, or null
 * @param weightsSha256 SHA-256 of its model.safetensors
 * @param tokenizerSha256 SHA-256 of its tokenizer.json (the same for every canary of a run)
 * @param trainSeconds wall-clock seconds its training took
 */
@RecordFile(name = "models.jsonl", version = TrainedModelRecord.SCHEMA_VERSION)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TrainedModelRecord(
        int schemaVersion,
        String name,
        String path,
        long seed,
        long dataSeed,
        @Nullable String withheld,
        String weightsSha256,
        String tokenizerSha256,
        double trainSeconds) {
    /** Version of the models.jsonl layout. */
    public static final int SCHEMA_VERSION = 1;
}
