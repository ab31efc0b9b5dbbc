package dev.memaudit.index.source;

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
}
