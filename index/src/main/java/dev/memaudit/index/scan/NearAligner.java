package dev.memaudit.index.scan;

import dev.memaudit.index.store.HashReader;
import java.util.Arrays;

/**
 * Extends a shared run of words outward across substitutions, insertions and deletions: an X-drop
 * alignment (the gapped extension of BLAST, Zhang et al. 2000) of the output's words against the
 * work's words, starting at the run's end and moving away from it, one output word per row. Words
 * are compared by their 64-bit hashes; two adjacent words on one side may also equal one word on
 * the other (a hyphenated compound rewrapped as two words, "soap- works" against "soap-works"), at
 * no edit.
 *
 * <p>Scoring: with similarity threshold t, a matched word scores 1 − t and an edit (a word
 * substituted, inserted or deleted) costs t, so an alignment with m matched words and e edits
 * scores m(1 − t) − e·t, which is at least 0 exactly when m / (m + e) ≥ t. The extension returns
 * the alignment from the start to the best-scoring cell reached; a cell whose score falls more than
 * {@link #X_DROP_EDITS} edits (plus one match) below the best so far is abandoned, so a gap of up
 * to three consecutive edits is bridged when matches follow it, and chance matches in unrelated
 * text never are. Scores are integers (thousandths).
 *
 * <p>Where the best cell so far is in the last row and the next {@value #SNAKE} words after it
 * match, the extension follows that diagonal alone, dropping the rest of the band (a greedy
 * "snake", as in Myers' diff: an available run of matches is taken), so a long copied stretch costs
 * about one comparison per word rather than a band of cells. Not thread-safe: one per scanner.
 */
final class NearAligner {
    /** Alignment operations, output against work. */
    static final byte MATCH = 0;

    static final byte SUB = 1;
    static final byte INS = 2; // an output word the work lacks
    static final byte DEL = 3; // a work word the output lacks
    static final byte JOIN = 4; // two output words = one work word
    static final byte SPLIT = 5; // one output word = two work words

    /** The letter of each operation in a span's {@code alignment}. */
    static final char[] LETTERS = {'=', 'X', 'I', 'D', 'J', 'P'};

    /** How many consecutive edits an extension may bridge. */
    static final int X_DROP_EDITS = 3;

    private static final int NEG = Integer.MIN_VALUE / 4;

    /** Matching words after the best cell that let the extension drop the rest of its band. */
    static final int SNAKE = 4;

    /** Word forms for the join and split checks, by absolute word positions. */
    interface Joins {
        /** Whether output words {@code a} and {@code a + 1} together are work word {@code w}. */
        boolean joined(int a, int w);

        /** Whether output word {@code a} is work words {@code w} and {@code w + 1} together. */
        boolean split(int a, int w);
    }

    /**
     * One extension: {@code outWords} output and {@code workWords} work words from the start,
     * aligned by {@code ops} (in order from the start outward).
     */
    record Extension(int outWords, int workWords, byte[] ops) {}

    private final int match;
    private final int edit;
    private final int xdrop;

    // Rows of the band: row i covers work positions [lo[i], lo[i] + width[i]); cells at offset
    // start[i] in the flat arrays.
    private int[] lo = new int[256];
    private int[] width = new int[256];
    private int[] start = new int[256];
    private int[] score = new int[4096];
    private byte[] move = new byte[4096];

    NearAligner(double minSimilarity) {
        if (!(minSimilarity >= 0.5 && minSimilarity <= 1.0)) {
            throw new IllegalArgumentException(
                    "min-similarity must be between 0.5 and 1, got " + minSimilarity);
        }
        this.edit = (int) Math.round(1000 * minSimilarity);
        this.match = Math.max(1, 1000 - edit);
        this.xdrop = X_DROP_EDITS * edit + match;
    }

