package dev.memaudit.core.text;

import java.util.Arrays;
import java.util.Objects;

/**
 * Converts between Unicode code point offsets and UTF-16 indices of one string, built once per
 * string in one pass. Conversions take O(1) time for a string without surrogate pairs and O(log s)
 * otherwise, where s is the number of supplementary code points (surrogate pairs); the index keeps
 * one int per supplementary code point. An unpaired surrogate counts as one code point, as in
 * {@link String#codePointCount}.
 *
 * <p>Offsets are boundaries, 0-based: code point offset {@code 0..codePointCount()} and UTF-16
 * index {@code 0..text().length()}. Immutable and thread-safe.
 */
public final class CodePointIndex {
    private static final int[] NONE = new int[0];

    private final String text;
    private final int codePointCount;

    /** Code point offsets of the supplementary code points, ascending. */
    private final int[] supplementaryAt;

    private CodePointIndex(String text, int[] supplementaryAt) {
        this.text = text;
        this.supplementaryAt = supplementaryAt;
        this.codePointCount = text.length() - supplementaryAt.length;
    }

    /** Indexes {@code text}. */
    public static CodePointIndex of(String text) {
        Objects.requireNonNull(text, "text");
        int n = text.length();
        int i = 0;
        while (i < n && !Character.isSurrogate(text.charAt(i))) {
            i++;
        }
        if (i == n) {
            return new CodePointIndex(text, NONE);
        }
        int[] at = new int[16];
        int count = 0;
        int cp = i; // no surrogates before i
        while (i < n) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)
                    && i + 1 < n
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                if (count == at.length) {
                    at = Arrays.copyOf(at, count + (count >> 1));
                }
                at[count++] = cp;
                i += 2;
            } else {
                i++;
            }
            cp++;
        }
        return new CodePointIndex(text, Arrays.copyOf(at, count));
    }

    /** The indexed string. */
    public String text() {
        return text;
    }

    /** Number of code points of the text. */
    public int codePointCount() {
        return codePointCount;
    }

    /** Whether the text has surrogate pairs, that is whether the two kinds of offsets differ. */
    public boolean hasSupplementary() {
        return supplementaryAt.length > 0;
    }

    /**
     * The UTF-16 index of code point offset {@code cp}.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= cp <= codePointCount()}
     */
    public int toUtf16(int cp) {
        if (cp < 0 || cp > codePointCount) {
            throw new IndexOutOfBoundsException(
                    "code point offset must be between 0 and " + codePointCount + ", got " + cp);
        }
        if (supplementaryAt.length == 0) {
            return cp;
        }
        // each supplementary code point before cp adds one UTF-16 char
        int before = Arrays.binarySearch(supplementaryAt, cp);
        if (before < 0) {
            before = -before - 1;
        }
        return cp + before;
    }

    /**
     * The code point offset of UTF-16 index {@code utf16}.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= utf16 <= text().length()}
     * @throws IllegalArgumentException if {@code utf16} falls between the two chars of a surrogate
     *     pair
     */
    public int toCodePoint(int utf16) {
        if (utf16 < 0 || utf16 > text.length()) {
            throw new IndexOutOfBoundsException(
                    "UTF-16 index must be between 0 and " + text.length() + ", got " + utf16);
        }
        int[] at = supplementaryAt;
        if (at.length == 0) {
            return utf16;
        }
        // the k-th pair's high surrogate is at UTF-16 index at[k] + k; count the pairs ending at
        // or before utf16
        int lo = 0;
        int hi = at.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (at[mid] + mid + 2 <= utf16) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if (lo < at.length && at[lo] + lo + 1 == utf16) {
            throw new IllegalArgumentException(
                    "UTF-16 index " + utf16 + " splits a surrogate pair");
        }
        return utf16 - lo;
    }

    /**
     * The code points {@code [cpStart, cpEnd)} of the text: Python's {@code text[cpStart:cpEnd]}.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= cpStart <= cpEnd <= codePointCount()}
     */
    public String substring(int cpStart, int cpEnd) {
        if (cpStart > cpEnd) {
            throw new IndexOutOfBoundsException(
                    "code point range [" + cpStart + ", " + cpEnd + ") is not a valid range");
        }
        return text.substring(toUtf16(cpStart), toUtf16(cpEnd));
    }
}
