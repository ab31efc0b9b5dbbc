package dev.memaudit.index.source;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.cos.COSArray;
import org.apache.pdfbox.cos.COSBase;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.cos.COSStream;
import org.apache.pdfbox.filter.Filter;
import org.apache.pdfbox.filter.FilterFactory;
import org.apache.pdfbox.io.MemoryUsageSetting;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentInformation;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.common.PDStream;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.apache.pdfbox.pdmodel.font.PDType3CharProc;
import org.apache.pdfbox.pdmodel.graphics.form.PDFormXObject;
import org.apache.pdfbox.text.PDFTextStripper;
import org.apache.pdfbox.text.TextPosition;
import org.apache.pdfbox.util.Matrix;

/**
 * PDF files with a text layer, read by PDFBox's text stripper in position order, one page at a
 * time; pages are separated by a blank line and line ends are {@code \n} on every platform. The
 * document information's title and author fill the metadata when the manifest gives none.
 *
 * <p>A PDF with pages but no text (scanned images) and a password-protected PDF are skipped; a file
 * PDFBox cannot parse fails.
 *
 * <p>Limits. PDFBox reads the file through a buffered random-access view, so the file's size costs
 * no memory; what it creates goes to a stream cache of at most {@link #MAIN_MEMORY_BYTES} in memory
 * and max_work_bytes in a temporary file. But PDFBox 3 decodes a content stream (unless it is one
 * Flate stream, which it inflates as it parses) fully into memory, whatever the stream cache: so
 * before PDFBox runs a page's content streams, a form or a Type 3 glyph, each stream's decoded size
 * is measured by decoding it into a counter (max_document_bytes). Glyphs on one page (max_elements,
 * PDFBox keeps each as an object to sort them) and the text (max_work_bytes) are counted as they
 * are extracted.
 */
public final class PdfSource extends SingleWorkSource {
    /** Bytes of the stream cache held in memory before PDFBox spills to a temporary file. */
    static final long MAIN_MEMORY_BYTES = 16L << 20;

    @Override
    public String format() {
        return "pdf";
    }

    @Override
    public Set<String> extensions() {
        return Set.of("pdf");
    }

