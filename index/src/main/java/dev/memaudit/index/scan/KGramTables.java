package dev.memaudit.index.scan;

import dev.memaudit.index.store.WorksStore;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per work, where each k-gram of its words occurs: an open-addressing table from the k-gram's hash
 * to its first position with a chain through the later ones. Built on first use and kept for the
 * most recently used works up to {@link #MAX_WORDS} words in all (about 28 bytes a word).
 * Thread-safe.
 */
final class KGramTables {
    /** Words of all tables kept at once. */
    static final long MAX_WORDS = 4_000_000;

    private final WorksStore store;
    private final int k;
    private final Map<Integer, Table> cache = new LinkedHashMap<>(16, 0.75f, true);
    private long words;

    KGramTables(WorksStore store, int k) {
        this.store = store;
        this.k = k;
    }

    int k() {
        return k;
    }

    Table get(int ordinal) {
        synchronized (this) {
            Table t = cache.get(ordinal);
            if (t != null) {
                return t;
            }
        }
        Table built = build(ordinal);
        synchronized (this) {
            Table t = cache.get(ordinal);
            if (t != null) {
                return t;
            }
            cache.put(ordinal, built);
            words += built.size;
            var it = cache.entrySet().iterator();
            while (words > MAX_WORDS && cache.size() > 1 && it.hasNext()) {
                var e = it.next();
                if (e.getKey() != ordinal) {
                    words -= e.getValue().size;
                    it.remove();
                }
            }
            return built;
        }
    }

    private Table build(int ordinal) {
        long[] h = store.hashes(ordinal);
        int n = h.length;
        int grams = Math.max(0, n - k + 1);
        int cap = Integer.highestOneBit(Math.max(2, grams * 2 - 1)) << 1;
        long[] keys = new long[cap];
        int[] heads = new int[cap];
        int[] next = new int[grams];
        for (int p = grams - 1; p >= 0; p--) { // later positions first: chains run forward
            long key = gram(h, p, k);
            int slot = slot(key, cap);
            while (heads[slot] != 0 && keys[slot] != key) {
                slot = (slot + 1) & (cap - 1);
            }
            keys[slot] = key;
            next[p] = heads[slot] - 1;
            heads[slot] = p + 1;
        }
        return new Table(keys, heads, next, grams);
    }

    /** The hash of words {@code [from, from + k)} of {@code hashes}. */
    static long gram(long[] hashes, int from, int k) {
        long x = 0x9E3779B97F4A7C15L;
        for (int j = 0; j < k; j++) {
            x = Long.rotateLeft(x, 27) ^ hashes[from + j];
            x *= 0xBF58476D1CE4E5B9L;
        }
        return x ^ (x >>> 31);
    }

    private static int slot(long key, int cap) {
        long z = key * 0x94D049BB133111EBL;
        return (int) (z >>> 33) & (cap - 1);
    }

    /** The k-grams of one work. */
    static final class Table {
        private final long[] keys;
        private final int[] heads; // first position + 1, 0 for an empty slot
        private final int[] next; // next position with the same gram, -1 at the end
        final int size;

        private Table(long[] keys, int[] heads, int[] next, int size) {
            this.keys = keys;
            this.heads = heads;
            this.next = next;
            this.size = size;
        }

        /** The first position (work-local word index) of the gram, or -1. */
        int first(long key) {
            int cap = keys.length;
            int slot = slot(key, cap);
            while (heads[slot] != 0) {
                if (keys[slot] == key) {
                    return heads[slot] - 1;
                }
                slot = (slot + 1) & (cap - 1);
            }
            return -1;
        }

        /** The next position after {@code p} with the same gram, or -1. */
        int next(int p) {
            return next[p];
        }

        @Override
        public String toString() {
            return "Table["
                    + size
                    + " grams, "
                    + Arrays.stream(heads).filter(x -> x != 0).count()
                    + " distinct]";
        }
    }
}
