package dev.memaudit.index.source;

import java.io.IOException;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads the works in one file format. One implementation per format ({@link TextSource}, {@link
 * MarkdownSource}, {@link HtmlSource}, {@link EpubSource}, {@link PdfSource}, {@link JsonlSource});
 * adding a format is one class, one test subclassing {@code WorkSourceContractTest}, and one
 * fixture folder.
 *
 * <p>The text a reader produces is the work's original text, which every reported offset refers to:
 * reading the same bytes must always give the same text.
 *
 * <p>A reader keeps to the {@link ReadLimits} it is given: it checks sizes before it reads (a
 * file's size, an archive entry's declared size) and while it reads (bytes expanded, elements
 * parsed, text built), so that an oversized input costs no more memory than the limit, and throws
 * {@link OverLimitException} naming the file part and size.
 */
public interface WorkSource {

    /** The format name used in corpus.yaml's {@code format:} ("txt", "md", …). */
    String format();

    /** File extensions read by default, lower case, without the dot. */
    Set<String> extensions();

    /**
     * The limit on the file's own size, which {@link CorpusLoader} checks before the file is hashed
     * or read, or null when the file's size says nothing about what reading it costs (archives,
     * PDF, JSONL, whose parts have their own limits).
     */
    default ReadLimits.Key fileSizeLimit() {
        return null;
    }

    /**
     * Reads the file of one manifest entry.
     *
     * @param entry the manifest entry; its file exists
     * @param sourceSha256 the hex SHA-256 of the file's bytes, to put on every work
     * @param limits how much the reader may take in for one work
     * @param works receives every readable work (one, or one per line for JSONL), also when its
     *     text is empty
     * @param problems receives problems with parts of the file (e.g. one bad JSONL line) while the
     *     other parts still load
     * @throws WorkReadException when the file as a whole cannot be read as a work
     * @throws OverLimitException when the file as a whole exceeds a limit
     * @throws IOException when the file cannot be read at all
     */
    void read(
            WorkEntry entry,
            String sourceSha256,
            ReadLimits limits,
            Consumer<LoadedWork> works,
            Consumer<WorkProblem> problems)
            throws WorkReadException, IOException;
}
