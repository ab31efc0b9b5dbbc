package dev.memaudit.index.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;

/**
 * HTML files, parsed by jsoup and turned into block-aware plain text ({@link HtmlText}). The
 * charset is the manifest's {@code encoding:}, else the byte-order mark or {@code <meta charset>},
 * else UTF-8. The {@code <title>} becomes the work's title when the manifest gives none.
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
    protected ExtractedText extract(WorkEntry entry) throws WorkReadException, IOException {
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
        Document document;
        try (InputStream in = Files.newInputStream(entry.path())) {
            document = Jsoup.parse(in, entry.encoding(), "");
        }
        String title = document.title().strip();
        return new ExtractedText(HtmlText.of(document), title.isEmpty() ? null : title, List.of());
    }
}
