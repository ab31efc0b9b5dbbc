package dev.memaudit.index.scan;

import java.util.Arrays;

/**
 * The runs extended so far in one output, by diagonal (corpus position minus output position): an
 * open-addressing table from diagonal to a chain of [start, end) output ranges. Replaces a {@code
 * HashMap<Long, int[]>}, whose boxing and node chasing took 15 % of the scan; cleared per output in
 * time proportional to what was added.
 */
final class DiagonalRuns {
    private long[] keys = new long[64];
    private int[] heads = new int[64]; // 1 + index of the newest run of the slot's diagonal; 0 free
    private int[] usedSlots = new int[32];
    private int used;
    private int[] starts = new int[64];
    private int[] ends = new int[64];
    private int[] next = new int[64]; // 1 + index of the previous run on the same diagonal; 0 none
    private int runs;

    /** Whether output position {@code pos} lies inside a run on {@code diagonal}. */
    boolean inside(long diagonal, int pos) {
        int slot = find(diagonal);
        for (int r = heads[slot]; r != 0; r = next[r - 1]) {
            if (starts[r - 1] <= pos && pos < ends[r - 1]) {
                return true;
            }
        }
        return false;
    }

    /** Records run [start, end) on {@code diagonal}. */
    void add(long diagonal, int start, int end) {
        if ((used + 1) * 2 > keys.length) {
            grow();
        }
        int slot = find(diagonal);
        if (heads[slot] == 0) {
            keys[slot] = diagonal;
            if (used == usedSlots.length) {
                usedSlots = Arrays.copyOf(usedSlots, used * 2);
            }
            usedSlots[used++] = slot;
        }
        if (runs == starts.length) {
            starts = Arrays.copyOf(starts, runs * 2);
            ends = Arrays.copyOf(ends, runs * 2);
            next = Arrays.copyOf(next, runs * 2);
        }
        starts[runs] = start;
        ends[runs] = end;
        next[runs] = heads[slot];
        heads[slot] = ++runs;
    }

    void clear() {
        for (int i = 0; i < used; i++) {
            heads[usedSlots[i]] = 0;
        }
        used = 0;
        runs = 0;
    }

    /** The slot holding {@code diagonal}, or the free slot where it would go. */
    private int find(long diagonal) {
        int mask = keys.length - 1;
        long h = diagonal * 0x9E3779B97F4A7C15L;
        int slot = (int) (h ^ (h >>> 32)) & mask;
        while (heads[slot] != 0 && keys[slot] != diagonal) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldHeads = heads;
        int[] oldUsed = Arrays.copyOf(usedSlots, used);
        keys = new long[oldKeys.length * 2];
        heads = new int[oldKeys.length * 2];
        used = 0;
        for (int s : oldUsed) {
            int slot = find(oldKeys[s]);
            keys[slot] = oldKeys[s];
            heads[slot] = oldHeads[s];
            if (used == usedSlots.length) {
                usedSlots = Arrays.copyOf(usedSlots, used * 2);
            }
            usedSlots[used++] = slot;
        }
    }
}
