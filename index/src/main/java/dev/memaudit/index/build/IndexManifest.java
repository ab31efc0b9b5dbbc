package dev.memaudit.index.build;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.memaudit.core.records.run.Reservation;
import java.util.List;

/**
 * {@code memaudit-index.json}, the root of an index folder: what the index is, how it was built and
 * which works it holds. Written last and atomically by every build, so a folder whose manifest is
 * missing or unreadable is not an index. Readers refuse any {@code format} or {@code
 * format_version} they do not know.
 *
 * @param format always {@value IndexLayout#FORMAT}
 * @param formatVersion layout version ({@value IndexLayout#FORMAT_VERSION})
 * @param indexUid 32 hex digits, fixed for the life of the index; also in every file header
 * @param generation increases with every build; names the store and gram files and is stored in the
 *     Lucene commit, so files of an interrupted build are never mixed with the manifest's
 * @param ngram words per indexed gram
 * @param normalizerVersion {@code WordNormalizer.VERSION} the words were normalized with
 * @param gramHash name of the gram hash function
 * @param works the indexed works, in store order
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record IndexManifest(
        String format,
        int formatVersion,
        String indexUid,
        long generation,
        int ngram,
        int normalizerVersion,
        String gramHash,
        String toolVersion,
        String created,
        String updated,
        String storeFile,
        String gramsFile,
        long totalWords,
        long distinctGrams,
        int hotGrams,
        List<WorkInfo> works) {

    /**
     * One indexed work.
     *
     * @param source path of the source file relative to the corpus root
     * @param sourceSha256 SHA-256 of the source file's bytes
     * @param words normalized words
     * @param codePoints code points of the extracted original text
     * @param reservation the corpus.yaml entry's text-and-data-mining reservation; null (or absent
     *     in an index built before reservations) when it has none
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record WorkInfo(
            String id,
            String title,
            List<String> authors,
            String rightsholder,
            String license,
            Integer year,
            String role,
            String format,
            String source,
            String sourceSha256,
            int words,
            int codePoints,
            Reservation reservation) {}
}
