package dev.memaudit.index.scan;

import dev.memaudit.core.error.MemauditException;
import dev.memaudit.core.text.NormalizedWords;
import dev.memaudit.core.text.WordNormalizer;
import dev.memaudit.index.source.CorpusLoader;
import dev.memaudit.index.source.CorpusManifest;
import dev.memaudit.index.source.WorkEntry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * How often each n-gram of words occurs in text the model's outputs are compared against by chance:
 * non-member text (control texts, a background corpus). It gives each passage a chance score
 * ({@link #chanceLog10}): how often text like the background would hold a passage like it.
 *
 * <p>The counts are kept in an open-addressing table of n-gram hashes (the same 64-bit hashes of
 * normalized words the scan compares), 12 bytes a distinct n-gram.
 */
public final class BackgroundGrams {
    /**
     * The n-gram length of chance scores: short enough that prose n-grams recur in a background.
     */
    public static final int N = 4;

    private final int n;
    private long[] keys;
    private int[] counts; // 0 for an empty slot
    private int distinct;
    private long positions;
    private long words;
    private int texts;
    private final List<String> sources = new ArrayList<>();
    private final java.util.Map<String, String> inputs = new java.util.TreeMap<>();
    // word hashes of the controls corpora's texts by id; null: none
    private java.util.Map<String, long[]> controlTexts;

    private BackgroundGrams(int n) {
        this.n = n;
        this.keys = new long[1 << 16];
        this.counts = new int[1 << 16];
    }

    /**
     * The n-grams of every work and control of each {@code background} corpus and of the controls
     * only of each {@code controls} corpus. A text that cannot be read is logged and left out.
     */
    public static BackgroundGrams load(
            int n, List<Path> background, List<Path> controls, Consumer<String> log) {
        BackgroundGrams g = new BackgroundGrams(n);
        CorpusLoader loader = new CorpusLoader();
        for (Path p : background) {
            CorpusManifest m = CorpusManifest.load(p);
            List<WorkEntry> all = new ArrayList<>(m.works());
            all.addAll(m.controls());
            g.read(loader, all, log, null);
            g.sources.add("background " + p);
        }
        if (!controls.isEmpty()) {
            g.controlTexts = new java.util.LinkedHashMap<>();
        }
        for (Path p : controls) {
            CorpusManifest m = CorpusManifest.load(p);
            g.read(loader, m.controls(), log, g.controlTexts);
            g.sources.add("controls of " + p);
        }
        if (g.positions == 0) {
            throw MemauditException.badInput(
                    "the background text ("
                            + String.join(", ", g.sources)
                            + ") holds no "
                            + n
                            + "-word sequence: a chance score needs some");
        }
        return g;
    }

    /** Counts of the given texts, for tests. */
    static BackgroundGrams of(int n, List<String> texts) {
        BackgroundGrams g = new BackgroundGrams(n);
        for (String t : texts) {
            g.add(WordNormalizer.normalize(t));
        }
        g.sources.add(texts.size() + " texts");
        return g;
    }

    /**
     * The word hashes of each control text of the {@code controls} corpora (not the background
     * ones) by id, for the commonness test; null when no controls corpus was given.
     */
    public java.util.Map<String, long[]> controlTexts() {
        return controlTexts;
    }

    private void read(
            CorpusLoader loader,
            List<WorkEntry> entries,
            Consumer<String> log,
            java.util.Map<String, long[]> keep) {
        loader.load(
                entries,
                w -> {
                    NormalizedWords words = WordNormalizer.normalize(w.text());
                    add(words);
                    if (keep != null) {
                        keep.put(w.id(), java.util.Arrays.copyOf(words.hashes(), words.size()));
                    }
                    inputs.put("background/" + w.id(), w.sourceSha256());
                },
                p -> log.accept(p.file() + ": left out of the background: " + p.reason()));
    }

    private void add(NormalizedWords w) {
        texts++;
        words += w.size();
        for (int i = 0; i + n <= w.size(); i++) {
            increment(KGramTables.gram(w.hashes(), i, n));
            positions++;
        }
    }

    private void increment(long key) {
        if ((distinct + 1) * 2L > keys.length) {
            grow();
        }
        int slot = slot(key, keys.length);
        while (counts[slot] != 0 && keys[slot] != key) {
            slot = (slot + 1) & (keys.length - 1);
        }
        if (counts[slot] == 0) {
            keys[slot] = key;
            distinct++;
        }
        counts[slot]++;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldCounts = counts;
        keys = new long[oldKeys.length * 2];
        counts = new int[oldKeys.length * 2];
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldCounts[i] != 0) {
                int slot = slot(oldKeys[i], keys.length);
                while (counts[slot] != 0) {
                    slot = (slot + 1) & (keys.length - 1);
                }
                keys[slot] = oldKeys[i];
                counts[slot] = oldCounts[i];
            }
        }
    }

    private static int slot(long key, int cap) {
        long z = key * 0x94D049BB133111EBL;
        return (int) (z >>> 33) & (cap - 1);
    }

    /** Occurrences of the n-gram with this hash. */
    int count(long key) {
        int slot = slot(key, keys.length);
        while (counts[slot] != 0) {
            if (keys[slot] == key) {
                return counts[slot];
            }
            slot = (slot + 1) & (keys.length - 1);
        }
        return 0;
    }

    /**
     * The chance score of output words {@code [from, to)} of an output of {@code outputWords}
     * words: log10 of the expected number of places in such an output where text drawn like the
     * background would hold this passage, taking its ⌊L/n⌋ non-overlapping n-grams as independent,
     * each with its background frequency (c + 1) / (N + 1) (c its occurrences, N the background's
     * n-gram positions; the +1 counts an unseen n-gram as seen once, so no n-gram is rarer than the
     * background can show), times the output's L-word places, capped at 0 (a passage of fewer than
     * n words, or one made of common n-grams, gets 0: nothing unlikely). The lower, the less it can
     * be chance.
     */
    public double chanceLog10(long[] hashes, int from, int to, int outputWords) {
        int len = to - from;
        double log = Math.log10(Math.max(1, outputWords - len + 1));
        double denom = Math.log10(positions + 1.0);
        for (int i = from; i + n <= to; i += n) {
            log += Math.log10(count(KGramTables.gram(hashes, i, n)) + 1.0) - denom;
        }
        return Math.min(0.0, log);
    }

    /** The n-gram length. */
    public int n() {
        return n;
    }

    /** n-gram positions counted (N). */
    public long positions() {
        return positions;
    }

    /** Normalized words read. */
    public long words() {
        return words;
    }

    /** Texts read. */
    public int texts() {
        return texts;
    }

    /** Distinct n-grams. */
    public int distinct() {
        return distinct;
    }

    /** "background/<id>" → SHA-256 of the source file of every text read, for the manifest. */
    public java.util.Map<String, String> inputs() {
        return java.util.Map.copyOf(inputs);
    }

    /** Where the text came from, for the manifest. */
    public List<String> sources() {
        return List.copyOf(sources);
    }
}
