package dev.memaudit.index.source;

import java.io.IOException;
import java.util.Set;

/**
 * Plain text files, decoded strictly by {@link TextDecoder}; the text is the file's content. A file
 * larger than max_work_bytes fails before it is read.
 */
public final class TextSource extends SingleWorkSource {

    @Override
    public String format() {
        return "txt";
    }

    @Override
    public Set<String> extensions() {
        return Set.of("txt", "text");
    }

    @Override
    protected ExtractedText extract(WorkEntry entry, ReadLimits limits)
            throws WorkReadException, IOException {
        return ExtractedText.of(TextDecoder.decode(entry.path(), entry.encoding()));
    }

    @Override
    public ReadLimits.Key fileSizeLimit() {
        return ReadLimits.Key.MAX_WORK_BYTES;
    }
}
