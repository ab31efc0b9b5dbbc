package dev.memaudit.index.source;

import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

/**
 * A format where one file is one work. Metadata from the manifest wins; what the file declares
 * (title, authors) fills the gaps.
 */
public abstract class SingleWorkSource implements WorkSource {

    /**
     * Extracts the original text, and metadata the file declares, from the entry's file, within
     * {@code limits}.
     */
    protected abstract ExtractedText extract(WorkEntry entry, ReadLimits limits)
            throws WorkReadException, IOException;

    @Override
    public final void read(
            WorkEntry entry,
            String sourceSha256,
            ReadLimits limits,
            Consumer<LoadedWork> works,
            Consumer<WorkProblem> problems)
            throws WorkReadException, IOException {
        ExtractedText extracted = extract(entry, limits);
        // Readers bound what they build as they go; this is the one definition of the limit
        // (a UTF-16 unit is at most 3 UTF-8 bytes, so short texts need no count).
        String text = extracted.text();
        long bytes = text.length() * 3L <= limits.maxWorkBytes() ? 0 : ReadLimits.utf8Bytes(text);
        if (bytes > limits.maxWorkBytes()) {
            throw limits.exceeded(
                    ReadLimits.Key.MAX_WORK_BYTES,
                    "the extracted text is " + ReadLimits.formatBytes(bytes) + " in UTF-8");
        }
        String title = entry.title() != null ? entry.title() : extracted.title();
        List<String> authors = entry.authors().isEmpty() ? extracted.authors() : entry.authors();
        works.accept(
                new LoadedWork(
                        entry.id(),
                        title,
                        authors,
                        entry.rightsholder(),
                        entry.license(),
                        entry.year(),
                        format(),
                        entry.role(),
                        entry.path(),
                        entry.relativePath(),
                        sourceSha256,
                        extracted.text(),
                        entry.reservation()));
    }
}
