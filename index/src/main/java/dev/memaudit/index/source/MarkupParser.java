package dev.memaudit.index.source;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import org.jsoup.helper.DataUtil;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.parser.Parser;
import org.jsoup.parser.StreamParser;

/**
 * Parses HTML and XML (XHTML, OPF) with jsoup within {@link ReadLimits}: a document's tree costs up
 * to about 120 bytes of heap per element, so its size in bytes does not bound it (8 MB of {@code
 * <p>a} is a 250 MB tree). The parse runs through jsoup's {@link StreamParser}, which hands over
 * each element as it is completed: they are counted (max_elements, together with the '<' that open
 * tags and comments) and their depth checked (max_depth) while the tree is built, and the parse
 * stops at the first element over a limit. Nothing is removed from the tree, so the document is the
 * one {@code Jsoup.parse} gives.
 */
final class MarkupParser {
    private MarkupParser() {}

    /**
     * Parses an HTML file (whose size {@link CorpusLoader} checked): its '<' are counted before
     * parsing.
     *
     * @param encoding the manifest's charset name, or null for jsoup's detection (BOM, {@code <meta
     *     charset>}, else UTF-8)
     */
    static Document html(Path file, String encoding, ReadLimits limits)
            throws WorkReadException, IOException {
        countTags(file, limits);
        Charset charset = encoding == null ? null : Charset.forName(encoding);
        try (StreamParser parser =
                DataUtil.streamParser(file, charset, "", parser(false, limits))) {
            return complete(parser, limits, "the HTML");
        }
    }

    /**
     * Parses an XML document (an EPUB's XHTML, OPF or container) from {@code in} as UTF-8, or in
     * the UTF-16/32 its byte-order mark names, as {@code Jsoup.parse(in, "UTF-8", "",
     * Parser.xmlParser())} does.
     *
     * @param what the document, for messages ("entry OEBPS/ch1.xhtml")
     */
    static Document xml(InputStream in, ReadLimits limits, String what) throws IOException {
        BufferedInputStream input = new BufferedInputStream(in, 1 << 16);
        byte[] bom = new byte[4];
        input.mark(bom.length);
        int n = input.readNBytes(bom, 0, bom.length);
        input.reset();
        Charset charset = StandardCharsets.UTF_8;
        if (n >= 4
                && (startsWith(bom, 0x00, 0x00, 0xFE, 0xFF)
                        || startsWith(bom, 0xFF, 0xFE, 0x00, 0x00))) {
            charset = Charset.forName("UTF-32"); // the decoder reads and drops the BOM
        } else if (n >= 2 && (startsWith(bom, 0xFE, 0xFF) || startsWith(bom, 0xFF, 0xFE))) {
            charset = StandardCharsets.UTF_16;
        } else if (n >= 3 && startsWith(bom, 0xEF, 0xBB, 0xBF)) {
            input.skipNBytes(3);
        }
        try (StreamParser parser =
                new StreamParser(parser(true, limits))
                        .parse(new InputStreamReader(input, charset), "")) {
            return complete(parser, limits, what);
        }
    }

    private static Parser parser(boolean xml, ReadLimits limits) {
        Parser parser = xml ? Parser.xmlParser() : Parser.htmlParser();
        // jsoup closes elements nested deeper than its maximum (as browsers do); one level more
        // than ours keeps a too deep element in the tree, where complete() sees it.
        return parser.setMaxDepth(limits.maxDepth() + 1);
    }

    private static Document complete(StreamParser parser, ReadLimits limits, String what) {
        long elements = 0;
        for (Iterator<Element> it = parser.iterator(); it.hasNext(); ) {
            Element element = it.next();
            if (++elements > limits.maxElements()) {
                throw limits.exceeded(
                        ReadLimits.Key.MAX_ELEMENTS,
                        what
                                + " has more than "
                                + ReadLimits.Key.MAX_ELEMENTS.format(limits.maxElements())
                                + " elements");
            }
            // the element's depth in the tree: its ancestors, the document being depth 0
            int depth = 0;
            for (Element p = element.parent(); p != null && depth <= limits.maxDepth(); ) {
                depth++;
                p = p.parent();
            }
            if (depth > limits.maxDepth()) {
                throw limits.exceeded(
                        ReadLimits.Key.MAX_DEPTH,
                        what
                                + " nests elements more than "
                                + limits.maxDepth()
                                + " deep (<"
                                + element.normalName()
                                + ">)");
            }
        }
        return parser.document();
    }

    /** Counts the '<' of an HTML file before it is parsed: every tag and comment needs one. */
    private static void countTags(Path file, ReadLimits limits) throws IOException {
        long tags = 0;
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '<') {
                        tags++;
                    }
                }
                if (tags > limits.maxElements()) {
                    throw limits.exceeded(
                            ReadLimits.Key.MAX_ELEMENTS,
                            "the HTML has more than "
                                    + ReadLimits.Key.MAX_ELEMENTS.format(limits.maxElements())
                                    + " tags");
                }
            }
        }
    }

    /** Whether the file is gzip-compressed under a name jsoup would decompress (.gz, .z). */
    static boolean isGzipNamed(Path file, byte[] head, int n) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return (name.endsWith(".gz") || name.endsWith(".z"))
                && n >= 2
                && (head[0] & 0xFF) == 0x1F
                && (head[1] & 0xFF) == 0x8B;
    }

    private static boolean startsWith(byte[] b, int... prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if ((b[i] & 0xFF) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
