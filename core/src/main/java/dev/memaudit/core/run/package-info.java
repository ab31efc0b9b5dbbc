/**
 * Run folders shared by every stage: {@link dev.memaudit.core.run.RunFolder} (settings pinned for
 * {@code --resume}), {@link dev.memaudit.core.run.RunLedger} (append-only JSONL records, flushed
 * one by one, torn last line repaired on resume) and {@link dev.memaudit.core.run.Progress}. The
 * layout of each stage's folder is in {@code docs/run-folders.md}.
 */
package dev.memaudit.core.run;
