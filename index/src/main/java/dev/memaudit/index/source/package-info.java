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
 *
 * <p>Every reader keeps to {@link dev.memaudit.index.source.ReadLimits} (corpus.yaml {@code
 * limits:}, {@code index build --limit}): sizes are checked before reading where they are known and
 * counted while reading where they are not, so that an oversized input (a zip bomb, a 2 GB line, a
 * 1 GB HTML file) costs no more memory than its limit and fails that work with a {@link
 * dev.memaudit.index.source.WorkProblem} naming the limit, the part of the file and its size. Each
 * reader's javadoc lists the limits it checks; {@code WorkSourceContractTest} shows each one.
 */
package dev.memaudit.index.source;
