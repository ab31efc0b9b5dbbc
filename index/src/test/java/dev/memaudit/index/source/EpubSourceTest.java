package dev.memaudit.index.source;

import static org.assertj.core.api.Assertions.assertThat;

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
