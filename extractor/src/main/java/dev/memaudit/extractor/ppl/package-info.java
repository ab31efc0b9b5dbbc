/**
 * The chunk stage of {@code memaudit ppl}: works ({@link dev.memaudit.extractor.ppl.PplInputs},
 * from the index's works store) and control texts (from a corpus) are cut into chunks of the
 * audited model's tokens ({@link dev.memaudit.extractor.ppl.Chunker}); each chunk is scored in one
 * teacher-forced pass and its membership features computed ({@link
 * dev.memaudit.extractor.ppl.ChunkFeatures}: NLL, perplexity, zlib ratio, Min-K%, Min-K%++ where
 * the backend gives the full distribution, lowercase ratio and reference difference from extra
 * passes); {@link dev.memaudit.extractor.ppl.PplRunner} appends one record per chunk to {@code
 * chunks.jsonl} and resumes after a kill; {@link dev.memaudit.extractor.ppl.PplStage} runs the
 * whole stage and computes the statistics ({@code dev.memaudit.stats}) over the records, written by
 * {@link dev.memaudit.extractor.ppl.PplStatsFiles}; {@link dev.memaudit.extractor.ppl.PplService}
 * is {@code memaudit ppl} below the command line (inputs from an index and a corpus, model hashes,
 * settings checked).
 */
package dev.memaudit.extractor.ppl;
