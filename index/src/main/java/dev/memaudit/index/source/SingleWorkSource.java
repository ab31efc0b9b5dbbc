package dev.memaudit.index.source;

import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

/**
 * A format where one file is one work. Metadata from the manifest wins; what the file declares
 * (title, authors) fills the gaps.
 */
public abstract class SingleWorkSource implements WorkSource {

    /** Extracts the original text, and metadata the file declares, from the entry's file. */
    protected abstract ExtractedText extract(WorkEntry entry) throws WorkReadException, IOException;

    @Override
    public final void read(
            WorkEntry entry,
            String sourceSha256,
            Consumer<LoadedWork> works,
            Consumer<WorkProblem> problems)
            throws WorkReadException, IOException {
        ExtractedText extracted = extract(entry);
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
                        extracted.text()));
    }
}
