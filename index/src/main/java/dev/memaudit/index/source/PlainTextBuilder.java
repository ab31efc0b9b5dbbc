package dev.memaudit.index.source;

/**
 * Builds plain text out of a document tree (HTML, Markdown): text runs, line breaks, and paragraph
 * breaks that are only written when more text follows, so the result has no leading or trailing
 * blank lines and never more than one blank line in a row. The text may grow to max_work_bytes:
 * past that many UTF-16 units its UTF-8 form is larger still, and building stops.
 */
final class PlainTextBuilder {
    private final StringBuilder out = new StringBuilder();
    private final ReadLimits limits;
    private int pendingNewlines;
    private boolean pendingSpace;

    /** A builder whose text may grow to {@code limits.maxWorkBytes()}. */
    PlainTextBuilder(ReadLimits limits) {
        this.limits = limits;
    }

    /** Asks for a line break before the next text. */
    void lineBreak() {
        pendingNewlines = Math.max(pendingNewlines, 1);
    }

    /** Asks for a blank line before the next text. */
    void paragraphBreak() {
        pendingNewlines = 2;
    }

    /** Writes a line break now (an HTML {@code <br>} or a Markdown hard break). */
    void hardBreak() {
        if (out.length() == 0) {
            return;
        }
        flushBreaks();
        pendingSpace = false;
        out.append('\n');
    }

    /** Appends text as it is (preformatted text, Markdown text). */
    void literal(CharSequence text) {
        if (text.length() == 0) {
            return;
        }
        flushPending();
        out.append(text);
        checkLength();
    }

    /**
     * Appends text with HTML whitespace rules: runs of space, tab, CR, LF and form feed become one
     * space, and spaces at the start or end of a line are dropped.
     */
    void collapsed(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
                pendingSpace = true;
            } else {
                flushPending();
                out.append(c);
            }
        }
        checkLength();
    }

    private void checkLength() {
        if (out.length() > limits.maxWorkBytes()) {
            throw limits.exceeded(
                    ReadLimits.Key.MAX_WORK_BYTES,
                    "the extracted text passes "
                            + ReadLimits.formatBytes(limits.maxWorkBytes())
                            + " in UTF-8");
        }
    }

    /** Asks for a word separator before the next text (e.g. between table cells). */
    void space() {
        pendingSpace = true;
    }

    private void flushPending() {
        if (out.length() == 0) {
            pendingNewlines = 0;
            pendingSpace = false;
            return;
        }
        if (pendingNewlines > 0) {
            flushBreaks();
        } else if (pendingSpace && out.charAt(out.length() - 1) != '\n') {
            out.append(' ');
        }
        pendingSpace = false;
    }

    private void flushBreaks() {
        if (out.length() > 0) {
            int trailing = 0;
            while (trailing < out.length() && out.charAt(out.length() - 1 - trailing) == '\n') {
                trailing++;
            }
            for (int i = trailing; i < pendingNewlines; i++) {
                out.append('\n');
            }
        }
        pendingNewlines = 0;
    }

    /** The text built so far, without trailing line breaks. */
    String build() {
        int end = out.length();
        while (end > 0 && out.charAt(end - 1) == '\n') {
            end--;
        }
        return out.substring(0, end);
    }
}
