package dev.memaudit.index.scan;

import dev.memaudit.core.text.NormalizedWords;
import dev.memaudit.index.ngram.BloomFilter;
import dev.memaudit.index.ngram.GramHash;
import dev.memaudit.index.ngram.HotGrams;
import dev.memaudit.index.store.HashReader;
import dev.memaudit.index.store.WorksStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Finds every maximal run of at least {@code minWords} words that an output shares with the corpus,
 * at every corpus occurrence. Not thread-safe: one per scanning thread.
 *
 * <p>Why it is complete (with {@link Seeding#RARITY}): let k = minWords - n + 1. A shared run of at
 * least minWords words starting at output word a contains the k grams starting at a..a+k-1, and
 * each occurs at the aligned corpus position. The Bloom filter has no false negatives, so the
 * window [a, a+k) is never skipped (the loop only jumps past windows that contain a rejected gram).
 * Whatever gram of that window is chosen as seed really occurs there, the points tree holds all its
 * occurrences in all works, and each is extended to its maximum on its own diagonal. Choosing the
 * window's rarest gram (by the hot-gram table) keeps stock phrases that occur thousands of times
 * from being expanded occurrence by occurrence.
 *
 * <p>A window needs no lookup of its own when (a) a gram of it was already looked up (all its
 * occurrences were extended), or (b) one of its grams is accounted for: the runs extended so far
 * cover that output gram on as many distinct diagonals as the gram has corpus occurrences (the
 * hot-gram table holds the count of every gram occurring twice or more, so a gram the Bloom filter
 * passes and the table lacks occurs at most once). Every corpus occurrence of an accounted gram
 * then lies on a run already found, and a shared run through the window goes through that gram, so
 * it is one of those runs: extension is maximal. Inside a copied passage this leaves one lookup per
 * passage instead of one per k words.
 *
 * <p>{@link Seeding#STRIDE} (every k-th gram, no prefilter) is the plain baseline the benchmark
 * compares against; it is complete for the same reason.
 *
 * <p><b>Short runs</b> (for the near-verbatim scan, {@link #collectShortRuns}): the runs of at
 * least the gram's n words and fewer than minWords that {@link #find} extends anyway are kept, and
 * {@link #shortRuns} then looks up every gram no extended run covers, reusing the Bloom and
 * frequency checks {@code find} already made for the same output. Grams occurring more than a given
 * number of times in the corpus are not seeds there (stock phrases). Not complete: a run made only
 * of such grams is not found, unless it is long enough for {@code find}.
 */
public final class SpanFinder {
    /** How seed grams are chosen. */
    public enum Seeding {
        /** Rarest gram per window of k grams, after a Bloom-filter check. */
        RARITY,
        /** Every k-th gram, looked up directly. */
        STRIDE
    }

    /**
     * A maximal shared run: output words {@code [outStart, outEnd)} equal corpus words {@code
     * [globalStart, globalStart + outEnd - outStart)} of work {@code ordinal}.
     */
    public record Run(int outStart, int outEnd, int ordinal, int globalStart) {
        public int words() {
            return outEnd - outStart;
        }
    }

    /** Runs by output position, then corpus position. */
    private static final java.util.Comparator<Run> BY_POSITION =
            java.util.Comparator.comparingInt(Run::outStart).thenComparingInt(Run::globalStart);

    private final WorksStore store;
    private final HashReader corpus;
    private final int n;
    private final int minWords;
    private final int k;
    private final Seeding seeding;
    private final GramLookup lookup;
    private final BloomFilter bloom;
    private final HotGrams hot;
    private final IntList occurrences = new IntList();
    private int shortMaxFrequency = -1; // short runs not collected
    private final List<Run> shortRuns = new ArrayList<>();
    private final DiagonalRuns covered = new DiagonalRuns();

    private long[] grams = new long[256];
    // 0 unknown, 1 absent, 2 present, 3 hashed into grams[] but not checked yet
    private byte[] state = new byte[256];
    private int[] freq = new int[256];
    private int[] cover = new int[256]; // distinct extended runs covering each output gram
    private long[] aheadGrams = new long[64];
    private long touched; // what the reads ahead saw, kept so that they are not removed
    private long seedLookups;
    private long extensions;

    public SpanFinder(
            WorksStore store,
            int ngram,
            int minWords,
            Seeding seeding,
            GramLookup lookup,
            BloomFilter bloom,
            HotGrams hot) {
        if (minWords < ngram) {
            throw new IllegalArgumentException(
                    "min-words must be at least the index's ngram ("
                            + ngram
                            + "), got "
                            + minWords);
        }
        this.store = store;
        this.corpus = store.hashReader();
        this.n = ngram;
        this.minWords = minWords;
        this.k = minWords - ngram + 1;
        this.seeding = seeding;
        this.lookup = lookup;
        this.bloom = bloom;
        this.hot = hot;
    }

    /**
     * Makes {@link #find} keep the runs of at least n and fewer than minWords words it extends,
     * when seeded from a gram occurring at most {@code maxFrequency} times, for {@link #shortRuns}.
     */
    public void collectShortRuns(int maxFrequency) {
        if (seeding != Seeding.RARITY) {
            throw new IllegalStateException("short runs need rarity seeding");
        }
        this.shortMaxFrequency = maxFrequency;
    }

    /**
     * After {@link #find} on {@code out}: every maximal run of at least n and fewer than minWords
     * words through a gram occurring at most the given number of times, at every such occurrence,
     * sorted by output position then work.
     */
    public List<Run> shortRuns(NormalizedWords out) {
        if (shortMaxFrequency < 0) {
            throw new IllegalStateException("collectShortRuns was not called");
        }
        int m = out.size();
        if (m >= n) {
            long[] words = out.hashes();
            int g = m - n + 1;
            if (m < minWords) { // find() stopped before preparing the arrays
                prepare(g);
            }
            touchUnchecked(words, g);
            for (int q = 0; q < g; q++) {
                if (cover[q] > 0 || !present(words, q) || freq[q] > shortMaxFrequency) {
                    continue;
                }
                extendAll(words, m, q, grams[q], null);
            }
        }
        List<Run> r = new ArrayList<>(shortRuns);
        r.sort(BY_POSITION);
        return r;
    }

    private void prepare(int g) {
        if (grams.length < g) {
            int cap = Math.max(g, grams.length * 2);
            grams = new long[cap];
            state = new byte[cap];
            freq = new int[cap];
            cover = new int[cap];
        }
        Arrays.fill(state, 0, g, (byte) 0);
        Arrays.fill(cover, 0, g, 0);
        covered.clear();
    }

    /** All maximal shared runs of at least minWords words, sorted by output position then work. */
    public List<Run> find(NormalizedWords out) {
        shortRuns.clear();
        List<Run> runs = new ArrayList<>();
        int m = out.size();
        if (m < minWords) {
            return runs;
        }
        long[] words = out.hashes();
        int g = m - n + 1;
        prepare(g);
        if (seeding == Seeding.STRIDE) {
            for (int j = 0; j < g; j += k) {
                extendAll(words, m, j, GramHash.of(words, j, n), runs);
            }
        } else {
            touchAnchors(words, g);
            int previousSeed = -1;
            int j = 0;
            while (j + k <= g) {
                int anchor = ((j + k - 1) / k) * k; // the one multiple of k in [j, j + k)
                if (!present(words, anchor)) {
                    j = anchor + 1;
                    continue;
                }
                int absent = -1;
                for (int q = j + k - 1; q >= j; q--) {
                    if (!present(words, q)) {
                        absent = q;
                        break;
                    }
                }
                if (absent >= 0) {
                    j = absent + 1;
                    continue;
                }
                if (previousSeed < j && !accounted(j)) {
                    int seed = rarest(j);
                    extendAll(words, m, seed, grams[seed], runs);
                    previousSeed = seed;
                }
                j++;
            }
        }
        runs.sort(BY_POSITION);
        return runs;
    }

    /**
     * Reads the Bloom filter's block of every anchor gram (each multiple of k) before the loop
     * checks them one by one: the loop checks every anchor whose window fits the output, and each
     * check that misses the caches waits for memory; read in a row, without a branch between, those
     * misses overlap. The hashes are kept for the checks (state 3). Changes no result.
     */
    private void touchAnchors(long[] words, int g) {
        int anchors = (g + k - 1) / k;
        if (aheadGrams.length < anchors) {
            aheadGrams = new long[Math.max(anchors, aheadGrams.length * 2)];
        }
        for (int a = 0, q = 0; q < g; a++, q += k) {
            long gram = GramHash.of(words, q, n);
            grams[q] = gram;
            state[q] = 3;
            aheadGrams[a] = gram;
        }
        touched ^= bloom.touch(aheadGrams, 0, anchors);
    }

    /** As {@link #touchAnchors} for the grams no run covers and no check has seen yet. */
    private void touchUnchecked(long[] words, int g) {
        int c = 0;
        for (int q = 0; q < g; q++) {
            if (cover[q] == 0 && state[q] == 0) {
                if (c == aheadGrams.length) {
                    aheadGrams = Arrays.copyOf(aheadGrams, c * 2);
                }
                long gram = GramHash.of(words, q, n);
                grams[q] = gram;
                state[q] = 3;
                aheadGrams[c++] = gram;
            }
        }
        touched ^= bloom.touch(aheadGrams, 0, c);
    }

    private boolean present(long[] words, int q) {
        byte s = state[q];
        if (s == 0 || s == 3) {
            long gram = s == 0 ? GramHash.of(words, q, n) : grams[q];
            grams[q] = gram;
            boolean maybe = bloom.mightContain(gram);
            state[q] = maybe ? (byte) 2 : (byte) 1;
            freq[q] = maybe ? hot.frequency(gram) : 0;
            return maybe;
        }
        return s == 2;
    }

    /** The window's rarest gram; of equals the rightmost, which serves the most later windows. */
    private int rarest(int j) {
        int best = j;
        int bestFreq = freq[j];
        for (int q = j + 1; q < j + k; q++) {
            if (freq[q] <= bestFreq) {
                best = q;
                bestFreq = freq[q];
            }
        }
        return best;
    }

    /** Whether some gram of window [j, j + k) has all its corpus occurrences on extended runs. */
    private boolean accounted(int j) {
        for (int q = j + k - 1; q >= j; q--) {
            if (cover[q] > 0 && cover[q] >= Math.max(1, freq[q])) {
                return true;
            }
        }
        return false;
    }

    private void extendAll(long[] words, int m, int seed, long gram, List<Run> runs) {
        seedLookups++;
        int count = lookup.occurrences(gram, occurrences);
        for (int i = 0; i < count; i++) {
            int global = occurrences.get(i);
            long diagonal = (long) global - seed;
            if (covered.inside(diagonal, seed)) {
                continue;
            }
            int ordinal = store.ordinalOf(global);
            int lo = store.base(ordinal);
            int hi = store.base(ordinal + 1);
            if (global + n > hi || !same(words, seed, global, n)) {
                continue; // a 64-bit gram hash collision, not a real occurrence
            }
            extensions++;
            int a = seed;
            int ga = global;
            while (a > 0 && ga > lo && words[a - 1] == corpus.at(ga - 1)) {
                a--;
                ga--;
            }
            int b = seed + n;
            int gb = global + n;
            while (b < m && gb < hi && words[b] == corpus.at(gb)) {
                b++;
                gb++;
            }
            covered.add(diagonal, a, b);
            for (int q = a, last = Math.min(b - n, cover.length - 1); q <= last; q++) {
                cover[q]++;
            }
            if (b - a >= minWords) {
                if (runs != null) {
                    runs.add(new Run(a, b, ordinal, ga));
                }
            } else if (shortMaxFrequency >= 0
                    && (runs == null || freq[seed] <= shortMaxFrequency)) {
                shortRuns.add(new Run(a, b, ordinal, ga));
            }
        }
    }

    private boolean same(long[] words, int from, int global, int len) {
        for (int i = 0; i < len; i++) {
            if (words[from + i] != corpus.at(global + i)) {
                return false;
            }
        }
        return true;
    }

    /** Seed lookups made so far. */
    public long seedLookups() {
        return seedLookups;
    }

    /** Occurrences verified and extended so far. */
    public long extensions() {
        return extensions;
    }
}
