package dev.memaudit.core.records.run;

/**
 * A {@link StageConfig} of a stage that read an index: its components {@code index} and {@code
 * index_uid} say which.
 */
public interface IndexInput {
    /** The index folder as given; null when the stage read none (a calibration). */
    String index();

    /** The index's uid; null when the stage read none. */
    String indexUid();
}
