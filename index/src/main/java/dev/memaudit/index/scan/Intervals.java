package dev.memaudit.index.scan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Half-open integer intervals. */
final class Intervals {
    private Intervals() {}

    /** Total length of the union of {@code [a[0], a[1])} intervals. */
    static long unionLength(List<int[]> intervals) {
        if (intervals.isEmpty()) {
            return 0;
        }
        List<int[]> sorted = new ArrayList<>(intervals);
        sorted.sort(Comparator.comparingInt(a -> a[0]));
        long total = 0;
        int start = sorted.get(0)[0];
        int end = sorted.get(0)[1];
        for (int[] iv : sorted) {
            if (iv[0] > end) {
                total += end - start;
                start = iv[0];
                end = iv[1];
            } else if (iv[1] > end) {
                end = iv[1];
            }
        }
        return total + (end - start);
    }
}
