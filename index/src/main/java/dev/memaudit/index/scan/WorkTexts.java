package dev.memaudit.index.scan;

import dev.memaudit.index.store.WorksStore;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Reads code-point ranges of works' original texts without decoding whole works: per work it keeps
 * the UTF-8 byte offset of every {@value #STEP}th code point, built on first use. Thread-safe.
 */
final class WorkTexts {
    static final int STEP = 256;

    private final WorksStore store;
    private final AtomicReferenceArray<int[]> checkpoints;

    WorkTexts(WorksStore store) {
        this.store = store;
        this.checkpoints = new AtomicReferenceArray<>(store.size());
    }

    /** Code points {@code [start, end)} of the work's original text. */
    String region(int ordinal, int start, int end) {
        int[] marks = checkpoints.get(ordinal);
        if (marks == null) {
            marks = build(store.textUtf8(ordinal));
            checkpoints.set(ordinal, marks);
        }
        int from = marks[start / STEP];
        int skip = start % STEP;
        int want = end - start;
        int max = Math.min(store.textBytes(ordinal) - from, (skip + want) * 4);
        byte[] bytes = store.textBytes(ordinal, from, max);
        int i = 0;
        for (int c = 0; c < skip; c++) {
            i += width(bytes[i]);
        }
        int j = i;
        for (int c = 0; c < want; c++) {
            j += width(bytes[j]);
        }
        return new String(bytes, i, j - i, StandardCharsets.UTF_8);
    }

    private static int[] build(byte[] utf8) {
        int cps = 0;
        int[] marks = new int[16];
        int m = 0;
        for (int i = 0; i < utf8.length; i += width(utf8[i])) {
            if (cps % STEP == 0) {
                if (m == marks.length) {
                    marks = java.util.Arrays.copyOf(marks, m * 2);
                }
                marks[m++] = i;
            }
            cps++;
        }
        if (m == marks.length) {
            marks = java.util.Arrays.copyOf(marks, m + 1);
        }
        marks[m] = utf8.length; // so that a range ending at the text's end has a checkpoint
        return marks;
    }

    /** Bytes in the UTF-8 sequence starting with {@code lead} (the store holds valid UTF-8). */
    private static int width(byte lead) {
        int b = lead & 0xFF;
        if (b < 0x80) {
            return 1;
        }
        if (b < 0xE0) {
            return 2;
        }
        return b < 0xF0 ? 3 : 4;
    }
}
