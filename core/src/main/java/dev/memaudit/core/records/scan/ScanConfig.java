package dev.memaudit.core.records.scan;

import com.fasterxml.jackson.annotation.JsonTypeName;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.Nullable;
import dev.memaudit.core.records.run.IndexInput;
import dev.memaudit.core.records.run.StageConfig;

/**
 * The {@code config} of a scan stage's manifest.
 *
 * @param minWords shortest span reported, in normalized words
 * @param threads scanning threads
 * @param maxOutputBytes the largest output scanned, in bytes (one JSONL line or .txt file); a
 *     larger one is a problem of that line or file
 * @param index the index folder as given
 * @param indexUid the index's uid
 * @param indexGeneration the index's build generation
 * @param ngram words per indexed gram
 * @param normalizerVersion version of the word normalizer the index was built with
 * @param tokenizer whether a tokenizer counted the spans' tokens
 * @param near whether near-verbatim passages were looked for (false with {@code --exact-only})
 * @param minSimilarity the lowest word similarity of a near passage; null when near is false
 */
@JsonTypeName("scan")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ScanConfig(
        int minWords,
        int threads,
        long maxOutputBytes,
        String index,
        String indexUid,
        long indexGeneration,
        int ngram,
        int normalizerVersion,
        boolean tokenizer,
        boolean near,
        @Nullable Double minSimilarity)
        implements StageConfig, IndexInput {}
