package dev.memaudit.core.text;

/** Placeholder: implemented by the normalizer work (see package-info). */
public final class WordNormalizer {
    /** Bumped whenever the normalized form or the hash of any word can change. */
    public static final int VERSION = 1;

    private WordNormalizer() {}

    /** Splits and normalizes {@code text}; see {@link NormalizedWords} for the offsets. */
    public static NormalizedWords normalize(String text) {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /**
     * The normalized form of the single word covering code points {@code [cpStart, cpEnd)} of
     * {@code text} (as reported by {@link #normalize}); {@code hash(key(...))} equals the word's
     * hash.
     */
    public static String key(String text, int cpStart, int cpEnd) {
        throw new UnsupportedOperationException("not yet implemented");
    }

    /** The 64-bit hash of a normalized word form. */
    public static long hash(CharSequence key) {
        throw new UnsupportedOperationException("not yet implemented");
    }
}
