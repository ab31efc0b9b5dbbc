package dev.memaudit.index.source;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.GregorianCalendar;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.pdfbox.cos.COSArray;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.cos.COSString;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentInformation;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

/**
 * Turns the text sources of the sample corpus's binary works into byte-reproducible EPUB and PDF
 * files: {@code corpora-sample/binary-sources/<path>.txt} becomes {@code corpora-sample/<path>},
 * e.g. {@code binary-sources/works/harbour-lights.epub.txt} → {@code works/harbour-lights.epub}.
 *
 * <p>Source format: line 1 {@code Title: …}, line 2 {@code Author: …}, a blank line, then chapters,
 * each starting with a line {@code # Chapter heading}; paragraphs are separated by blank lines (the
 * lines of a paragraph are joined with a space).
 *
 * <p>EPUB 3: {@code mimetype} stored first, fixed zip timestamps, an OPF with a spine, one XHTML
 * per chapter, a navigation document. PDF: A5 pages in the standard 14 font Helvetica (so only
 * WinAnsi characters: any other character is an error naming its line), a title page, each chapter
 * on a new page, lines wrapped at word boundaries, fixed document ID and dates.
 *
 * <p>Run: {@code ./mvnw -q -B -pl index -am test -Dtest=SampleBinariesTest#regenerateCorpusSample
 * -Dsurefire.failIfNoSpecifiedTests=false -Dmemaudit.regenerateSamples=true}, or {@link
 * #main(String[])} with the corpus root.
 */
public final class SampleBinaries {
    /** Source folder inside the corpus root. */
    public static final String SOURCES = "binary-sources";

    private static final LocalDateTime ZIP_TIME = LocalDateTime.of(2026, 1, 1, 0, 0, 0);
    private static final String MODIFIED = "2026-01-01T00:00:00Z";

    private static final PDRectangle PAGE = PDRectangle.A5;
    private static final float MARGIN = 50;
    private static final float BODY_SIZE = 11;
    private static final float LEADING = 15;
    private static final float HEADING_SIZE = 16;

    private SampleBinaries() {}

    /** A parsed source: title, author and chapters. */
    public record Source(String title, String author, List<Chapter> chapters) {}

    /** A chapter: heading, the 1-based line of its heading, and paragraphs. */
    public record Chapter(String heading, int line, List<Paragraph> paragraphs) {}

    /** A paragraph with the 1-based source line it starts on. */
    public record Paragraph(String text, int line) {}

    /** Regenerates every binary work of the corpus at {@code args[0]} in place. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: SampleBinaries <corpus-root>");
            System.exit(2);
        }
        Path root = Path.of(args[0]);
        for (Path written : generateAll(root, root)) {
            System.err.println("wrote " + written);
        }
    }

    /**
     * Writes, for every {@code <corpusRoot>/binary-sources/<path>.txt}, the file {@code
     * <outRoot>/<path>}, in path order.
     *
     * @return the files written
     */
    public static List<Path> generateAll(Path corpusRoot, Path outRoot) throws IOException {
        Path sources = corpusRoot.resolve(SOURCES);
        List<Path> written = new ArrayList<>();
        if (!Files.isDirectory(sources)) {
            return written;
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(sources)) {
            files = walk.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
        }
        for (Path source : files) {
            String relative = sources.relativize(source).toString().replace('\\', '/');
            Path target = outRoot.resolve(relative.substring(0, relative.length() - 4));
            generate(source, target);
            written.add(target);
        }
        return written;
    }

    /** Writes {@code target} (.epub or .pdf, by its name) from the source file. */
    public static void generate(Path source, Path target) throws IOException {
        Source parsed = parse(source);
        String name = target.getFileName().toString().toLowerCase(Locale.ROOT);
        byte[] bytes;
        if (name.endsWith(".epub")) {
            bytes = epub(parsed, identifier(target), Map.of());
        } else if (name.endsWith(".pdf")) {
            bytes = pdf(parsed, source.toString());
        } else {
            throw new IllegalArgumentException(
                    source + ": the target " + name + " is neither .epub nor .pdf");
        }
        if (target.getParent() != null) {
            Files.createDirectories(target.getParent());
        }
        Files.write(target, bytes);
    }

