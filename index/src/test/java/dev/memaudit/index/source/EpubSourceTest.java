package dev.memaudit.index.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.memaudit.core.testing.LargeFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EpubSourceTest extends WorkSourceContractTest {

    @Override
    protected WorkSource source() {
        return new EpubSource();
    }

    private static byte[] tidewater(Map<String, byte[]> extra) throws Exception {
        return SampleBinaries.epub(
                SampleBinaries.parse(fixture("epub/tidewater.epub.txt")),
                "urn:memaudit:test:tidewater",
                extra);
    }

    private static byte[] encryption(String algorithm, String uri) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container"
                    xmlns:enc="http://www.w3.org/2001/04/xmlenc#">
                  <enc:EncryptedData>
                    <enc:EncryptionMethod Algorithm="%s"/>
                    <enc:CipherData><enc:CipherReference URI="%s"/></enc:CipherData>
                  </enc:EncryptedData>
                </encryption>
                """
                .formatted(algorithm, uri)
                .getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected List<Good> goodInputs(Path dir) throws Exception {
        String expected = readFixture("epub/tidewater.expected.txt");
        Path plain = Files.write(dir.resolve("tidewater.epub"), tidewater(Map.of()));
        Path fonts =
                Files.write(
                        dir.resolve("obfuscated-font.epub"),
                        tidewater(
                                Map.of(
                                        "META-INF/encryption.xml",
                                        encryption(
                                                "http://www.idpf.org/2008/embedding",
                                                "EPUB/fonts/serif.otf"),
                                        "EPUB/fonts/serif.otf",
                                        new byte[] {1, 2, 3})));
        return List.of(
                new Good(
                        "generated epub",
                        plain,
                        null,
                        List.of(
                                new Expected(
                                        "tidewater",
                                        expected,
                                        "Tidewater Almanac",
                                        List.of("Ines Calloway")))),
                new Good(
                        "only fonts obfuscated",
                        fonts,
                        null,
                        List.of(Expected.text("obfuscated-font", expected))));
    }

    @Override
    protected List<Bad> badInputs(Path dir) throws Exception {
        Path drm =
                Files.write(
                        dir.resolve("drm.epub"),
                        tidewater(
                                Map.of(
                                        "META-INF/encryption.xml",
                                        encryption(
                                                "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
                                                "EPUB/chapter-01.xhtml"))));
        byte[] whole = tidewater(Map.of());
        Path truncated =
                Files.write(dir.resolve("truncated.epub"), Arrays.copyOf(whole, whole.length / 2));
        Path noContainer =
                Files.write(
                        dir.resolve("no-container.epub"),
                        zipWith("mimetype", "application/epub+zip"));
        return List.of(
                new Bad(
                        "drm",
                        drm,
                        WorkProblem.Kind.SKIPPED,
                        "DRM-encrypted EPUB (1 encrypted resources)"),
                new Bad("broken zip", truncated, WorkProblem.Kind.FAILED, "broken zip"),
                new Bad(
                        "no container",
                        noContainer,
                        WorkProblem.Kind.FAILED,
                        "no META-INF/container.xml"));
    }

    /** An EPUB of {@code chapters} (entries under EPUB/), the spine naming {@code spine}. */
    private static Path epub(Path file, List<String> spine, List<LargeFixtures.Entry> chapters)
            throws Exception {
        StringBuilder manifest = new StringBuilder();
        StringBuilder itemrefs = new StringBuilder();
        java.util.Set<String> items = new java.util.LinkedHashSet<>(spine);
        int n = 0;
        java.util.Map<String, String> ids = new java.util.HashMap<>();
        for (String href : items) {
            String id = "c" + n++;
            ids.put(href, id);
            manifest.append("<item id=\"")
                    .append(id)
                    .append("\" href=\"")
                    .append(href)
                    .append("\" media-type=\"application/xhtml+xml\"/>");
        }
        for (String href : spine) {
            itemrefs.append("<itemref idref=\"").append(ids.get(href)).append("\"/>");
        }
        List<LargeFixtures.Entry> entries = new java.util.ArrayList<>();
        entries.add(LargeFixtures.Entry.stored("mimetype", "application/epub+zip"));
        entries.add(
                LargeFixtures.Entry.of(
                        "META-INF/container.xml",
                        "<container><rootfiles><rootfile full-path=\"EPUB/book.opf\"/>"
                                + "</rootfiles></container>"));
        entries.add(
                LargeFixtures.Entry.of(
                        "EPUB/book.opf",
                        "<package><metadata><title>Limits</title></metadata><manifest>"
                                + manifest
                                + "</manifest><spine>"
                                + itemrefs
                                + "</spine></package>"));
        entries.addAll(chapters);
        return LargeFixtures.zip(file, entries);
    }

    private static LargeFixtures.Entry chapter(String name, String body) {
        return LargeFixtures.Entry.of("EPUB/" + name, "<html><body>" + body + "</body></html>");
    }

    @Override
    protected List<OverLimit> overLimitInputs(Path dir) throws Exception {
        String fine = "<p>A chapter that reads well.</p>";
        // 4 MiB of zeros in 4 KiB: expands about 1,000 times
        Path bomb =
                epub(
                        dir.resolve("bomb.epub"),
                        List.of("one.xhtml", "bomb.xhtml"),
                        List.of(
                                chapter("one.xhtml", fine),
                                LargeFixtures.Entry.zeros(
                                        "EPUB/bomb.xhtml", "<html><body><p>", 4L << 20)));
        // the same zeros, with headers that claim 1,000 bytes: only counting what is inflated
        // catches it
        Path liar =
                epub(
                        dir.resolve("liar.epub"),
                        List.of("one.xhtml", "liar.xhtml"),
                        List.of(
                                chapter("one.xhtml", fine),
                                LargeFixtures.Entry.zeros(
                                                "EPUB/liar.xhtml", "<html><body><p>", 4L << 20)
                                        .declaring(1000)));
        ReadLimits noRatio = limit(ReadLimits.Key.MAX_COMPRESSION_RATIO, 1_000_000);
        // one 100 KiB chapter named 20 times: 2 MB of documents from a small file
        String hundredKib = "<p>" + "Words in the chapter. ".repeat(4650) + "</p>";
        Path repeated =
                epub(
                        dir.resolve("repeated.epub"),
                        java.util.Collections.nCopies(20, "same.xhtml"),
                        List.of(chapter("same.xhtml", hundredKib)));
        Path tags =
                epub(
                        dir.resolve("tags.epub"),
                        List.of("tags.xhtml"),
                        List.of(chapter("tags.xhtml", "<p>a</p>".repeat(1500))));
        Path deep =
                epub(
                        dir.resolve("deep.epub"),
                        List.of("deep.xhtml"),
                        List.of(
                                chapter(
                                        "deep.xhtml",
                                        "<div>".repeat(600) + "deep" + "</div>".repeat(600))));
        return List.of(
                new OverLimit(
                        "entry expanding 1,000 times, default max_compression_ratio",
                        bomb,
                        ReadLimits.DEFAULTS,
                        ReadLimits.Key.MAX_COMPRESSION_RATIO,
                        "entry EPUB/bomb.xhtml expands more than 100 times",
                        noRatio),
                new OverLimit(
                        "entry lying about its size, over max_document_bytes as inflated",
                        liar,
                        noRatio.with(ReadLimits.Key.MAX_DOCUMENT_BYTES, 1L << 20),
                        ReadLimits.Key.MAX_DOCUMENT_BYTES,
                        "entry EPUB/liar.xhtml expands past 1 MiB",
                        noRatio),
                new OverLimit(
                        "entry declaring more than max_document_bytes",
                        bomb,
                        noRatio.with(ReadLimits.Key.MAX_DOCUMENT_BYTES, 1L << 20),
                        ReadLimits.Key.MAX_DOCUMENT_BYTES,
                        "entry EPUB/bomb.xhtml declares 4 MiB expanded",
                        noRatio),
                new OverLimit(
                        "entries read together over max_work_bytes",
                        repeated,
                        limit(ReadLimits.Key.MAX_WORK_BYTES, 1L << 20),
                        ReadLimits.Key.MAX_WORK_BYTES,
                        "its documents expand past 1 MiB together (reading entry EPUB/same.xhtml)",
                        limit(ReadLimits.Key.MAX_WORK_BYTES, 8L << 20)),
                new OverLimit(
                        "1,500 tags in a chapter over max_elements 1,000",
                        tags,
                        limit(ReadLimits.Key.MAX_ELEMENTS, 1000),
                        ReadLimits.Key.MAX_ELEMENTS,
                        "entry EPUB/tags.xhtml has more than 1,000 tags",
                        limit(ReadLimits.Key.MAX_ELEMENTS, 10_000)),
                new OverLimit(
                        "600 nested divs in a chapter, default max_depth",
                        deep,
                        ReadLimits.DEFAULTS,
                        ReadLimits.Key.MAX_DEPTH,
                        "entry EPUB/deep.xhtml nests elements more than 512 deep (<div>)",
                        limit(ReadLimits.Key.MAX_DEPTH, 1000)));
    }

    private static byte[] zipWith(String... namesAndContents) throws Exception {
        var bytes = new java.io.ByteArrayOutputStream();
        try (var zip = new java.util.zip.ZipOutputStream(bytes)) {
            for (int i = 0; i < namesAndContents.length; i += 2) {
                zip.putNextEntry(new java.util.zip.ZipEntry(namesAndContents[i]));
                zip.write(namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    @Test
    void readsEpub2WithPrefixedPackageElementsInSpineOrder() throws Exception {
        Path file =
                Files.write(
                        temp.resolve("prefixed.epub"),
                        zipWith(
                                "mimetype",
                                "application/epub+zip",
                                "META-INF/container.xml",
                                "<container><rootfiles><rootfile full-path=\"OPS/book.opf\"/>"
                                        + "</rootfiles></container>",
                                "OPS/book.opf",
                                "<opf:package xmlns:opf=\"http://www.idpf.org/2007/opf\">"
                                        + "<opf:metadata><dcterms:title>Prefixed</dcterms:title>"
                                        + "</opf:metadata><opf:manifest>"
                                        + "<opf:item id=\"b\" href=\"text/second%20part.html\"/>"
                                        + "<opf:item id=\"a\" href=\"text/first.html\"/>"
                                        + "</opf:manifest><opf:spine><opf:itemref idref=\"a\"/>"
                                        + "<opf:itemref idref=\"b\"/></opf:spine></opf:package>",
                                "OPS/text/first.html",
                                "<html><head><title/></head><body><p>One.</p></body></html>",
                                "OPS/text/second part.html",
                                "<html><body><p>Two &amp; three.</p></body></html>"));
        LoadedWork work = load(entry(file, null)).works().get(0);
        assertThat(work.text()).isEqualTo("One.\n\nTwo & three.");
        assertThat(work.title()).isEqualTo("Prefixed");
    }
}
