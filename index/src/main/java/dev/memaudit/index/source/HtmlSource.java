package dev.memaudit.index.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import org.jsoup.nodes.Document;

/**
 * HTML files, parsed by jsoup and turned into block-aware plain text ({@link HtmlText}). The
 * charset is the manifest's {@code encoding:}, else the byte-order mark or {@code <meta charset>},
 * else UTF-8. The {@code <title>} becomes the work's title when the manifest gives none.
 *
 * <p>Limits ({@link MarkupParser}): the file's size (max_document_bytes) and its tags
 * (max_elements) are checked before parsing, elements and their nesting (max_elements, max_depth)
 * while parsing, the text (max_work_bytes) while it is built. A gzip-compressed file named {@code
 * .gz} or {@code .z} fails: jsoup would expand it past the size check.
 */
public final class HtmlSource extends SingleWorkSource {

    @Override
    public String format() {
        return "html";
    }

    @Override
    public Set<String> extensions() {
        return Set.of("html", "htm", "xhtml");
    }

    @Override
    public ReadLimits.Key fileSizeLimit() {
        return ReadLimits.Key.MAX_DOCUMENT_BYTES;
    }

    @Override
    protected ExtractedText extract(WorkEntry entry, ReadLimits limits)
            throws WorkReadException, IOException {
        byte[] head = new byte[4096];
        int n;
        try (InputStream in = Files.newInputStream(entry.path())) {
            n = in.readNBytes(head, 0, head.length);
        }
        // UTF-16 HTML starts with a byte-order mark, which jsoup reads; a NUL elsewhere is binary
        boolean wide = n >= 2 && (head[0] & 0xFF) >= 0xFE && (head[1] & 0xFF) >= 0xFE;
        for (int i = 0; i < n && entry.encoding() == null && !wide; i++) {
            if (head[i] == 0) {
                throw WorkReadException.failed(
                        "binary file, not HTML (NUL byte at offset " + i + ")");
            }
        }
        if (MarkupParser.isGzipNamed(entry.path(), head, n)) {
            throw WorkReadException.failed(
                    "gzip-compressed HTML: decompress it first, so that its size can be checked");
        }
        Document document = MarkupParser.html(entry.path(), entry.encoding(), limits);
        String title = document.title().strip();
        return new ExtractedText(
                HtmlText.of(document, limits), title.isEmpty() ? null : title, List.of());
    }
}
