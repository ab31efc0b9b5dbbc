package dev.memaudit.core.text;

/**
 * The normalized word sequence of one text. Word {@code i} has the 64-bit hash {@code hashes[i]} of
 * its normalized form and covers the original text's code points {@code [starts[i], ends[i])}
 * (half-open, 0-based, Unicode code points of the text as decoded: Python's {@code
 * text[starts[i]:ends[i]]}). Words are in text order and do not overlap. The arrays may be longer
 * than {@code size}; only the first {@code size} entries are words.
 */
public record NormalizedWords(long[] hashes, int[] starts, int[] ends, int size) {
    public NormalizedWords {
        if (size < 0 || size > hashes.length || size > starts.length || size > ends.length) {
            throw new IllegalArgumentException("size " + size + " exceeds the arrays");
        }
    }
}