    @Override
    protected ExtractedText extract(WorkEntry entry, ReadLimits limits) throws WorkReadException {
        MemoryUsageSetting memory =
                MemoryUsageSetting.setupMixed(
                        Math.min(MAIN_MEMORY_BYTES, limits.maxWorkBytes()), limits.maxWorkBytes());
        try (PDDocument document = Loader.loadPDF(entry.path().toFile(), memory.streamCache)) {
            int pages = document.getNumberOfPages();
            if (pages == 0) {
                throw WorkReadException.failed("PDF has no pages");
            }
            PDFTextStripper stripper = new BoundedStripper(limits);
            stripper.setSortByPosition(true);
            stripper.setLineSeparator("\n");
            stripper.setParagraphStart("");
            stripper.setParagraphEnd("");
            stripper.setPageStart("");
            stripper.setPageEnd("");
            List<String> texts = new ArrayList<>();
            long textLength = 0;
            for (int page = 1; page <= pages; page++) {
                stripper.setStartPage(page);
                stripper.setEndPage(page);
                String text = stripper.getText(document).strip();
                if (!text.isEmpty()) {
                    texts.add(text);
                    textLength += text.length() + 2;
                    if (textLength > limits.maxWorkBytes()) {
                        throw limits.exceeded(
                                ReadLimits.Key.MAX_WORK_BYTES,
                                "the extracted text passes "
                                        + ReadLimits.formatBytes(limits.maxWorkBytes())
                                        + " in UTF-8 (at page "
                                        + page
                                        + ")");
                    }
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

    /** The text stripper, counting glyphs and measuring streams before PDFBox decodes them. */
    private static final class BoundedStripper extends PDFTextStripper {
        private final ReadLimits limits;
        private final Map<COSStream, Boolean> measured = new IdentityHashMap<>();
        private long glyphs;

        BoundedStripper(ReadLimits limits) {
            this.limits = limits;
        }

        @Override
        public void processPage(PDPage page) throws IOException {
            if (getCurrentPageNo() >= getStartPage() && getCurrentPageNo() <= getEndPage()) {
                glyphs = 0;
                for (Iterator<PDStream> it = page.getContentStreams(); it.hasNext(); ) {
                    measure(it.next().getCOSObject(), "content stream");
                }
            }
            super.processPage(page);
        }

        @Override
        public void showForm(PDFormXObject form) throws IOException {
            measure(form.getCOSObject(), "form");
            super.showForm(form);
        }

        @Override
        protected void processType3Stream(PDType3CharProc charProc, Matrix matrix)
                throws IOException {
            measure(charProc.getCOSObject(), "Type 3 glyph");
            super.processType3Stream(charProc, matrix);
        }

        @Override
        protected void processTextPosition(TextPosition text) {
            if (++glyphs > limits.maxElements()) {
                throw limits.exceeded(
                        ReadLimits.Key.MAX_ELEMENTS,
                        "page "
                                + getCurrentPageNo()
                                + " has more than "
                                + ReadLimits.Key.MAX_ELEMENTS.format(limits.maxElements())
                                + " glyphs");
            }
            super.processTextPosition(text);
        }

        /** Decodes {@code stream} into a counter once, failing past max_document_bytes. */
        private void measure(COSStream stream, String what) throws IOException {
            if (measured.put(stream, Boolean.TRUE) != null) {
                return;
            }
            List<Filter> filters = filters(stream);
            String name =
                    what
                            + " on page "
                            + getCurrentPageNo()
                            + (stream.getKey() == null ? "" : " (object " + stream.getKey() + ")");
            long limit = limits.maxDocumentBytes();
            if (filters.isEmpty()) {
                if (stream.getLength() > limit) {
                    throw tooLarge(name);
                }
                return;
            }
            InputStream in = stream.createRawInputStream();
            try {
                for (int i = 0; i < filters.size(); i++) {
                    boolean last = i == filters.size() - 1;
                    // a chain of filters needs the bytes between them; each stage is bounded
                    OutputStream out =
                            last ? new Counter(limit, name) : new BoundedBuffer(limit, name);
                    filters.get(i).decode(in, out, stream, i);
                    in.close();
                    in = last ? null : ((BoundedBuffer) out).input();
                }
            } finally {
                if (in != null) {
                    in.close();
                }
            }
        }

        private OverLimitException tooLarge(String name) {
            return limits.exceeded(
                    ReadLimits.Key.MAX_DOCUMENT_BYTES,
                    "the "
                            + name
                            + " decodes to more than "
                            + ReadLimits.formatBytes(limits.maxDocumentBytes()));
        }

        private static List<Filter> filters(COSStream stream) throws IOException {
            COSBase filters = stream.getFilters();
            List<Filter> list = new ArrayList<>();
            if (filters instanceof COSName name) {
                list.add(FilterFactory.INSTANCE.getFilter(name));
            } else if (filters instanceof COSArray array) {
                for (int i = 0; i < array.size(); i++) {
                    if (array.get(i) instanceof COSName name) {
                        list.add(FilterFactory.INSTANCE.getFilter(name));
                    }
                }
            }
            return list;
        }

        /** Counts decoded bytes; throws past the limit. */
        private final class Counter extends OutputStream {
            private final long limit;
            private final String name;
            private long count;

            Counter(long limit, String name) {
                this.limit = limit;
                this.name = name;
            }

            @Override
            public void write(int b) {
                add(1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                add(len);
            }

            private void add(long n) {
                count += n;
                if (count > limit) {
                    throw tooLarge(name);
                }
            }
        }

        /** Holds decoded bytes between two filters; throws past the limit. */
        private final class BoundedBuffer extends ByteArrayOutputStream {
            private final long limit;
            private final String name;

            BoundedBuffer(long limit, String name) {
                this.limit = limit;
                this.name = name;
            }

            @Override
            public synchronized void write(int b) {
                check(1);
                super.write(b);
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) {
                check(len);
                super.write(b, off, len);
            }

            private void check(int n) {
                if ((long) count + n > limit) {
                    throw tooLarge(name);
                }
            }

            InputStream input() {
                return new ByteArrayInputStream(buf, 0, count);
            }
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
