/**
 * Corpus ingestion: the corpus manifest ({@link dev.memaudit.index.source.CorpusManifest}, from a
 * corpus.yaml or a folder) and one reader per work format ({@link
 * dev.memaudit.index.source.WorkSource}: txt, md, html, epub, pdf, jsonl), run by {@link
 * dev.memaudit.index.source.CorpusLoader}.
 *
 * <p>A source document is not an index document: this package yields {@link
 * dev.memaudit.index.source.LoadedWork}s (metadata, the SHA-256 of the source file, and the work's
 * original text, which every offset memaudit reports refers to) and {@link
 * dev.memaudit.index.source.WorkProblem}s (a work skipped or failed, with the reason); the index
 * builder decides what to count and store. Readers are deterministic: the same file always gives
 * the same text.
 */
package dev.memaudit.index.source;
