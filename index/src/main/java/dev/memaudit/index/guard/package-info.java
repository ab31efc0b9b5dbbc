/**
 * {@code memaudit guard}: an OpenAI-compatible proxy ({@link dev.memaudit.index.guard.GuardServer})
 * that scans every generated text against an index ({@link dev.memaudit.index.guard.GuardScanner},
 * the exact spans and near-verbatim passages of {@code scan}) and annotates, blocks or redacts what
 * it finds ({@link dev.memaudit.index.guard.GuardPolicy}). Offsets are Unicode code points,
 * half-open, into each choice's generated text and the work's original text. The request log is
 * {@code dev.memaudit.core.records.guard.GuardRecord}, one fsync'd JSONL line per request
 * (docs/run-folders.md, "A guard log").
 */
package dev.memaudit.index.guard;
