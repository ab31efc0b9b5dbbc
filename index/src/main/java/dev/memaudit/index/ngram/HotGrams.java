package dev.memaudit.index.ngram;

import java.io.IOException;
import org.apache.lucene.store.DataInput;
import org.apache.lucene.store.DataOutput;

/**
 * Corpus frequencies of the repeated grams (those occurring at least {@link #MIN_FREQUENCY} times,
 * all works and positions counted). The scan seeds each window with its rarest gram so that stock
 * phrases that recur thousands of times are never expanded occurrence by occurrence; a gram not in
 * the table occurs at most once, which lets the scan skip windows whose every occurrence it has
 * already extended (see {@code SpanFinder}). The count must therefore be exact and complete: the
 * scan's completeness depends on it.
 */
public final class HotGrams {
    /** Grams below this corpus frequency are not stored. */
    public static final int MIN_FREQUENCY = 2;

    // Key and frequency side by side (slot i at [2i, 2i + 1]): a lookup touches one cache line.
    private final long[] table;
    private final int mask;
    private boolean zeroKeyPresent;
    private int zeroKeyFreq;
    private int size;

    private HotGrams(int capacity) {
        int cap = Integer.highestOneBit(Math.max(16, capacity * 2 - 1)) << 1;
        table = new long[2 * cap];
        mask = cap - 1;
    }

    /** A table able to hold {@code expected} grams. */
    public static HotGrams withCapacity(int expected) {
        return new HotGrams(expected);
    }

    /** Records a gram's frequency (ignored below {@link #MIN_FREQUENCY}). */
    public void put(long gram, long frequency) {
        if (frequency < MIN_FREQUENCY) {
            return;
        }
        int f = (int) Math.min(Integer.MAX_VALUE, frequency);
        if (gram == 0) {
            size += zeroKeyPresent ? 0 : 1;
            zeroKeyPresent = true;
            zeroKeyFreq = f;
            return;
        }
        if (size * 2 >= mask + 1) {
            throw new IllegalStateException("hot-gram table full (" + size + " entries)");
        }
        int i = (int) GramHash.fmix64(gram) & mask;
        while (table[2 * i] != 0 && table[2 * i] != gram) {
            i = (i + 1) & mask;
        }
        if (table[2 * i] == 0) {
            size++;
        }
        table[2 * i] = gram;
        table[2 * i + 1] = f;
    }

    /** The gram's corpus frequency if it is hot, else 0. */
    public int frequency(long gram) {
        if (gram == 0) {
            return zeroKeyPresent ? zeroKeyFreq : 0;
        }
        int i = (int) GramHash.fmix64(gram) & mask;
        long k;
        while ((k = table[2 * i]) != 0) {
            if (k == gram) {
                return (int) table[2 * i + 1];
            }
            i = (i + 1) & mask;
        }
        return 0;
    }

    /** Number of hot grams. */
    public int size() {
        return size;
    }

    public void write(DataOutput out) throws IOException {
        out.writeVInt(size);
        if (zeroKeyPresent) {
            out.writeLong(0);
            out.writeVInt(zeroKeyFreq);
        }
        for (int i = 0; i <= mask; i++) {
            if (table[2 * i] != 0) {
                out.writeLong(table[2 * i]);
                out.writeVInt((int) table[2 * i + 1]);
            }
        }
    }

    public static HotGrams read(DataInput in) throws IOException {
        int n = in.readVInt();
        if (n < 0) {
            throw new IOException("bad hot-gram count " + n);
        }
        HotGrams table = new HotGrams(n);
        for (int i = 0; i < n; i++) {
            long key = in.readLong();
            int freq = in.readVInt();
            if (freq < MIN_FREQUENCY) {
                throw new IOException("bad hot-gram frequency " + freq);
            }
            table.put(key, freq);
        }
        return table;
    }
}
