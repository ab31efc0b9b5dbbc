/**
 * Run folders shared by every stage: {@link dev.memaudit.core.run.RunFolder} (settings pinned for
 * {@code --resume}), {@link dev.memaudit.core.run.RunLedger} (append-only JSONL records of one
 * record type, flushed one by one, torn last line repaired on resume, existing records streamed)
 * and {@link dev.memaudit.core.run.Progress}. The layout of each stage's folder is in {@code
 * docs/run-folders.md}; its record types are in {@code dev.memaudit.core.records}.
 */
package dev.memaudit.core.run;
