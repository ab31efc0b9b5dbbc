package dev.memaudit.index.ngram;

import java.io.IOException;
import org.apache.lucene.store.DataInput;
import org.apache.lucene.store.DataOutput;

/**
 * A blocked Bloom filter over 64-bit gram hashes: each key sets {@link #K} bits inside one 512-bit
 * block (one cache line), chosen by the key's high bits. With 10 bits per key the false-positive
 * rate is about 1 %; there are no false negatives, which is what makes the scan's window skipping
 * complete.
 */
public final class BloomFilter {
    /** Bits set per key. */
    public static final int K = 6;

    private static final int BLOCK_LONGS = 8; // 512 bits

    private final long[] bits;
    private final int blockMask;

    private BloomFilter(long[] bits) {
        this.bits = bits;
        this.blockMask = bits.length / BLOCK_LONGS - 1;
    }

    /** An empty filter sized for {@code expectedKeys} at about {@code bitsPerKey} bits each. */
    public static BloomFilter create(long expectedKeys, int bitsPerKey) {
        return new BloomFilter(new long[longs(expectedKeys, bitsPerKey)]);
    }

    /** Heap bytes of the bit array of {@link #create}{@code (expectedKeys, bitsPerKey)}. */
    public static long sizeBytes(long expectedKeys, int bitsPerKey) {
        return (long) longs(expectedKeys, bitsPerKey) * Long.BYTES;
    }

    private static int longs(long expectedKeys, int bitsPerKey) {
        long wantBits = Math.max(512, expectedKeys * bitsPerKey);
        long blocks = Long.highestOneBit(Math.max(1, (wantBits + 511) / 512));
        if (blocks * 512 < wantBits) {
            blocks <<= 1;
        }
        if (blocks * BLOCK_LONGS > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    "Bloom filter too large for " + expectedKeys + " keys");
        }
        return (int) (blocks * BLOCK_LONGS);
    }

    /** Adds a key. */
    public void add(long key) {
        int base = (int) (key >>> 40 & blockMask) * BLOCK_LONGS;
        long h = key * 0x9E3779B97F4A7C15L;
        for (int i = 0; i < K; i++) {
            int bit = (int) (h >>> 55); // 9 bits: 0..511
            bits[base + (bit >>> 6)] |= 1L << bit;
            h <<= 9; // 6 chunks of 9 bits fit in the 64-bit product
        }
    }

    /** False when the key was certainly never added. */
    public boolean mightContain(long key) {
        int base = (int) (key >>> 40 & blockMask) * BLOCK_LONGS;
        long h = key * 0x9E3779B97F4A7C15L;
        for (int i = 0; i < K; i++) {
            int bit = (int) (h >>> 55);
            if ((bits[base + (bit >>> 6)] & (1L << bit)) == 0) {
                return false;
            }
            h <<= 9; // 6 chunks of 9 bits fit in the 64-bit product
        }
        return true;
    }

    /**
     * Reads the block of every key of {@code keys[from, to)} and returns a value made of what it
     * read (the caller keeps it, so the reads are not optimized away). A filter larger than the
     * caches answers at memory latency, one miss per key; reading a batch of blocks first, with no
     * branch between the reads, lets the processor overlap those misses, and the checks that follow
     * find the blocks cached. Changes nothing in the filter.
     */
    public long touch(long[] keys, int from, int to) {
        long x = 0;
        for (int i = from; i < to; i++) {
            int base = (int) (keys[i] >>> 40 & blockMask) * BLOCK_LONGS;
            // a block is 64 bytes, and an array's elements need not start on a cache line
            x ^= bits[base] ^ bits[base + BLOCK_LONGS - 1];
        }
        return x;
    }

    /** Size in bytes. */
    public long sizeBytes() {
        return (long) bits.length * Long.BYTES;
    }

    public void write(DataOutput out) throws IOException {
        out.writeVInt(bits.length);
        for (long b : bits) {
            out.writeLong(b);
        }
    }

    public static BloomFilter read(DataInput in) throws IOException {
        int n = in.readVInt();
        if (n < BLOCK_LONGS || Integer.bitCount(n / BLOCK_LONGS) != 1 || n % BLOCK_LONGS != 0) {
            throw new IOException("bad Bloom filter size " + n);
        }
        long[] bits = new long[n];
        in.readLongs(bits, 0, n);
        return new BloomFilter(bits);
    }
}
