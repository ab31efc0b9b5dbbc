package dev.memaudit.core.records.scan;

import com.fasterxml.jackson.annotation.JsonTypeName;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.Nullable;
import dev.memaudit.core.records.OptionalField;
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
 * @param chance the background text of the spans' chance scores; absent when none was given (no
 *     span has a score)
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
        @Nullable Double minSimilarity,
        @OptionalField Chance chance)
        implements StageConfig, IndexInput {

    /**
     * The background of chance scores.
     *
     * @param n words per n-gram
     * @param sources the corpora read, as given ("background <path>", "controls of <path>")
     * @param texts texts read
     * @param words their normalized words
     * @param ngramPositions n-grams counted (N)
     * @param distinctNgrams distinct n-grams
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Chance(
            int n,
            java.util.List<String> sources,
            int texts,
            long words,
            long ngramPositions,
            int distinctNgrams) {}
}
