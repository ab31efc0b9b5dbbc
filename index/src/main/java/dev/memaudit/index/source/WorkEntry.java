package dev.memaudit.index.source;

import dev.memaudit.core.records.run.Reservation;
import java.nio.file.Path;
import java.util.List;

/**
 * One entry of a corpus manifest: where a work's file is and the metadata given for it. Nothing has
 * been read yet; {@link CorpusLoader} reads it.
 *
 * @param id the work id (for a JSONL entry, the id of the entry; each line carries its own id)
 * @param title the title, or null when not given
 * @param authors the authors, empty when not given
 * @param rightsholder the rightsholder, or null
 * @param license the license, or null
 * @param year the publication year, or null
 * @param path the absolute, normalized path of the file
 * @param relativePath the path relative to the corpus root, with '/' separators
 * @param format the declared format ("txt", "md", "html", "epub", "pdf", "jsonl"), or null to
 *     choose by the file's extension
 * @param encoding the declared charset name for text formats, or null to detect (BOM, else UTF-8)
 * @param role work or control
 * @param reservation a text-and-data-mining reservation, or null
 */
public record WorkEntry(
        String id,
        String title,
        List<String> authors,
        String rightsholder,
        String license,
        Integer year,
        Path path,
        String relativePath,
        String format,
        String encoding,
        Role role,
        Reservation reservation) {

    public WorkEntry {
        authors = authors == null ? List.of() : List.copyOf(authors);
    }

    /** An entry without a reservation. */
    public WorkEntry(
            String id,
            String title,
            List<String> authors,
            String rightsholder,
            String license,
            Integer year,
            Path path,
            String relativePath,
            String format,
            String encoding,
            Role role) {
        this(
                id,
                title,
                authors,
                rightsholder,
                license,
                year,
                path,
                relativePath,
                format,
                encoding,
                role,
                null);
    }
}