    /**
     * Aligns output words {@code out[outFrom + dir·i]} (i = 0 .. outAvail−1) against work words
     * {@code work.at(workFrom + dir·j)} (j = 0 .. workAvail−1), from the start.
     *
     * @param dir +1 to extend forward (to the right), −1 to extend backward
     */
    Extension extend(
            long[] out,
            int outFrom,
            int outAvail,
            HashReader work,
            int workFrom,
            int workAvail,
            int dir,
            Joins joins) {
        int best = 0;
        int bestI = 0;
        int bestJ = 0;
        int cells = 0;
        // Row 0: deletions only.
        int w0 = 1;
        while (w0 <= workAvail && -w0 * edit >= -xdrop) {
            w0++;
        }
        ensureRows(1);
        ensureCells(w0);
        lo[0] = 0;
        width[0] = w0;
        start[0] = 0;
        for (int j = 0; j < w0; j++) {
            score[j] = -j * edit;
            move[j] = DEL;
        }
        cells = w0;
        boolean snaking = false;
        for (int i = 1; i <= outAvail; i++) {
            long a = out[outFrom + dir * (i - 1)];
            int pLo = lo[i - 1];
            int pHi = pLo + width[i - 1] - 1;
            // Fast path: the best cell so far is in the last row and the words after it match
            // (for SNAKE words, or one once on the snake): follow the diagonal alone. The row keeps
            // the deletions to the right of the diagonal cell, which the next row needs when the
            // snake ends at a deleted work word.
            if (bestI == i - 1
                    && snake(
                            out,
                            outFrom,
                            outAvail,
                            work,
                            workFrom,
                            workAvail,
                            dir,
                            i,
                            bestJ + 1,
                            snaking ? 1 : SNAKE)) {
                int j = bestJ + 1;
                int w = 1 + Math.min(xdrop / edit, workAvail - j);
                ensureRows(i + 1);
                ensureCells(cells + w);
                lo[i] = j;
                width[i] = w;
                start[i] = cells;
                best += match;
                for (int k = 0; k < w; k++) {
                    score[cells + k] = best - k * edit;
                    move[cells + k] = k == 0 ? MATCH : DEL;
                }
                cells += w;
                bestI = i;
                bestJ = j;
                snaking = true;
                continue;
            }
            snaking = false;
            int jFrom = pLo;
            int jTo = Math.min(workAvail, pHi + 2);
            ensureRows(i + 1);
            int rowStart = cells;
            int first = -1;
            int last = -1;
            int left = NEG;
            for (int j = jFrom; j <= workAvail; j++) {
                if (j > jTo && left == NEG) {
                    break;
                }
                int h = NEG;
                byte mv = DEL;
                if (j >= 1) {
                    int d = cell(i - 1, j - 1);
                    if (d != NEG) {
                        boolean eq = work.at(workFrom + dir * (j - 1)) == a;
                        int v = d + (eq ? match : -edit);
                        if (v > h) {
                            h = v;
                            mv = eq ? MATCH : SUB;
                        }
                        if (!eq && i >= 2) {
                            int dj = cell(i - 2, j - 1);
                            if (dj != NEG
                                    && dj + match > h
                                    && work.at(workFrom + dir * (j - 1))
                                            != out[outFrom + dir * (i - 2)]
                                    && joins.joined(
                                            Math.min(
                                                    outFrom + dir * (i - 2),
                                                    outFrom + dir * (i - 1)),
                                            workFrom + dir * (j - 1))) {
                                h = dj + match;
                                mv = JOIN;
                            }
                        }
                        if (!eq && j >= 2) {
                            int ds = cell(i - 1, j - 2);
                            if (ds != NEG
                                    && ds + match > h
                                    && work.at(workFrom + dir * (j - 2)) != a
                                    && joins.split(
                                            outFrom + dir * (i - 1),
                                            Math.min(
                                                    workFrom + dir * (j - 2),
                                                    workFrom + dir * (j - 1)))) {
                                h = ds + match;
                                mv = SPLIT;
                            }
                        }
                    }
                }
                int u = cell(i - 1, j);
                if (u != NEG && u - edit > h) {
                    h = u - edit;
                    mv = INS;
                }
                if (left != NEG && left - edit > h) {
                    h = left - edit;
                    mv = DEL;
                }
                if (h < best - xdrop) {
                    h = NEG;
                }
                if (h != NEG) {
                    if (first < 0) {
                        first = j;
                    }
                    last = j;
                }
                if (first >= 0) {
                    ensureCells(cells + 1);
                    score[cells] = h;
                    move[cells] = mv;
                    cells++;
                }
                left = h;
            }
            if (first < 0) {
                break;
            }
            // Trim the row to [first, last].
            int keep = last - first + 1;
            cells = rowStart + keep;
            lo[i] = first;
            width[i] = keep;
            start[i] = rowStart;
            for (int j = first; j <= last; j++) {
                int h = score[rowStart + j - first];
                if (h > best || (h == best && i > bestI)) { // a tie: the longer passage
                    best = h;
                    bestI = i;
                    bestJ = j;
                }
            }
        }
        return new Extension(bestI, bestJ, trace(bestI, bestJ));
    }

    /**
     * Whether output words from row {@code i} and work words from column {@code j} match for {@code
     * k} words (or up to the end of either side, at least one word).
     */
    private static boolean snake(
            long[] out,
            int outFrom,
            int outAvail,
            HashReader work,
            int workFrom,
            int workAvail,
            int dir,
            int i,
            int j,
            int k) {
        int n = Math.min(k, Math.min(outAvail - i + 1, workAvail - j + 1));
        if (n < 1) {
            return false;
        }
        for (int t = 0; t < n; t++) {
            if (out[outFrom + dir * (i - 1 + t)] != work.at(workFrom + dir * (j - 1 + t))) {
                return false;
            }
        }
        return true;
    }

    private int cell(int i, int j) {
        int l = lo[i];
        if (j < l || j >= l + width[i]) {
            return NEG;
        }
        return score[start[i] + j - l];
    }

    private byte[] trace(int i, int j) {
        byte[] ops = new byte[16];
        int n = 0;
        while (i > 0 || j > 0) {
            byte mv = move[start[i] + j - lo[i]];
            if (n == ops.length) {
                ops = Arrays.copyOf(ops, n * 2);
            }
            ops[n++] = mv;
            switch (mv) {
                case MATCH, SUB -> {
                    i--;
                    j--;
                }
                case INS -> i--;
                case DEL -> j--;
                case JOIN -> {
                    i -= 2;
                    j--;
                }
                default -> { // SPLIT
                    i--;
                    j -= 2;
                }
            }
        }
        byte[] r = new byte[n];
        for (int k = 0; k < n; k++) {
            r[k] = ops[n - 1 - k];
        }
        return r;
    }

    private void ensureRows(int n) {
        if (n > lo.length) {
            int cap = Math.max(n, lo.length * 2);
            lo = Arrays.copyOf(lo, cap);
            width = Arrays.copyOf(width, cap);
            start = Arrays.copyOf(start, cap);
        }
    }

    private void ensureCells(int n) {
        if (n > score.length) {
            int cap = Math.max(n, score.length * 2);
            score = Arrays.copyOf(score, cap);
            move = Arrays.copyOf(move, cap);
        }
    }
}
