package dev.memaudit.index.source;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

/**
 * EPUB 2 and 3 files: {@code META-INF/container.xml} names the package document (OPF), whose spine
 * gives the reading order; each content document goes through {@link HtmlText}, and chapters are
 * separated by a blank line. {@code dc:title} and {@code dc:creator} fill the title and authors
 * when the manifest gives none.
 *
 * <p>An EPUB whose {@code META-INF/encryption.xml} encrypts anything other than fonts obfuscated by
 * the IDPF or Adobe algorithm is DRM-protected: it is skipped, never read as garbage.
 *
 * <p>Limits, checked as each entry is inflated so that a zip bomb costs no more memory than the
 * limit: an entry's declared and actual expanded size (max_document_bytes), its expansion per
 * compressed byte (max_compression_ratio), all entries read together (max_work_bytes, an entry
 * named twice in the spine counting twice), each document's tags, elements and nesting
 * (max_elements, max_depth, see {@link MarkupParser}) and the text (max_work_bytes).
 */
public final class EpubSource extends SingleWorkSource {
    private static final Set<String> FONT_OBFUSCATION =
            Set.of("http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC");
    private static final Set<String> FONT_EXTENSIONS = Set.of("otf", "ttf", "woff", "woff2");

    @Override
    public String format() {
        return "epub";
    }

    @Override
    public Set<String> extensions() {
        return Set.of("epub");
    }

    @Override
    protected ExtractedText extract(WorkEntry entry, ReadLimits limits)
            throws WorkReadException, IOException {
        try (ZipFile zip = new ZipFile(entry.path().toFile(), StandardCharsets.UTF_8)) {
            Entries entries = new Entries(zip, limits);
            int encrypted = countEncryptedContent(entries);
            if (encrypted > 0) {
                throw WorkReadException.skipped(
                        "DRM-encrypted EPUB ("
                                + encrypted
                                + " encrypted resources); only DRM-free EPUBs can be read");
            }
            Document container = entries.xml("META-INF/container.xml");
            Element rootfile =
                    elements(container, "rootfile").stream()
                            .filter(e -> e.hasAttr("full-path"))
                            .findFirst()
                            .orElse(null);
            if (rootfile == null) {
                throw WorkReadException.failed(
                        "not a valid EPUB: META-INF/container.xml names no rootfile full-path");
            }
            String opfPath = rootfile.attr("full-path");
            Document opf = entries.xml(opfPath);
            Map<String, String> hrefById = new HashMap<>();
            for (Element item : elements(opf, "item")) {
                hrefById.put(item.attr("id"), item.attr("href"));
            }
            List<String> chapters = new ArrayList<>();
            long textLength = 0;
            for (Element itemref : elements(opf, "itemref")) {
                String idref = itemref.attr("idref");
                String href = hrefById.get(idref);
                if (href == null) {
                    throw WorkReadException.failed(
                            "not a valid EPUB: spine item '"
                                    + idref
                                    + "' is not in the manifest of "
                                    + opfPath);
                }
                String name = resolve(opfPath, href);
                Document chapter = entries.content(name);
                String text = HtmlText.of(chapter, limits);
                if (!text.isBlank()) {
                    chapters.add(text);
                    textLength += text.length() + 2;
                    if (textLength > limits.maxWorkBytes()) {
                        throw limits.exceeded(
                                ReadLimits.Key.MAX_WORK_BYTES,
                                "the extracted text passes "
                                        + ReadLimits.formatBytes(limits.maxWorkBytes())
                                        + " in UTF-8 (at "
                                        + name
                                        + ")");
                    }
                }
            }
            // Dublin Core elements, whatever prefix the package document binds to them
            String titleText = "";
            List<String> authors = new ArrayList<>();
            List<Element> metadata = elements(opf, "metadata");
            for (Element e : metadata.isEmpty() ? List.<Element>of() : metadata.get(0).children()) {
                String local = localName(e.tagName());
                String value = e.text().strip();
                if (local.equals("title") && titleText.isEmpty()) {
                    titleText = value;
                } else if (local.equals("creator") && !value.isEmpty()) {
                    authors.add(value);
                }
            }
            return new ExtractedText(
                    String.join("\n\n", chapters), titleText.isEmpty() ? null : titleText, authors);
        } catch (ZipException e) {
            throw WorkReadException.failed("not a valid EPUB (broken zip): " + e.getMessage(), e);
        }
    }

