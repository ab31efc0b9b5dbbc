package dev.memaudit.core.text;

import java.util.Objects;

/**
 * Conversions between Unicode code point offsets (what memaudit's public outputs use, Python's
 * {@code str} indices) and Java's UTF-16 indices, for one-off use. For many conversions on one
 * string build a {@link CodePointIndex} once.
 */
public final class CodePoints {
    private CodePoints() {}

    /**
     * The code points {@code [cpStart, cpEnd)} of {@code s} (half-open, 0-based): Python's {@code
     * s[cpStart:cpEnd]}, without Python's negative or clamped indices. Takes time linear in {@code
     * cpEnd}.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= cpStart <= cpEnd <= } the number of code
     *     points of {@code s}
     */
    public static String substring(String s, int cpStart, int cpEnd) {
        Objects.requireNonNull(s, "s");
        if (cpStart < 0 || cpEnd < cpStart) {
            throw new IndexOutOfBoundsException(
                    "code point range [" + cpStart + ", " + cpEnd + ") is not a valid range");
        }
        int from = toUtf16(s, 0, cpStart, cpStart, cpEnd);
        int to = toUtf16(s, from, cpEnd - cpStart, cpStart, cpEnd);
        return s.substring(from, to);
    }

    /** Number of code points of {@code s} (an unpaired surrogate counts as one). */
    public static int count(String s) {
        return s.codePointCount(0, s.length());
    }

    private static int toUtf16(String s, int from, int cps, int cpStart, int cpEnd) {
        // String.offsetByCodePoints would do, but its exception does not say what was asked for
        int i = from;
        int n = s.length();
        for (int k = 0; k < cps; k++) {
            if (i >= n) {
                throw new IndexOutOfBoundsException(
                        "code point range ["
                                + cpStart
                                + ", "
                                + cpEnd
                                + ") exceeds the text's "
                                + count(s)
                                + " code points");
            }
            if (Character.isHighSurrogate(s.charAt(i))
                    && i + 1 < n
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                i += 2;
            } else {
                i++;
            }
        }
        return i;
    }
}
