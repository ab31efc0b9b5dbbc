package dev.memaudit.index.source;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentInformation;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.apache.pdfbox.text.PDFTextStripper;

/**
 * PDF files with a text layer, read by PDFBox's text stripper in position order, one page at a
 * time; pages are separated by a blank line and line ends are {@code \n} on every platform. The
 * document information's title and author fill the metadata when the manifest gives none.
 *
 * <p>A PDF with pages but no text (scanned images) and a password-protected PDF are skipped; a file
 * PDFBox cannot parse fails.
 */
public final class PdfSource extends SingleWorkSource {

    @Override
    public String format() {
        return "pdf";
    }

    @Override
    public Set<String> extensions() {
        return Set.of("pdf");
    }

    @Override
    protected ExtractedText extract(WorkEntry entry) throws WorkReadException {
        try (PDDocument document = Loader.loadPDF(entry.path().toFile())) {
            int pages = document.getNumberOfPages();
            if (pages == 0) {
                throw WorkReadException.failed("PDF has no pages");
            }
            PDFTextStripper stripper = new PDFTextStripper();
            stripper.setSortByPosition(true);
            stripper.setLineSeparator("\n");
            stripper.setParagraphStart("");
            stripper.setParagraphEnd("");
            stripper.setPageStart("");
            stripper.setPageEnd("");
            List<String> texts = new ArrayList<>();
            for (int page = 1; page <= pages; page++) {
                stripper.setStartPage(page);
                stripper.setEndPage(page);
                String text = stripper.getText(document).strip();
                if (!text.isEmpty()) {
                    texts.add(text);
                }
            }
            if (texts.isEmpty()) {
                throw WorkReadException.skipped(
                        "PDF has no text layer ("
                                + pages
                                + " pages; scanned images need OCR first)");
            }
            PDDocumentInformation info = document.getDocumentInformation();
            String title = blankToNull(info.getTitle());
            String author = blankToNull(info.getAuthor());
            return new ExtractedText(
                    String.join("\n\n", texts),
                    title,
                    author == null ? List.of() : List.of(author));
        } catch (InvalidPasswordException e) {
            throw WorkReadException.skipped(
                    "PDF is password-protected; save an unprotected copy to read it");
        } catch (IOException e) {
            throw WorkReadException.failed("not a readable PDF: " + e.getMessage(), e);
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
