/**
 * The extract stage ({@code memaudit extract}): extraction windows scored teacher-forced (p_z per
 * decoding scheme), decoding attempts on chosen windows, chained greedy reconstruction and per-work
 * coverage. Entry point: {@link dev.memaudit.extractor.extract.ExtractService}. The files it writes
 * (windows.jsonl, attempts.jsonl, reconstruction.jsonl, works.json section {@code extract},
 * extract.json, manifest.json) are specified in {@code docs/run-folders.md}; their records live in
 * {@code dev.memaudit.core.records.extract} (e.g. {@link
 * dev.memaudit.core.records.extract.WindowRecord}), versioned by {@code schema_version}.
 *
 * <p>Units: token positions and counts are the audited model's tokens, 0-based, half-open; text
 * offsets are Unicode code points into the work's original text; logs are natural.
 */
package dev.memaudit.extractor.extract;