    /** Parses a source file; errors name the file and line. */
    public static Source parse(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /** Parses source text; {@code name} is used in error messages. */
    public static Source parse(String content, String name) {
        List<String> lines = Arrays.asList(content.replace("\r\n", "\n").split("\n", -1));
        if (lines.size() < 3
                || !lines.get(0).startsWith("Title: ")
                || !lines.get(1).startsWith("Author: ")
                || !lines.get(2).isBlank()) {
            throw new IllegalArgumentException(
                    name + ": must start with 'Title: …', 'Author: …' and a blank line");
        }
        String title = lines.get(0).substring("Title: ".length()).strip();
        String author = lines.get(1).substring("Author: ".length()).strip();
        List<Chapter> chapters = new ArrayList<>();
        String heading = null;
        int headingLine = 0;
        List<Paragraph> paragraphs = new ArrayList<>();
        StringBuilder paragraph = new StringBuilder();
        int paragraphLine = 0;
        for (int i = 3; i <= lines.size(); i++) {
            String line = i < lines.size() ? lines.get(i).strip() : "";
            boolean end = i == lines.size();
            if (line.isEmpty() || line.startsWith("# ") || end) {
                if (paragraph.length() > 0) {
                    paragraphs.add(new Paragraph(paragraph.toString(), paragraphLine));
                    paragraph.setLength(0);
                }
                if (line.startsWith("# ") || end) {
                    if (heading != null) {
                        chapters.add(new Chapter(heading, headingLine, List.copyOf(paragraphs)));
                    }
                    paragraphs.clear();
                    heading = end ? null : line.substring(2).strip();
                    headingLine = i + 1;
                }
            } else {
                if (heading == null) {
                    throw new IllegalArgumentException(
                            name + " line " + (i + 1) + ": text before the first '# ' chapter");
                }
                if (paragraph.length() == 0) {
                    paragraphLine = i + 1;
                } else {
                    paragraph.append(' ');
                }
                paragraph.append(line);
            }
        }
        if (chapters.isEmpty()) {
            throw new IllegalArgumentException(name + ": no chapter ('# heading' line)");
        }
        return new Source(title, author, List.copyOf(chapters));
    }

    // ---- EPUB ----

    /**
     * An EPUB 3 file of {@code source}; {@code extraEntries} (name → content) are added after the
     * book's own files (tests use it for encryption.xml and fonts).
     */
    static byte[] epub(Source source, String identifier, Map<String, byte[]> extraEntries)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes, StandardCharsets.UTF_8)) {
            zip.setLevel(Deflater.BEST_COMPRESSION);
            byte[] mimetype = "application/epub+zip".getBytes(StandardCharsets.US_ASCII);
            ZipEntry first = new ZipEntry("mimetype");
            first.setMethod(ZipEntry.STORED);
            first.setSize(mimetype.length);
            first.setCompressedSize(mimetype.length);
            CRC32 crc = new CRC32();
            crc.update(mimetype);
            first.setCrc(crc.getValue());
            first.setTimeLocal(ZIP_TIME);
            zip.putNextEntry(first);
            zip.write(mimetype);
            zip.closeEntry();
            put(zip, "META-INF/container.xml", container());
            put(zip, "EPUB/package.opf", opf(source, identifier));
            put(zip, "EPUB/nav.xhtml", nav(source));
            for (int i = 0; i < source.chapters().size(); i++) {
                put(zip, chapterFile(i), chapter(source.chapters().get(i)));
            }
            for (Map.Entry<String, byte[]> extra :
                    extraEntries.entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
                ZipEntry entry = new ZipEntry(extra.getKey());
                entry.setTimeLocal(ZIP_TIME);
                zip.putNextEntry(entry);
                zip.write(extra.getValue());
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static void put(ZipOutputStream zip, String name, String content) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setTimeLocal(ZIP_TIME);
        zip.putNextEntry(entry);
        zip.write(content.getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
    }

    private static String chapterFile(int index) {
        return String.format(Locale.ROOT, "EPUB/chapter-%02d.xhtml", index + 1);
    }

    private static String container() {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
                  <rootfiles>
                    <rootfile full-path="EPUB/package.opf" media-type="application/oebps-package+xml"/>
                  </rootfiles>
                </container>
                """;
    }

    private static String opf(Source source, String identifier) {
        StringBuilder manifest = new StringBuilder();
        StringBuilder spine = new StringBuilder();
        for (int i = 0; i < source.chapters().size(); i++) {
            String id = String.format(Locale.ROOT, "chapter-%02d", i + 1);
            manifest.append("    <item id=\"")
                    .append(id)
                    .append("\" href=\"")
                    .append(id)
                    .append(".xhtml\" media-type=\"application/xhtml+xml\"/>\n");
            spine.append("    <itemref idref=\"").append(id).append("\"/>\n");
        }
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="book-id" xml:lang="en">
                  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
                    <dc:identifier id="book-id">%s</dc:identifier>
                    <dc:title>%s</dc:title>
                    <dc:creator>%s</dc:creator>
                    <dc:language>en</dc:language>
                    <meta property="dcterms:modified">%s</meta>
                  </metadata>
                  <manifest>
                    <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
                %s  </manifest>
                  <spine>
                %s  </spine>
                </package>
                """
                .formatted(
                        escape(identifier),
                        escape(source.title()),
                        escape(source.author()),
                        MODIFIED,
                        manifest,
                        spine);
    }

    private static String nav(Source source) {
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < source.chapters().size(); i++) {
            items.append("      <li><a href=\"")
                    .append(chapterFile(i).substring("EPUB/".length()))
                    .append("\">")
                    .append(escape(source.chapters().get(i).heading()))
                    .append("</a></li>\n");
        }
        return xhtml(
                source.title(),
                "  <nav epub:type=\"toc\" id=\"toc\">\n    <h1>Contents</h1>\n    <ol>\n"
                        + items
                        + "    </ol>\n  </nav>\n");
    }

    private static String chapter(Chapter chapter) {
        StringBuilder body = new StringBuilder("  <section epub:type=\"chapter\">\n");
        body.append("    <h1>").append(escape(chapter.heading())).append("</h1>\n");
        for (Paragraph paragraph : chapter.paragraphs()) {
            body.append("    <p>").append(escape(paragraph.text())).append("</p>\n");
        }
        body.append("  </section>\n");
        return xhtml(chapter.heading(), body.toString());
    }

    private static String xhtml(String title, String body) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <!DOCTYPE html>
                <html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="en" xml:lang="en">
                <head>
                  <meta charset="UTF-8"/>
                  <title>%s</title>
                </head>
                <body>
                %s</body>
                </html>
                """
                .formatted(escape(title), body);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }

    private static String identifier(Path target) {
        String name = target.getFileName().toString();
        return "urn:memaudit:sample:" + name.substring(0, name.lastIndexOf('.'));
    }

    // ---- PDF ----

    /** A PDF of {@code source}; {@code name} is used in error messages. */
    static byte[] pdf(Source source, String name) throws IOException {
        PDType1Font body = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
        PDType1Font bold = new PDType1Font(Standard14Fonts.FontName.HELVETICA_BOLD);
        checkEncodable(body, source.title(), name, 1);
        checkEncodable(body, source.author(), name, 2);
        for (Chapter chapter : source.chapters()) {
            checkEncodable(body, chapter.heading(), name, chapter.line());
            for (Paragraph paragraph : chapter.paragraphs()) {
                checkEncodable(body, paragraph.text(), name, paragraph.line());
            }
        }
        try (PDDocument document = new PDDocument()) {
            float width = PAGE.getWidth() - 2 * MARGIN;
            PageWriter writer = new PageWriter(document);
            writer.newPage();
            writer.skip(PAGE.getHeight() / 4);
            for (String line : wrap(source.title(), bold, 20, width)) {
                writer.line(line, bold, 20, 26);
            }
            writer.skip(LEADING);
            writer.line(source.author(), body, 13, LEADING);
            for (Chapter chapter : source.chapters()) {
                writer.newPage();
                for (String line : wrap(chapter.heading(), bold, HEADING_SIZE, width)) {
                    writer.line(line, bold, HEADING_SIZE, HEADING_SIZE * 1.4f);
                }
                writer.skip(LEADING / 2);
                for (Paragraph paragraph : chapter.paragraphs()) {
                    for (String line : wrap(paragraph.text(), body, BODY_SIZE, width)) {
                        writer.line(line, body, BODY_SIZE, LEADING);
                    }
                    writer.skip(LEADING / 2);
                }
            }
            writer.close();

            PDDocumentInformation info = document.getDocumentInformation();
            info.setTitle(source.title());
            info.setAuthor(source.author());
            info.setCreator("memaudit SampleBinaries");
            info.setProducer("memaudit SampleBinaries");
            Calendar date = new GregorianCalendar(TimeZone.getTimeZone("UTC"), Locale.ROOT);
            date.clear();
            date.set(2026, Calendar.JANUARY, 1, 0, 0, 0);
            info.setCreationDate(date);
            info.setModificationDate(date);
            // a fixed ID instead of PDFBox's time-based one, so rebuilt files are identical
            byte[] id = Arrays.copyOf(sha256(source.toString()), 16);
            COSArray ids = new COSArray();
            ids.add(new COSString(id));
            ids.add(new COSString(id));
            document.getDocument().getTrailer().setItem(COSName.ID, ids);

            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            document.save(bytes);
            return bytes.toByteArray();
        }
    }

    private static void checkEncodable(PDType1Font font, String text, String name, int line)
            throws IOException {
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            String ch = new String(Character.toChars(codePoint));
            try {
                font.encode(ch);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        String.format(
                                Locale.ROOT,
                                "%s%s: character '%s' (U+%04X) cannot be written in a PDF with the"
                                        + " standard Helvetica font (WinAnsi characters only);"
                                        + " replace it, or make this work an EPUB",
                                name,
                                line > 0 ? " line " + line : "",
                                ch,
                                codePoint),
                        e);
            }
            i += Character.charCount(codePoint);
        }
    }

    /** Splits text into lines no wider than {@code width} points, at spaces. */
    private static List<String> wrap(String text, PDType1Font font, float size, float width)
            throws IOException {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" +")) {
            if (word.isEmpty()) {
                continue;
            }
            String candidate = line.length() == 0 ? word : line + " " + word;
            if (line.length() > 0 && font.getStringWidth(candidate) / 1000 * size > width) {
                lines.add(line.toString());
                line.setLength(0);
                line.append(word);
            } else {
                line.setLength(0);
                line.append(candidate);
            }
        }
        if (line.length() > 0) {
            lines.add(line.toString());
        }
        return lines;
    }

    /** Writes lines top to bottom, starting a new page when one is full. */
    private static final class PageWriter {
        private final PDDocument document;
        private PDPageContentStream stream;
        private float y;

        PageWriter(PDDocument document) {
            this.document = document;
        }

        void newPage() throws IOException {
            close();
            PDPage page = new PDPage(PAGE);
            document.addPage(page);
            stream = new PDPageContentStream(document, page);
            y = PAGE.getHeight() - MARGIN;
        }

        void skip(float points) {
            y -= points;
        }

        void line(String text, PDType1Font font, float size, float leading) throws IOException {
            if (y - leading < MARGIN) {
                newPage();
            }
            y -= leading;
            stream.beginText();
            stream.setFont(font, size);
            stream.newLineAtOffset(MARGIN, y);
            stream.showText(text);
            stream.endText();
        }

        void close() throws IOException {
            if (stream != null) {
                stream.close();
                stream = null;
            }
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
