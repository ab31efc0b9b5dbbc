/**
 * Typed run records: one Java record per run-folder file (marked {@link
 * dev.memaudit.core.records.RecordFile} with its file name and {@code schema_version}), in one
 * subpackage per stage ({@code scan}, {@code extract}, {@code sample}, {@code ppl}) and {@code run}
 * for the files every folder has (manifest, run-config, works.json) and those of audit and canary
 * folders. The same record is used by the file's writer and by every reader; nothing is looked up
 * by field name.
 *
 * <p>{@link dev.memaudit.core.records.Records} (documents) and {@link
 * dev.memaudit.core.records.RecordReader} (JSONL, streamed) are the only way these files are read:
 * the {@code schema_version} is checked before binding, and a component is required and non-null
 * unless it is marked {@link dev.memaudit.core.records.OptionalField} (may be absent), {@link
 * dev.memaudit.core.records.Nullable} (present, may be null) or {@link
 * dev.memaudit.core.records.NullableValues} (its map holds nulls). So a missing {@code int} is an
 * error naming file, line and field, never a 0; a value that could not be measured is absent or
 * null as its record documents, never a number. Field names are those of {@code
 * docs/run-folders.md}, which a test checks against these records in both directions.
 */
package dev.memaudit.core.records;
