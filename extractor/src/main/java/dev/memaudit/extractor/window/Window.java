package dev.memaudit.extractor.window;

/**
 * One extraction window of a work: a prefix the model is given and the true suffix that follows it.
 * Token positions index the work's token sequence ({@link TokenizedWork#ids()}), 0-based,
 * half-open; character offsets are Unicode code points, half-open, into the work's original text.
 *
 * <p>Where byte-level tokens split one character, every piece carries the span of the whole
 * character, so a prefix ending inside a character ends after it and the suffix starting inside it
 * starts before it: the two spans then overlap by that character.
 *
 * @param index 0-based index of the window within its work
 * @param prefixStart first prefix token
 * @param suffixStart first suffix token (= end of the prefix)
 * @param suffixEnd end of the suffix (exclusive)
 */
public record Window(
        int index,
        int prefixStart,
        int suffixStart,
        int suffixEnd,
        int prefixCharStart,
        int prefixCharEnd,
        int suffixCharStart,
        int suffixCharEnd) {

    public int prefixTokens() {
        return suffixStart - prefixStart;
    }

    public int suffixTokens() {
        return suffixEnd - suffixStart;
    }
}
