package dev.memaudit.index.source;

import dev.memaudit.core.records.run.Reservation;
import java.nio.file.Path;
import java.util.List;

/**
 * A work read from its file: metadata (the manifest's, completed by what the file itself says, e.g.
 * an HTML {@code <title>} or EPUB {@code dc:title}) and its original text.
 *
 * @param format the format it was read as ("txt", "md", "html", "epub", "pdf", "jsonl")
 * @param file the absolute path of the source file (for JSONL, the file holding the line)
 * @param relativePath the source file's path relative to the corpus root, '/' separators
 * @param sourceSha256 lower-case hex SHA-256 of the source file's bytes
 * @param text the original text as extracted; every offset memaudit reports refers to it. It may be
 *     empty or blank: the caller decides what to do with empty works.
 * @param reservation the manifest entry's text-and-data-mining reservation, or null
 */
public record LoadedWork(
        String id,
        String title,
        List<String> authors,
        String rightsholder,
        String license,
        Integer year,
        String format,
        Role role,
        Path file,
        String relativePath,
        String sourceSha256,
        String text,
        Reservation reservation) {

    public LoadedWork {
        authors = authors == null ? List.of() : List.copyOf(authors);
    }
}
