package dev.memaudit.index.source;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Counts what a reader takes from a stream and throws {@link OverLimitException} the moment it
 * passes a limit, so an oversized input costs no more memory than the limit: the bytes of one
 * document (max_document_bytes), the bytes one work has expanded so far across all its documents
 * (max_work_bytes, shared through a {@link Budget}), the expansion ratio of a compressed entry
 * (max_compression_ratio, once past {@link ReadLimits#RATIO_GRACE_BYTES}), and the '<' bytes that
 * open a tag or comment (max_elements: every markup node but text needs one).
 */
final class LimitedInputStream extends FilterInputStream {

    /** Bytes a whole work has taken in, shared by the streams of its documents. */
    static final class Budget {
        private long used;
    }

    private final ReadLimits limits;
    private final Budget budget;
    private final String what;
    private final long compressedBytes;
    private long count;
    private long tags;

    /**
     * @param what the document, for messages ("entry OEBPS/ch1.xhtml")
     * @param compressedBytes its compressed size, or -1 when not compressed (no ratio check)
     * @param budget the work's budget, or null when the document is the whole work
     */
    LimitedInputStream(
            InputStream in, ReadLimits limits, String what, long compressedBytes, Budget budget) {
        super(in);
        this.limits = limits;
        this.what = what;
        this.compressedBytes = compressedBytes;
        this.budget = budget;
    }

    /** Bytes read so far. */
    long count() {
        return count;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            took(b == '<' ? 1 : 0, 1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            int lt = 0;
            for (int i = offset; i < offset + n; i++) {
                if (buffer[i] == '<') {
                    lt++;
                }
            }
            took(lt, n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // skipped bytes are expanded all the same; read them through the checks
        byte[] sink = new byte[(int) Math.min(n, 8192)];
        long skipped = 0;
        while (skipped < n) {
            int r = read(sink, 0, (int) Math.min(sink.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    private void took(int lt, int n) {
        count += n;
        tags += lt;
        if (count > limits.maxDocumentBytes()) {
            throw limits.exceeded(
                    ReadLimits.Key.MAX_DOCUMENT_BYTES,
                    what
                            + " expands past "
                            + ReadLimits.formatBytes(limits.maxDocumentBytes())
                            + compressed());
        }
        if (compressedBytes >= 0
                && count > ReadLimits.RATIO_GRACE_BYTES
                && count > limits.maxCompressionRatio() * Math.max(compressedBytes, 1)) {
            throw limits.exceeded(
                    ReadLimits.Key.MAX_COMPRESSION_RATIO,
                    String.format(
                            java.util.Locale.ROOT,
                            "%s expands more than %d times: %s read so far from %s compressed",
                            what,
                            limits.maxCompressionRatio(),
                            ReadLimits.formatBytes(count),
                            ReadLimits.formatBytes(compressedBytes)));
        }
        if (budget != null) {
            budget.used += n;
            if (budget.used > limits.maxWorkBytes()) {
                throw limits.exceeded(
                        ReadLimits.Key.MAX_WORK_BYTES,
                        "its documents expand past "
                                + ReadLimits.formatBytes(limits.maxWorkBytes())
                                + " together (reading "
                                + what
                                + ")");
            }
        }
        if (tags > limits.maxElements()) {
            throw limits.exceeded(
                    ReadLimits.Key.MAX_ELEMENTS,
                    what
                            + " has more than "
                            + ReadLimits.Key.MAX_ELEMENTS.format(limits.maxElements())
                            + " tags");
        }
    }

    private String compressed() {
        return compressedBytes < 0
                ? ""
                : " (" + ReadLimits.formatBytes(compressedBytes) + " compressed)";
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
