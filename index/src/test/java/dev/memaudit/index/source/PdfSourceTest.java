package dev.memaudit.index.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy;
import org.junit.jupiter.api.Test;

class PdfSourceTest extends WorkSourceContractTest {

    @Override
    protected WorkSource source() {
        return new PdfSource();
    }

    private static byte[] ledger() throws Exception {
        return SampleBinaries.pdf(
                SampleBinaries.parse(fixture("pdf/orchard-ledger.pdf.txt")), "orchard-ledger");
    }

    @Override
    protected List<Good> goodInputs(Path dir) throws Exception {
        Path pdf = Files.write(dir.resolve("orchard-ledger.pdf"), ledger());
        return List.of(
                new Good(
                        "generated pdf",
                        pdf,
                        null,
                        List.of(
                                new Expected(
                                        "orchard-ledger",
                                        readFixture("pdf/orchard-ledger.expected.txt"),
                                        "The Orchard Ledger",
                                        List.of("Ines Calloway")))));
    }

    @Override
    protected List<Bad> badInputs(Path dir) throws Exception {
        Path scanned = dir.resolve("scanned.pdf");
        try (PDDocument document = new PDDocument()) {
            for (int i = 0; i < 2; i++) {
                PDPage page = new PDPage(PDRectangle.A5);
                document.addPage(page);
                try (PDPageContentStream stream = new PDPageContentStream(document, page)) {
                    // a grey block standing in for a scanned image: marks, but no text
                    stream.addRect(50, 50, 200, 300);
                    stream.fill();
                }
            }
            document.save(scanned.toFile());
        }
        Path locked = dir.resolve("locked.pdf");
        try (PDDocument document = org.apache.pdfbox.Loader.loadPDF(ledger())) {
            StandardProtectionPolicy policy =
                    new StandardProtectionPolicy(
                            "owner-secret", "user-secret", new AccessPermission());
            policy.setEncryptionKeyLength(128);
            document.protect(policy);
            document.save(locked.toFile());
        }
        Path corrupt =
                Files.write(
                        dir.resolve("corrupt.pdf"),
                        "%PDF-1.7\nthis is not a PDF body\n".getBytes(StandardCharsets.US_ASCII));
        return List.of(
                new Bad(
                        "no text layer",
                        scanned,
                        WorkProblem.Kind.SKIPPED,
                        "PDF has no text layer (2 pages; scanned images need OCR first)"),
                new Bad("password", locked, WorkProblem.Kind.SKIPPED, "password-protected"),
                new Bad("corrupt", corrupt, WorkProblem.Kind.FAILED, "not a readable PDF"));
    }

    /** A one-page (or more) PDF whose pages' content streams are {@code contents}, raw. */
    private static Path pdf(Path file, List<List<String>> pages) throws Exception {
        try (PDDocument document = new PDDocument()) {
            org.apache.pdfbox.pdmodel.PDResources resources =
                    new org.apache.pdfbox.pdmodel.PDResources();
            resources.put(
                    org.apache.pdfbox.cos.COSName.getPDFName("F1"),
                    new org.apache.pdfbox.pdmodel.font.PDType1Font(
                            org.apache.pdfbox.pdmodel.font.Standard14Fonts.FontName.HELVETICA));
            for (List<String> contents : pages) {
                PDPage page = new PDPage(PDRectangle.A5);
                page.setResources(resources);
                List<org.apache.pdfbox.pdmodel.common.PDStream> streams =
                        new java.util.ArrayList<>();
                for (String content : contents) {
                    streams.add(
                            new org.apache.pdfbox.pdmodel.common.PDStream(
                                    document,
                                    new java.io.ByteArrayInputStream(
                                            content.getBytes(StandardCharsets.US_ASCII)),
                                    org.apache.pdfbox.cos.COSName.FLATE_DECODE));
                }
                if (streams.size() == 1) {
                    page.setContents(streams.get(0));
                } else {
                    page.setContents(streams);
                }
                document.addPage(page);
            }
            document.save(file.toFile());
        }
        return file;
    }

    private static String text(String words) {
        return "BT /F1 9 Tf 20 500 Td (" + words + ") Tj ET\n";
    }

    @Override
    protected List<OverLimit> overLimitInputs(Path dir) throws Exception {
        Path glyphs = pdf(dir.resolve("glyphs.pdf"), List.of(List.of(text("x".repeat(1500)))));
        // 4 KiB of content (blank lines between operators) in two streams, which PDFBox decodes
        // into memory
        Path stream =
                pdf(
                        dir.resolve("stream.pdf"),
                        List.of(List.of(text("Small words."), "\n".repeat(4096))));
        Path pages =
                pdf(
                        dir.resolve("pages.pdf"),
                        List.of(
                                List.of(text("Page one words. ".repeat(40))),
                                List.of(text("Page two words. ".repeat(40)))));
        return List.of(
                new OverLimit(
                        "1,500 glyphs on a page over max_elements 1,000",
                        glyphs,
                        limit(ReadLimits.Key.MAX_ELEMENTS, 1000),
                        ReadLimits.Key.MAX_ELEMENTS,
                        "page 1 has more than 1,000 glyphs",
                        limit(ReadLimits.Key.MAX_ELEMENTS, 10_000)),
                new OverLimit(
                        "a content stream decoding past max_document_bytes",
                        stream,
                        limit(ReadLimits.Key.MAX_DOCUMENT_BYTES, 2048),
                        ReadLimits.Key.MAX_DOCUMENT_BYTES,
                        "content stream on page 1",
                        limit(ReadLimits.Key.MAX_DOCUMENT_BYTES, 8192)),
                new OverLimit(
                        "text of two pages over max_work_bytes",
                        pages,
                        limit(ReadLimits.Key.MAX_WORK_BYTES, 1024),
                        ReadLimits.Key.MAX_WORK_BYTES,
                        "the extracted text passes 1 KiB in UTF-8 (at page 2)",
                        limit(ReadLimits.Key.MAX_WORK_BYTES, 4096)));
    }

    @Test
    void aContentStreamBombFailsBeforePdfBoxDecodesItIntoMemory() throws Exception {
        // 128 MiB of blank content in a few hundred KiB, one of two streams of the page (so
        // PDFBox would decode it into a buffer in memory, not stream it)
        Path bomb =
                pdf(
                        temp.resolve("bomb.pdf"),
                        List.of(List.of(text("Words before."), " ".repeat(128 << 20))));
        assertThat(Files.size(bomb)).isLessThan(1 << 20);
        Outcome outcome = load(entry(bomb, null));
        assertThat(outcome.works()).isEmpty();
        assertThat(outcome.problems())
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.limit()).isEqualTo(ReadLimits.Key.MAX_DOCUMENT_BYTES);
                            assertThat(p.reason())
                                    .contains("content stream on page 1")
                                    .contains("decodes to more than 64 MiB");
                        });
    }
}
