package dev.memaudit.core.records.scan;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.Nullable;
import dev.memaudit.core.records.OptionalField;

/**
 * The {@code scan} section of one work in works.json. Lengths are code points of the work's
 * original text.
 *
 * @param outputsHitting outputs with at least one span of the work
 * @param spans spans of the work
 * @param charsReproduced code points of the work inside at least one span
 * @param workChars the work's length
 * @param shareReproduced charsReproduced / workChars (0 for an empty work)
 * @param longestSpanWords words of its longest span (0 without spans)
 * @param longestSpanOutputId the output holding that span; null without spans
 * @param nearPassages near-verbatim passages of the work; this and the next three are null with
 *     {@code --exact-only} (not looked for, never 0); the fields above count exact spans only
 * @param charsReproducedNear code points of the work inside at least one exact span or near passage
 * @param shareReproducedNear charsReproducedNear / workChars (0 for an empty work)
 * @param longestNearWords words of its longest near passage, in the work (0 without)
 * @param longestNearOutputId the output holding that passage; null without near passages
 * @param coverage the work's coverage by all outputs together, with prompt-overlap trimming
 * @param distinctivePassages spans and near passages of the work marked not common ({@link
 *     Span#common()}); absent in scans of earlier versions
 * @param commonPassages spans and near passages marked common: text that occurs in another indexed
 *     work or in the controls, so weaker evidence that the model learned it from this work
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ScanWork(
        int outputsHitting,
        int spans,
        long charsReproduced,
        int workChars,
        double shareReproduced,
        int longestSpanWords,
        @Nullable String longestSpanOutputId,
        @Nullable Integer nearPassages,
        @Nullable Long charsReproducedNear,
        @Nullable Double shareReproducedNear,
        @Nullable Integer longestNearWords,
        @Nullable String longestNearOutputId,
        ScanCoverage coverage,
        @OptionalField Integer distinctivePassages,
        @OptionalField Integer commonPassages) {}
