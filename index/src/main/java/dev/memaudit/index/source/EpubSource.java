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
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.parser.Parser;

/**
 * EPUB 2 and 3 files: {@code META-INF/container.xml} names the package document (OPF), whose spine
 * gives the reading order; each content document goes through {@link HtmlText}, and chapters are
 * separated by a blank line. {@code dc:title} and {@code dc:creator} fill the title and authors
 * when the manifest gives none.
 *
 * <p>An EPUB whose {@code META-INF/encryption.xml} encrypts anything other than fonts obfuscated by
 * the IDPF or Adobe algorithm is DRM-protected: it is skipped, never read as garbage.
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
    protected ExtractedText extract(WorkEntry entry) throws WorkReadException, IOException {
        try (ZipFile zip = new ZipFile(entry.path().toFile(), StandardCharsets.UTF_8)) {
            int encrypted = countEncryptedContent(zip);
            if (encrypted > 0) {
                throw WorkReadException.skipped(
                        "DRM-encrypted EPUB ("
                                + encrypted
                                + " encrypted resources); only DRM-free EPUBs can be read");
            }
            Document container = xml(zip, "META-INF/container.xml");
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
            Document opf = xml(zip, opfPath);
            Map<String, String> hrefById = new HashMap<>();
            for (Element item : elements(opf, "item")) {
                hrefById.put(item.attr("id"), item.attr("href"));
            }
            List<String> chapters = new ArrayList<>();
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
                Document chapter = parseContent(zip, name);
                String text = HtmlText.of(chapter);
                if (!text.isBlank()) {
                    chapters.add(text);
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
    private static int countEncryptedContent(ZipFile zip) throws IOException {
        ZipEntry entry = zip.getEntry("META-INF/encryption.xml");
        if (entry == null) {
            return 0;
        }
        Document encryption;
        try (InputStream in = zip.getInputStream(entry)) {
            encryption = Jsoup.parse(in, "UTF-8", "", Parser.xmlParser());
        }
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

    private static Document xml(ZipFile zip, String name) throws WorkReadException, IOException {
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
            throw WorkReadException.failed("not a valid EPUB: no " + name + " in the zip");
        }
        try (InputStream in = zip.getInputStream(entry)) {
            return Jsoup.parse(in, "UTF-8", "", Parser.xmlParser());
        }
    }

    private static Document parseContent(ZipFile zip, String name)
            throws WorkReadException, IOException {
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
            throw WorkReadException.failed(
                    "not a valid EPUB: the spine names " + name + ", which is not in the zip");
        }
        try (InputStream in = zip.getInputStream(entry)) {
            // XHTML is XML: the HTML parser would misread self-closed tags such as <title/>
            return Jsoup.parse(in, "UTF-8", "", Parser.xmlParser());
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
