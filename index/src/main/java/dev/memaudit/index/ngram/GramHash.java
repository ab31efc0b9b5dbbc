package dev.memaudit.index.ngram;

/**
 * The 64-bit hash of n consecutive normalized words, from their word hashes. Part of the on-disk
 * contract of an index (recorded in its manifest as {@link #NAME}): changing it needs a new index
 * format version.
 */
public final class GramHash {
    /** Name recorded in index manifests. */
    public static final String NAME = "rotl23-xor-mul-fmix64";

    private static final long MUL = 0x9E3779B97F4A7C15L;

    private GramHash() {}

    /** Hash of the words {@code words[from .. from + n)}. */
    public static long of(long[] words, int from, int n) {
        long h = n;
        for (int i = from, end = from + n; i < end; i++) {
            h = Long.rotateLeft(h, 23) ^ words[i];
            h *= MUL;
        }
        return fmix64(h);
    }

    /** murmur3's 64-bit finalizer: every input bit affects every output bit. */
    public static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb93fe53e87c5L;
        k ^= k >>> 33;
        return k;
    }
}
