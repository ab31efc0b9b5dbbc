package dev.memaudit.index.store;

import dev.memaudit.core.error.MemauditException;
import java.io.IOException;
import org.apache.lucene.store.IndexInput;

/**
 * Reads the works store's word hashes by global word index from the memory-mapped store file, so
 * that an open index holds no per-word array on the heap. The scan's loops read runs of
 * neighbouring words of one work, so the reader copies a window of {@value #WINDOW} hashes of one
 * work around the word asked for and answers from it until a word outside it is asked for: the
 * common path is an array read (as fast as the heap array it replaces, also under C1), and a window
 * is one bulk read from the mapped file. Not thread-safe (its own clone of the file and its
 * window): one per thread, from {@link WorksStore#hashReader()}.
 */
public final class HashReader {
    /** Hashes copied at once. */
    static final int WINDOW = 512;

    /** Of a new window, words before the one asked for (backward extensions read those). */
    private static final int BEHIND = 128;

    private final IndexInput in;
    private final int[] base;
    private final long[] wordPointer;
    private final long[] window = new long[WINDOW];
    private int from; // global index of window[0]
    private int size; // hashes in the window (0 before the first read)

    HashReader(IndexInput in, int[] base, long[] wordPointer) {
        this.in = in;
        this.base = base;
        this.wordPointer = wordPointer;
    }

    /** The hash of word {@code global} (a global word index of the store). */
    public long at(int global) {
        int i = global - from;
        if (i >= 0 && i < size) {
            return window[i];
        }
        return fill(global);
    }

    private long fill(int global) {
        int works = base.length - 1;
        if (global < 0 || global >= base[works]) {
            throw new IndexOutOfBoundsException("word " + global + " of " + base[works]);
        }
        int a = WorksStore.ordinalOf(base, global);
        int lo = base[a];
        int hi = base[a + 1];
        int start = Math.max(lo, Math.min(global - BEHIND, hi - WINDOW));
        int n = Math.min(WINDOW, hi - start);
        try {
            in.seek(wordPointer[a] + ((long) (start - lo) << 3));
            in.readLongs(window, 0, n);
        } catch (IOException e) {
            size = 0;
            throw MemauditException.integrity(
                    "cannot read word " + global + " of the works store", e);
        }
        from = start;
        size = n;
        return window[global - start];
    }
}
