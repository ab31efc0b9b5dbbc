package dev.memaudit.index.scan;

import java.util.Arrays;

/** A growable list of ints, reused across calls to avoid garbage in the scan loop. */
public final class IntList {
    private int[] values = new int[64];
    private int size;

    public void clear() {
        size = 0;
    }

    public void add(int v) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = v;
    }

    public int get(int i) {
        return values[i];
    }

    public int size() {
        return size;
    }
}