    /** Resources encrypted with something other than font obfuscation. */
    private static int countEncryptedContent(Entries entries) throws IOException {
        if (entries.zip.getEntry("META-INF/encryption.xml") == null) {
            return 0;
        }
        Document encryption = entries.parse(entries.zip.getEntry("META-INF/encryption.xml"));
        int count = 0;
        for (Element data : elements(encryption, "EncryptedData")) {
            count += isObfuscatedFont(data) ? 0 : 1;
        }
        return count;
    }

    private static boolean isObfuscatedFont(Element encryptedData) {
        String algorithm = "";
        String uri = "";
        for (Element e : encryptedData.getAllElements()) {
            String local = localName(e.tagName());
            if (local.equals("EncryptionMethod")) {
                algorithm = e.attr("Algorithm");
            } else if (local.equals("CipherReference")) {
                uri = e.attr("URI");
            }
        }
        String extension = uri.substring(uri.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        return FONT_OBFUSCATION.contains(algorithm) && FONT_EXTENSIONS.contains(extension);
    }

    /** Elements with this local name, whatever namespace prefix the file uses (opf:, enc:). */
    private static List<Element> elements(Document document, String localName) {
        List<Element> found = new ArrayList<>();
        for (Element e : document.getAllElements()) {
            if (localName(e.tagName()).equals(localName)) {
                found.add(e);
            }
        }
        return found;
    }

    private static String localName(String tagName) {
        return tagName.substring(tagName.indexOf(':') + 1);
    }

    /** The entries of one EPUB, read within the work's limits. */
    private static final class Entries {
        private final ZipFile zip;
        private final ReadLimits limits;
        private final LimitedInputStream.Budget budget = new LimitedInputStream.Budget();

        Entries(ZipFile zip, ReadLimits limits) {
            this.zip = zip;
            this.limits = limits;
        }

        Document xml(String name) throws WorkReadException, IOException {
            ZipEntry entry = zip.getEntry(name);
            if (entry == null) {
                throw WorkReadException.failed("not a valid EPUB: no " + name + " in the zip");
            }
            return parse(entry);
        }

        Document content(String name) throws WorkReadException, IOException {
            ZipEntry entry = zip.getEntry(name);
            if (entry == null) {
                throw WorkReadException.failed(
                        "not a valid EPUB: the spine names " + name + ", which is not in the zip");
            }
            // XHTML is XML: the HTML parser would misread self-closed tags such as <title/>
            return parse(entry);
        }

        /** Parses an entry as XML; the zip's declared sizes are checked before inflating. */
        Document parse(ZipEntry entry) throws IOException {
            String what = "entry " + entry.getName();
            if (entry.getSize() > limits.maxDocumentBytes()) {
                throw limits.exceeded(
                        ReadLimits.Key.MAX_DOCUMENT_BYTES,
                        what
                                + " declares "
                                + ReadLimits.formatBytes(entry.getSize())
                                + " expanded ("
                                + ReadLimits.formatBytes(entry.getCompressedSize())
                                + " compressed)");
            }
            // the declared sizes may lie: the stream counts what is really inflated
            long compressed = entry.getMethod() == ZipEntry.STORED ? -1 : entry.getCompressedSize();
            try (InputStream in =
                    new LimitedInputStream(
                            zip.getInputStream(entry), limits, what, compressed, budget)) {
                return MarkupParser.xml(in, limits, what);
            }
        }
    }

    /** The zip entry name of {@code href}, relative to the OPF's folder. */
    private static String resolve(String opfPath, String href) throws WorkReadException {
        try {
            String base =
                    opfPath.contains("/") ? opfPath.substring(0, opfPath.lastIndexOf('/') + 1) : "";
            URI resolved = new URI(null, null, "/" + base, null).resolve(new URI(href));
            String path = resolved.getPath();
            return path.startsWith("/") ? path.substring(1) : path;
        } catch (URISyntaxException e) {
            throw WorkReadException.failed(
                    "not a valid EPUB: bad href '" + href + "' in " + opfPath, e);
        }
    }
}
