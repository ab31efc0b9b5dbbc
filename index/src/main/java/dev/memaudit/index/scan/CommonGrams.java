package dev.memaudit.index.scan;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.records.scan.Span;
import dev.memaudit.index.ngram.BloomFilter;
import dev.memaudit.index.store.WorksStore;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which texts hold each {@value Span#COMMON_GRAM}-word n-gram: every indexed work, and each control
 * text (the index's controls and those of the scan's {@code --controls}). It tells a passage that
 * is common text (a phrase, a quoted verse, boilerplate that several works share) from one
 * distinctive of the work it was matched in: a passage is common when one other indexed work, or
 * one control text, holds at least {@link Span#COMMON_SHARE} of the distinct n-grams of its work
 * side ({@link #commonIn}). A control text with the matched work's id (the same text, indexed as a
 * control) is not another source.
 *
 * <p>An open-addressing table from n-gram hash (the scan's hashes of normalized words) to a chain
 * of the sources holding it, each source once, for the n-grams that two or more sources hold (the
 * only ones {@link #commonIn} can count): 12 bytes a slot and 8 an entry, plus two Bloom filters of
 * about one byte per n-gram of the index and controls while it is built.
 */
final class CommonGrams {
    private final List<String> controlIds = new java.util.ArrayList<>(); // source -1 - i

    private final int n = Span.COMMON_GRAM;
    private final boolean hasControls;
    private final long[] keys;
    private final int[] heads; // entry index + 1; 0 = empty slot
    private final int[] source;
    private final int[] next; // entry index, -1 = end of chain
    private int entries;

    /** Most slots of the table: Java arrays are int-indexed, and the slot count a power of two. */
    private static final int MAX_SLOTS = 1 << 30;

    private CommonGrams(long grams, boolean hasControls) {
        int cap = slots(grams);
        this.keys = new long[cap];
        this.heads = new int[cap];
        this.source = new int[(int) Math.max(1, grams)];
        this.next = new int[source.length];
        this.hasControls = hasControls;
    }

    /**
     * The n-grams of every work of {@code store} (those of {@code indexedControls}, the index's
     * controls, count as control texts) and of {@code controls} (word hashes of each control text;
     * null when the scan has no controls, an empty list when it has some that hold no words), by
     * id.
     */
    static CommonGrams of(
            WorksStore store, Set<String> indexedControls, Map<String, long[]> controls) {
        return of(store, indexedControls, controls, Runtime.getRuntime().maxMemory());
    }

    /**
     * As {@link #of(WorksStore, Set, Map)} in a JVM that may use {@code maxHeap} bytes: a table
     * that cannot fit is refused before it is allocated, with the heap it needs. Measured ({@code
     * bench scan --corpus-mb 2000}, 260.8 M words): the table alone needs 8.5 GB, and the scan ran
     * out of heap under -Xmx4g in this constructor.
     */
    static CommonGrams of(
            WorksStore store,
            Set<String> indexedControls,
            Map<String, long[]> controls,
            long maxHeap) {
        // The sources in the order their n-grams are added: works (indexed controls among
        // them), then the scan's own controls.
        List<String> controlIds = new java.util.ArrayList<>();
        List<Source> sources = new java.util.ArrayList<>();
        for (int ord = 0; ord < store.size(); ord++) {
            int src = ord;
            if (indexedControls.contains(store.id(ord))) {
                controlIds.add(store.id(ord));
                src = -controlIds.size();
            }
            sources.add(new Source(src, null, ord, store.words(ord)));
        }
        if (controls != null) {
            for (Map.Entry<String, long[]> c : controls.entrySet()) {
                if (controlIds.contains(c.getKey())) {
                    continue; // indexed already
                }
                controlIds.add(c.getKey());
                sources.add(new Source(-controlIds.size(), c.getValue(), -1, c.getValue().length));
            }
        }
        long grams = 0;
        for (Source src : sources) {
            grams += Math.max(0, src.words - Span.COMMON_GRAM + 1);
        }
        // Only an n-gram that two sources hold can count for commonIn (the matched work's own
        // n-grams are never counted), so the table keeps only those: an n-gram seen before, in
        // an earlier source or earlier in the same one, passes to `shared`. Both filters are
        // Bloom filters: a false positive puts a one-source n-gram in the table, which changes
        // nothing but its size; there are no false negatives. Measured on the synthetic 2000 MB
        // catalogue: the full table needed 8.1 GB.
        // `shared` is sized for a quarter of the n-grams: more make it pass more one-source
        // n-grams (a larger table), never fewer shared ones.
        long seenKeys = Math.max(1024, grams);
        long sharedKeys = Math.max(1024, grams / 4);
        checkFits(
                0,
                BloomFilter.sizeBytes(seenKeys, SEEN_BITS)
                        + BloomFilter.sizeBytes(sharedKeys, SEEN_BITS),
                store.totalWords(),
                maxHeap);
        BloomFilter seen = BloomFilter.create(seenKeys, SEEN_BITS);
        BloomFilter shared = BloomFilter.create(sharedKeys, SEEN_BITS);
        // Each pass reads a batch of the filters' (and the table's) blocks before it uses them:
        // at catalogue size the filters and the table are far larger than the caches, and one
        // miss after another took 85 s of a 117 s scan at 261 M index words.
        // (below a few MB the filters stay cached, and the extra reads only cost time)
        boolean batch = seen.sizeBytes() > BATCHED_ABOVE_BYTES;
        long[] buf = new long[0];
        long sink = 0;
        for (Source src : sources) {
            buf = src.grams(store, buf);
            int m = src.grams();
            for (int i = 0; i < m; i += BATCH) {
                int e = Math.min(m, i + BATCH);
                if (batch) {
                    sink ^= seen.touch(buf, i, e) ^ shared.touch(buf, i, e);
                }
                for (int j = i; j < e; j++) {
                    long key = buf[j];
                    if (seen.mightContain(key)) {
                        shared.add(key);
                    } else {
                        seen.add(key);
                    }
                }
            }
        }
        seen = null; // released before the table is allocated
        long kept = 0;
        for (Source src : sources) {
            buf = src.grams(store, buf);
            int m = src.grams();
            for (int i = 0; i < m; i += BATCH) {
                int e = Math.min(m, i + BATCH);
                if (batch) {
                    sink ^= shared.touch(buf, i, e);
                }
                for (int j = i; j < e; j++) {
                    if (shared.mightContain(buf[j])) {
                        kept++;
                    }
                }
            }
        }
        checkFits(kept, shared.sizeBytes(), store.totalWords(), maxHeap);
        CommonGrams g = new CommonGrams(kept, controls != null || !indexedControls.isEmpty());
        g.controlIds.addAll(controlIds);
        for (Source src : sources) {
            buf = src.grams(store, buf);
            sink ^= g.add(src.id, buf, src.grams(), shared, batch);
        }
        touched = sink;
        return g;
    }

    /**
     * A text whose n-grams the table records: source id, and the word hashes of a control text or
     * the ordinal of a work of the store (whose hashes are read from the store's file at each of
     * the three passes: an open index keeps none on the heap), with its word count.
     */
    private record Source(int id, long[] text, int ordinal, int words) {
        /** Its n-grams (there are {@link #grams()}), in {@code buf} or a larger new array. */
        long[] grams(WorksStore store, long[] buf) {
            long[] h = text != null ? text : store.hashes(ordinal);
            int m = grams();
            long[] out = buf.length >= m ? buf : new long[Math.max(m, buf.length * 2)];
            for (int i = 0; i < m; i++) {
                out[i] = KGramTables.gram(h, i, Span.COMMON_GRAM);
            }
            return out;
        }

        int grams() {
            return Math.max(0, words - Span.COMMON_GRAM + 1);
        }
    }

    /** Keys whose blocks a pass reads before it checks or inserts them. */
    private static final int BATCH = 32;

    /** Size of the `seen` filter above which the passes read blocks ahead in batches. */
    private static final long BATCHED_ABOVE_BYTES = 8L << 20;

    /** What the block reads returned (kept so that they are not optimized away). */
    @SuppressWarnings("unused")
    private static volatile long touched;

    /** Bits per n-gram of the filters that pick the n-grams two sources hold. */
    private static final int SEEN_BITS = 6;

    /** Slots for {@code grams} n-grams: a power of two, at least twice their number. */
    private static int slots(long grams) {
        long slots = Long.highestOneBit(Math.max(2, grams * 2)) << 1;
        return slots > MAX_SLOTS ? -1 : (int) slots;
    }

    /** Heap bytes of the table for {@code grams} n-grams: slots (key, head) and entries. */
    static long heapBytes(long grams) {
        return (long) slots(grams) * (Long.BYTES + Integer.BYTES)
                + Math.max(1, grams) * 2L * Integer.BYTES;
    }

    /**
     * Refuses a table that cannot be built: more n-grams than its slots hold, or more heap than the
     * JVM may use (the open index keeps its word hashes in the mapped store file, not on the heap;
     * {@code indexWords} only sizes the advice).
     */
    private static void checkFits(long grams, long otherBytes, long indexWords, long maxHeap) {
        String split =
                "; split the index by work into several indexes and scan each (docs/scale.md)";
        if (slots(grams) < 0) {
            throw MemauditException.badInput(
                    String.format(
                            Locale.ROOT,
                            "this scan's common-text table would hold %,d %d-grams of the index"
                                    + " and controls, more than its %,d slots allow%s",
                            grams,
                            Span.COMMON_GRAM,
                            MAX_SLOTS / 2,
                            split));
        }
        long needed = heapBytes(grams) + otherBytes;
        if (maxHeap != Long.MAX_VALUE && needed > maxHeap) {
            throw MemauditException.badInput(
                    String.format(
                            Locale.ROOT,
                            "this scan's common-text table over %,d index words needs about %,d MB"
                                    + " of heap, and this JVM may use %,d MB: give Java more"
                                    + " (MEMAUDIT_JAVA_OPTS=-Xmx%dg for ./memaudit)%s",
                            indexWords,
                            needed >> 20,
                            maxHeap >> 20,
                            (needed >> 30) + 2,
                            split));
        }
    }

    /** Adds the source's n-grams {@code grams[0, m)} that {@code only} may hold (in order). */
    private long add(int src, long[] grams, int m, BloomFilter only, boolean batched) {
        long sink = 0;
        long[] batch = new long[BATCH];
        for (int i = 0; i < m; i += BATCH) {
            int e = Math.min(m, i + BATCH);
            if (batched) {
                sink ^= only.touch(grams, i, e);
            }
            int b = 0;
            for (int j = i; j < e; j++) {
                if (only.mightContain(grams[j])) {
                    batch[b++] = grams[j];
                }
            }
            for (int j = 0; batched && j < b; j++) {
                int slot = slot(batch[j]);
                sink ^= keys[slot] ^ heads[slot];
            }
            for (int j = 0; j < b; j++) {
                long key = batch[j];
                int slot = slot(key);
                while (heads[slot] != 0 && keys[slot] != key) {
                    slot = (slot + 1) & (keys.length - 1);
                }
                // a source's grams are added together, so a repeat of this source heads its chain
                if (heads[slot] != 0 && source[heads[slot] - 1] == src) {
                    continue;
                }
                keys[slot] = key;
                source[entries] = src;
                next[entries] = heads[slot] - 1;
                heads[slot] = ++entries;
            }
        }
        return sink;
    }

    private int slot(long key) {
        long z = key * 0x94D049BB133111EBL;
        return (int) (z >>> 33) & (keys.length - 1);
    }

    /**
     * Where else the passage of words [from, to) of {@code hashes} occurs, besides work {@code
     * matched} (an ordinal of the store, its id {@code matchedId}): the indexed works holding at
     * least {@link Span#COMMON_SHARE} of its distinct n-grams, whether a control text does, and the
     * largest share one other source holds. Null for a passage shorter than n words (not measured).
     */
    Span.CommonIn commonIn(int matched, String matchedId, long[] hashes, int from, int to) {
        int m = to - from - n + 1;
        if (m <= 0) {
            return null;
        }
        // distinct n-grams: sorted, repeats dropped (primitive arrays: a stock phrase's chain
        // holds thousands of works, and boxed counting dominated the scan at catalogue size)
        long[] distinct = new long[m];
        for (int i = 0; i < m; i++) {
            distinct[i] = KGramTables.gram(hashes, from + i, n);
        }
        java.util.Arrays.sort(distinct);
        int d = 0;
        for (int i = 0; i < m; i++) {
            if (i == 0 || distinct[i] != distinct[i - 1]) {
                distinct[d++] = distinct[i];
            }
        }
        // one entry per (distinct n-gram, other source holding it): a source is in a chain once
        int[] held = new int[16];
        int h = 0;
        for (int k = 0; k < d; k++) {
            long key = distinct[k];
            int slot = slot(key);
            while (heads[slot] != 0 && keys[slot] != key) {
                slot = (slot + 1) & (keys.length - 1);
            }
            for (int e = heads[slot] - 1; e >= 0; e = next[e]) {
                int src = source[e];
                if (src != matched && (src >= 0 || !controlIds.get(-src - 1).equals(matchedId))) {
                    if (h == held.length) {
                        held = java.util.Arrays.copyOf(held, h * 2);
                    }
                    held[h++] = src;
                }
            }
        }
        java.util.Arrays.sort(held, 0, h);
        int works = 0;
        boolean inControls = false;
        double best = 0;
        for (int a = 0; a < h; ) {
            int b = a + 1;
            while (b < h && held[b] == held[a]) {
                b++;
            }
            double share = (double) (b - a) / d;
            best = Math.max(best, share);
            if (share >= Span.COMMON_SHARE) {
                if (held[a] < 0) {
                    inControls = true;
                } else {
                    works++;
                }
            }
            a = b;
        }
        return new Span.CommonIn(works, hasControls ? inControls : null, best);
    }

    /**
     * The span marked common or distinctive from its work side in {@code store}; unchanged when its
     * work is not in the store or the passage is shorter than n words.
     */
    Span mark(WorksStore store, Span s) {
        int ord = store.ordinal(s.workId());
        if (ord < 0) {
            return s;
        }
        int base = store.base(ord);
        int end = base + store.words(ord);
        // the work's words that lie inside [work_char_start, work_char_end)
        int lo = base;
        int hi = end;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (store.start(mid) < s.workCharStart()) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        int to = lo;
        while (to < end && store.end(to) <= s.workCharEnd()) {
            to++;
        }
        long[] h = store.hashes(ord, lo - base, to - lo);
        Span.CommonIn in = commonIn(ord, s.workId(), h, 0, h.length);
        return in == null ? s : s.withCommon(in);
    }
}
